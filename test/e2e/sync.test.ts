/**
 * Two-way ticket sync end to end: the sandbox plays Jira and the Forge platform (events are delivered to the
 * backend's /forge/events as Forge would), the backend runs its real queue workers.
 */
import { issueSyncLinks, syncOutbox, tickets } from '@jira-integration/backend/db/schema';
import { processForgeEvent } from '@jira-integration/backend/forge/events';
import { applyJiraEvent } from '@jira-integration/backend/sync/issue-sync';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { pushTicket } from '@jira-integration/backend/sync/outbound';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { callSandbox, userToken } from '@jira-integration/sandbox/test-support/seed';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { syncErrorMessages, syncReadinessMessages } from '@jira-integration/shared/sync-messages';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectAcme, SUP_SYNC_CONFIG } from '../support/sync';
import { startWorld, type World } from '../support/world';

interface Ticket {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  requesterEmail: string | null;
  assigneeEmail: string | null;
  jira: { issueId: string; issueKey: string; state: string } | null;
  comments?: Array<{ body: string; visibility: string; source: string; authorEmail: string | null }>;
}
interface Issue {
  id: string;
  key: string;
  fields: Record<string, unknown> & {
    summary: string;
    status: { id: string; name: string };
    priority: { id: string };
    assignee: { emailAddress?: string } | null;
    reporter: { emailAddress?: string; accountType?: string } | null;
    description: unknown;
    comment: { comments: Array<{ body: unknown; jsdPublic: boolean; author: { accountType: string } }> };
  };
  properties?: Record<string, unknown>;
}

// A single id is accepted where a list is expected (closed).
const CONFIG = { ...SUP_SYNC_CONFIG, statusMapping: { ...SUP_SYNC_CONFIG.statusMapping, closed: '10001' } };

const adfText = (document: unknown): string => JSON.stringify(document ?? null);
/** The text a reader sees in an ADF document (links and marks dropped). */
const plainText = (node: unknown): string => {
  if (!node || typeof node !== 'object') return '';
  const { text, content } = node as { text?: string; content?: unknown[] };
  return (text ?? '') + (content ?? []).map(plainText).join('');
};

describe.each(testDatabaseKinds())('two-way ticket sync against the sandbox (%s)', (kind) => {
  let world: World;
  let cloudId: string;
  let connectionId: string;
  let aliceToken: string;

  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  const jira = async <T = unknown>(method: string, path: string, body?: unknown) => {
    const answer = await callSandbox(world.sandbox, method, `/ex/jira/${cloudId}/rest/api/3/${path}`, {
      token: aliceToken,
      body,
    });
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  };
  const issue = (key: string) => jira<Issue>('GET', `issue/${key}?fields=*all&properties=platform.ticket`);
  /** The issue as JSM shows it: a customer request with its request type. */
  const request = async (key: string) =>
    (
      await callSandbox(world.sandbox, 'GET', `/ex/jira/${cloudId}/rest/servicedeskapi/request/${key}`, {
        token: aliceToken,
      })
    ).body;
  const ticket = async (id: string) => (await (await api(`/v1/tickets/${id}`)).json()) as Ticket;
  /** JSM requests the sandbox raised so far. */
  const requestsRaised = () => routeCount('POST /rest/servicedeskapi/request');
  /** A new ticket whose request Jira raised (while the worker dies after raising it): the ticket and the request. */
  const ticketRaisedBeforeCrash = async (worker: { deaths: () => number }, title: string) => {
    const before = worker.deaths();
    const { id } = (await (await api('/v1/tickets', { method: 'POST', json: { title } })).json()) as Ticket;
    await expect.poll(worker.deaths).toBe(before + 1);
    const [raised] = [...world.sandbox.state.issues.values()].filter(
      (candidate) => candidate.summary === title,
    );
    return { id, raised };
  };
  /**
   * The worker "dies" right after Jira raised a request (before the ticket property and the link), and any retry
   * dies at its first call, until `revive()`. Tests wait on `deaths()`, the raises the worker died after: the
   * sandbox counts a request before its answer reaches the worker, so a revive timed by that count could come
   * before the worker reads the answer, and it would then live.
   */
  const dieAfterRaisingRequests = () => {
    const runtime = syncRuntime(world.backend.services);
    let dead = true;
    let deaths = 0;
    runtime.afterCall = (method, path, status) => {
      if (!dead) return;
      const raised = method === 'POST' && path === '/rest/servicedeskapi/request' && status === 201;
      if (raised) deaths += 1;
      if (raised || path === '/rest/api/3/search/jql') throw new Error('the worker died');
    };
    return {
      deaths: () => deaths,
      revive: () => {
        dead = false;
      },
      restore: () => {
        runtime.afterCall = undefined;
      },
    };
  };
  const routeCount = (route: string) => world.sandbox.stats().byRoute[route] ?? 0;
  const ticketsByTitle = async (title: string) =>
    world.backend.services.db.select().from(tickets).where(eq(tickets.title, title));
  const pendingOutbox = async (ticketId: string) =>
    (
      await world.backend.services.db
        .select()
        .from(syncOutbox)
        .where(and(eq(syncOutbox.ticketId, ticketId), isNull(syncOutbox.processedAt)))
    ).length;
  const synced = async (ticketId: string) => {
    await expect.poll(() => pendingOutbox(ticketId)).toBe(0);
    return ticket(ticketId);
  };

  beforeAll(async () => {
    world = await startWorld({ kind });
    cloudId = world.seeded.acme.cloudId;
    aliceToken = userToken(world.sandbox, world.seeded.alice.accountId);
    // Jira's own waits (Retry-After, pacing) pass at once: the test drives them, not the wall clock.
    syncRuntime(world.backend.services).sleep = async () => {};
    const connection = await connectAcme(world);
    connectionId = connection.id;
  });
  afterAll(() => world?.close());

  it('says which condition keeps sync from running, in order, until all hold', async () => {
    const read = async () =>
      (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
        readiness: { ready: boolean; reason: string | null };
      };
    expect((await read()).readiness.reason).toBe(
      'Sync is not running. Missing: Forge app installed on the site.',
    );
    await world.sandbox.forge.install({ cloudId, backendUrl: world.backend.url });
    expect((await read()).readiness.reason).toBe('Sync is not running. Missing: Ticket Syncing turned on.');
    await api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: true } });
    expect((await read()).readiness.reason).toBe('Sync is not running. Missing: Sync settings saved.');
  });

  it('refuses settings naming values the site lacks or leaving one unmapped, naming it', async () => {
    const put = async (json: unknown) => {
      const response = await api(`/v1/jira/connections/${connectionId}/sync-config`, { method: 'PUT', json });
      return { status: response.status, body: (await response.json()) as { error: { message: string } } };
    };
    expect((await put({ ...CONFIG, projectKey: 'NOPE' })).body.error.message).toBe(
      "Project 'NOPE' does not exist on this Jira site.",
    );
    expect((await put({ ...CONFIG, requestTypeId: undefined })).body.error.message).toBe(
      "Project 'SUP' is a Jira Service Management project: choose a request type.",
    );
    expect((await put({ ...CONFIG, requestTypeId: '99' })).body.error.message).toBe(
      "Request type '99' does not exist in project 'SUP'.",
    );
    expect(
      (await put({ ...CONFIG, priorityMapping: { ...CONFIG.priorityMapping, low: ['4'] } })).body.error
        .message,
    ).toBe("The Jira priority 'Lowest' is not mapped to a platform priority.");
    expect(
      (await put({ ...CONFIG, priorityMapping: { ...CONFIG.priorityMapping, urgent: ['77'] } })).body.error
        .message,
    ).toBe("Jira priority '77' does not exist on this site.");
    const { waiting: _waiting, ...noWaiting } = CONFIG.statusMapping;
    const missing = await put({ ...CONFIG, statusMapping: noWaiting });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe("The platform status 'waiting' is not mapped to a Jira status.");
    expect(
      (await put({ ...CONFIG, statusMapping: { ...CONFIG.statusMapping, waiting: ['3'] } })).body.error
        .message,
    ).toBe("The Jira status 'Waiting for customer' is not mapped to a platform status.");
  });

  it('saving the settings backfills the project with progress, comments keep their visibility', async () => {
    const response = await api(`/v1/jira/connections/${connectionId}/sync-config`, {
      method: 'PUT',
      json: CONFIG,
    });
    expect(response.status).toBe(200);
    const saved = (await response.json()) as { readiness: { ready: boolean }; config: { strategy: string } };
    expect(saved.readiness.ready).toBe(true);
    expect(saved.config.strategy).toBe('two_way');
    await expect
      .poll(
        async () =>
          (
            (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
              backfill: { state: string; done: number; total: number } | null;
            }
          ).backfill,
      )
      .toMatchObject({ state: 'finished', done: 2, total: 2 });
    const [vpn] = await ticketsByTitle('VPN drops every 30 minutes');
    const imported = await ticket(vpn.id);
    expect(imported).toMatchObject({
      status: 'in_progress',
      priority: 'high',
      requesterEmail: 'carol@contractors.example',
      assigneeEmail: 'bob@acme.example',
      description: 'Since Monday the VPN disconnects **every 30 minutes**.',
      jira: { issueKey: 'SUP-1', state: 'synced' },
    });
    expect(imported.comments?.map((comment) => [comment.visibility, comment.source, comment.body])).toEqual([
      ['public', 'jira', 'Could you send the VPN client logs?'],
      ['internal', 'jira', 'Looks like the gateway idle timeout; checking with the network team.'],
    ]);
  });

  it('the settings form and its check see every project and service desk of a site with many', async () => {
    const { projects } = world.sandbox.state;
    const original = [...projects.entries()];
    const sup = original.find(([, candidate]) => candidate.key === 'SUP')![1];
    const added = Array.from({ length: 120 }, (_, n) => {
      const copy = structuredClone(sup);
      return {
        ...copy,
        id: String(20_000 + n),
        key: `MANY${n}`,
        name: `Many ${n}`,
        serviceDesk: copy.serviceDesk && { ...copy.serviceDesk, id: String(900 + n) },
      };
    });
    // SUP's desk comes after more than a page of other desks.
    projects.clear();
    for (const project of added) projects.set(project.id, project);
    for (const [id, project] of original) projects.set(id, project);
    try {
      const answer = await api(`/v1/jira/connections/${connectionId}/sync-options?projectKey=SUP`);
      expect(answer.status).toBe(200);
      const options = (await answer.json()) as {
        projects: Array<{ key: string }>;
        project: { requestTypes: Array<{ id: string }> };
      };
      const keys = options.projects.map((p) => p.key);
      expect(keys).toEqual(expect.arrayContaining(['SUP', 'ENG', 'MANY0', 'MANY119']));
      expect(keys).toHaveLength(new Set(keys).size);
      expect(options.project.requestTypes.map((type) => type.id)).toContain('10');
      const saved = await api(`/v1/jira/connections/${connectionId}/sync-config`, {
        method: 'PUT',
        json: CONFIG,
      });
      expect(saved.status).toBe(200);
    } finally {
      projects.clear();
      for (const [id, project] of original) projects.set(id, project);
    }
  });

  it('a ticket created on the platform appears in Jira once, with every mapped field and the ticket property', async () => {
    const created = await api('/v1/tickets', {
      method: 'POST',
      json: {
        title: 'Printer on 3rd floor jams',
        description: 'It jams on **every** print.\n\n- tray 2\n- tray 3',
        priority: 'urgent',
        status: 'in_progress',
        requesterEmail: 'Bob@acme.example',
        assigneeEmail: 'alice@acme.example',
      },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Ticket;
    const after = await synced(id);
    expect(after.jira?.state).toBe('synced');
    const jiraIssue = await issue(after.jira?.issueKey ?? '');
    expect(jiraIssue.fields.summary).toBe('Printer on 3rd floor jams');
    expect(jiraIssue.fields.priority.id).toBe('1');
    expect(jiraIssue.fields.status.id).toBe('3');
    expect(jiraIssue.fields.reporter?.emailAddress).toBe('bob@acme.example');
    expect(jiraIssue.fields.assignee?.emailAddress).toBe('alice@acme.example');
    expect(adfText(jiraIssue.fields.description)).toContain('"text":"every","marks":[{"type":"strong"}]');
    expect(adfText(jiraIssue.fields.description)).toContain('bulletList');
    expect(jiraIssue.properties?.['platform.ticket']).toEqual({
      ticketId: id,
      teamId: world.backend.team.id,
    });
    // The issue's own created/updated events were the service account's: no second ticket appeared.
    expect(await ticketsByTitle('Printer on 3rd floor jams')).toHaveLength(1);
  });

  it('in a JSM project the issue is raised as a request of the configured request type, on behalf of the requester', async () => {
    const raises = requestsRaised();
    const creates = routeCount('POST /rest/api/3/issue');
    const { id } = (await (
      await api('/v1/tickets', {
        method: 'POST',
        json: { title: 'Monitor flickers', requesterEmail: 'bob@acme.example', priority: 'low' },
      })
    ).json()) as Ticket;
    const key = (await synced(id)).jira?.issueKey ?? '';
    expect(requestsRaised()).toBe(raises + 1);
    expect(routeCount('POST /rest/api/3/issue')).toBe(creates);
    expect(await request(key)).toMatchObject({
      issueKey: key,
      requestTypeId: '10',
      serviceDeskId: '1',
      reporter: { emailAddress: 'bob@acme.example' },
    });
    const jiraIssue = await issue(key);
    expect(jiraIssue.fields.priority.id).toBe('4');
    expect(jiraIssue.properties?.['platform.ticket']).toEqual({
      ticketId: id,
      teamId: world.backend.team.id,
    });
  });

  it('a request raised just before the worker died is claimed by the retry, never raised twice', async () => {
    const raises = requestsRaised();
    const worker = dieAfterRaisingRequests();
    try {
      const { id, raised } = await ticketRaisedBeforeCrash(worker, 'Raised before a crash');
      expect(raised.properties.has('platform.ticket')).toBe(false);
      worker.revive();
      await pushTicket(world.backend.services, id);
      const linked = await synced(id);
      expect(linked.jira?.issueKey).toBe(raised.key);
      expect(requestsRaised()).toBe(raises + 1);
      expect(raised.properties.get('platform.ticket')).toEqual({
        ticketId: id,
        teamId: world.backend.team.id,
      });
      expect(raised.requestTypeId).toBe('10');
      expect(await ticketsByTitle('Raised before a crash')).toHaveLength(1);
    } finally {
      worker.restore();
    }
  });

  it('a title edited between the crash and the retry matches nothing for sure: left to the admin, not raised twice', async () => {
    const raises = requestsRaised();
    const worker = dieAfterRaisingRequests();
    try {
      const { id, raised } = await ticketRaisedBeforeCrash(worker, 'Typo in the titel');
      await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { title: 'Typo in the title' } });
      worker.revive();
      await pushTicket(world.backend.services, id);
      await expect
        .poll(
          async () =>
            (await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string; lastError: string },
        )
        .toMatchObject({
          state: 'error',
          lastError: `An interrupted create left ${raised.key} in Jira without a ticket id, and the sync cannot tell whether one of them is this ticket's, so it created nothing. Delete the ones the sync made in Jira and the sync creates the issue again.`,
        });
      expect(requestsRaised()).toBe(raises + 1);
      await jira('DELETE', `issue/${raised.key}`);
      await pushTicket(world.backend.services, id);
      const key = (await synced(id)).jira?.issueKey ?? '';
      expect((await issue(key)).fields.summary).toBe('Typo in the title');
      expect(requestsRaised()).toBe(raises + 2);
    } finally {
      worker.restore();
    }
  });

  it('two unmarked requests a retry cannot tell apart are left to the admin with a clear error, not guessed', async () => {
    const raises = requestsRaised();
    const worker = dieAfterRaisingRequests();
    try {
      const twins: string[] = [];
      for (let n = 0; n < 2; n += 1) {
        const created = await api('/v1/tickets', { method: 'POST', json: { title: 'Twin request' } });
        twins.push(((await created.json()) as Ticket).id);
      }
      await expect.poll(worker.deaths).toBe(2);
      expect(requestsRaised()).toBe(raises + 2);
      const keys = [...world.sandbox.state.issues.values()]
        .filter((candidate) => candidate.summary === 'Twin request')
        .sort((a, b) => a.created - b.created || Number(a.id) - Number(b.id))
        .map((candidate) => candidate.key);
      expect(keys).toHaveLength(2);
      worker.revive();
      for (const id of twins) {
        await pushTicket(world.backend.services, id);
        await expect
          .poll(
            async () =>
              (await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string; lastError: string },
          )
          .toMatchObject({
            state: 'error',
            lastError: `An interrupted create left ${keys.join(', ')} in Jira without a ticket id, and the sync cannot tell whether one of them is this ticket's, so it created nothing. Delete the ones the sync made in Jira and the sync creates the issue again.`,
          });
      }
      expect(requestsRaised()).toBe(raises + 2);
      // The admin deletes both: each ticket then gets its own new request.
      for (const key of keys) await jira('DELETE', `issue/${key}`);
      for (const id of twins) await pushTicket(world.backend.services, id);
      const linked = await Promise.all(twins.map((id) => synced(id)));
      expect(new Set(linked.map((ticket) => ticket.jira?.issueKey)).size).toBe(2);
      expect(requestsRaised()).toBe(raises + 4);
      for (const ticket of linked) {
        expect((await issue(ticket.jira?.issueKey ?? '')).properties?.['platform.ticket']).toMatchObject({
          ticketId: ticket.id,
        });
      }
    } finally {
      worker.restore();
    }
  });

  it('a request type removed from the site puts a clear error on the ticket, not a crash', async () => {
    const project = [...world.sandbox.state.projects.values()].find((candidate) => candidate.key === 'SUP')!;
    const desk = project.serviceDesk!;
    const original = [...desk.requestTypes];
    desk.requestTypes = desk.requestTypes.filter((type) => type.id !== '10');
    const raises = requestsRaised();
    let id = '';
    try {
      ({ id } = (await (
        await api('/v1/tickets', { method: 'POST', json: { title: 'Request type gone' } })
      ).json()) as Ticket);
      await expect
        .poll(
          async () =>
            (await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string; lastError: string },
        )
        .toMatchObject({
          state: 'error',
          lastError:
            "Request type '10' no longer exists in project 'SUP', so no request was created. Choose another request type in the sync settings.",
        });
      expect(requestsRaised()).toBe(raises + 1);
      expect(
        [...world.sandbox.state.issues.values()].some(
          (candidate) => candidate.summary === 'Request type gone',
        ),
      ).toBe(false);
      expect((await api('/healthz')).status).toBe(200);
    } finally {
      desk.requestTypes = original;
    }
    // Once the site has it again, the ticket goes out.
    await pushTicket(world.backend.services, id);
    const key = (await synced(id)).jira?.issueKey ?? '';
    expect(await request(key)).toMatchObject({ requestTypeId: '10' });
  });

  it('one platform edit is exactly one Jira edit, and nothing comes back (no echo)', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Echo check' } })
    ).json()) as Ticket;
    const before = await synced(id);
    const edits = routeCount('PUT /rest/api/3/issue/{issueIdOrKey}');
    const patched = await api(`/v1/tickets/${id}`, {
      method: 'PATCH',
      json: { title: 'Echo check, edited' },
    });
    expect(patched.status).toBe(200);
    await synced(id);
    expect(routeCount('PUT /rest/api/3/issue/{issueIdOrKey}')).toBe(edits + 1);
    expect((await issue(before.jira?.issueKey ?? '')).fields.summary).toBe('Echo check, edited');
    const [row] = await world.backend.services.db.select().from(tickets).where(eq(tickets.id, id));
    // The worker marks its outbox rows processed just before it lets go of the ticket: wait for that, or the
    // event below finds the ticket busy and is queued for later instead of applied.
    await expect
      .poll(
        async () =>
          (
            await world.backend.services.db
              .select({ lease: tickets.syncLeaseUntil })
              .from(tickets)
              .where(eq(tickets.id, id))
          )[0].lease,
      )
      .toBeNull();
    // Forge drops the service account's own events (ignoreSelf); even one that came through as another
    // actor's compares equal to the link's shadow and changes nothing.
    const outcomes = await applyJiraEvent(world.backend.services, {
      cloudId,
      issueId: before.jira?.issueId ?? '',
      eventType: 'avi:jira:updated:issue',
      payload: { selfGenerated: false },
    });
    expect(outcomes).toEqual(['unchanged']);
    expect(
      await applyJiraEvent(world.backend.services, {
        cloudId,
        issueId: before.jira?.issueId ?? '',
        eventType: 'avi:jira:updated:issue',
        payload: { selfGenerated: true },
      }),
    ).toEqual([]);
    const [again] = await world.backend.services.db.select().from(tickets).where(eq(tickets.id, id));
    expect(again.updatedAt.getTime()).toBe(row.updatedAt.getTime());
    expect(await pendingOutbox(id)).toBe(0);
    expect(routeCount('PUT /rest/api/3/issue/{issueIdOrKey}')).toBe(edits + 1);
  });

  it('a Jira edit changes the ticket once and writes nothing back to Jira; status and priority map back', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Edited in Jira' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    const key = linked.jira?.issueKey ?? '';
    const edits = routeCount('PUT /rest/api/3/issue/{issueIdOrKey}');
    const transitions = routeCount('POST /rest/api/3/issue/{issueIdOrKey}/transitions');
    await jira('PUT', `issue/${key}`, {
      fields: {
        summary: 'Edited in Jira, renamed',
        priority: { id: '5' },
        assignee: { accountId: world.seeded.bob.accountId },
        description: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'From Jira' }] }],
        },
      },
    });
    await jira('POST', `issue/${key}/transitions`, { transition: { id: '41' } });
    await expect
      .poll(async () => {
        const current = await ticket(id);
        return [current.title, current.priority, current.assigneeEmail, current.description, current.status];
      })
      .toEqual(['Edited in Jira, renamed', 'low', 'bob@acme.example', 'From Jira', 'waiting']);
    // Two writes by a person in Jira; none by the sync.
    expect(routeCount('PUT /rest/api/3/issue/{issueIdOrKey}')).toBe(edits + 1);
    expect(routeCount('POST /rest/api/3/issue/{issueIdOrKey}/transitions')).toBe(transitions + 1);
    expect(await pendingOutbox(id)).toBe(0);
  });

  it('status moves through several transitions where the workflow needs them', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Multi-step', status: 'resolved' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    expect((await issue(linked.jira?.issueKey ?? '')).fields.status.id).toBe('10001');
    // Done → Waiting for customer has no direct transition in SUP's workflow.
    await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { status: 'waiting' } });
    await synced(id);
    expect((await issue(linked.jira?.issueKey ?? '')).fields.status.id).toBe('10002');
    expect((await ticket(id)).jira?.state).toBe('synced');
  });

  it('a status path past a dead end: the walk steps back and takes another branch', async () => {
    const state = world.sandbox.state;
    state.statuses.set('10011', { id: '10011', name: 'Parked', category: 'indeterminate' } as never);
    const project = [...state.projects.values()].find((candidate) => candidate.key === 'SUP')!;
    const original = structuredClone(project.workflow);
    // From To Do the first transition offered parks the issue, and a parked issue can only go back to To Do;
    // Waiting for customer is reached through In Progress.
    project.workflow.statuses = [...original.statuses, '10011'];
    project.workflow.transitions = [
      { id: '61', name: 'Park', to: '10011', from: ['10000'] },
      { id: '62', name: 'Unpark', to: '10000', from: ['10011'] },
      { id: '21', name: 'In Progress', to: '3', from: ['10000'] },
      { id: '41', name: 'Waiting for customer', to: '10002', from: ['3'] },
    ];
    try {
      const { id } = (await (
        await api('/v1/tickets', { method: 'POST', json: { title: 'Dead end' } })
      ).json()) as Ticket;
      const linked = await synced(id);
      await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { status: 'waiting' } });
      await synced(id);
      expect((await issue(linked.jira?.issueKey ?? '')).fields.status.id).toBe('10002');
      expect(((await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string }).state).toBe(
        'synced',
      );
    } finally {
      project.workflow = original;
    }
  });

  it('a status walk refused midway says where it stopped and why; the next attempt goes on from there', async () => {
    const state = world.sandbox.state;
    const project = [...state.projects.values()].find((candidate) => candidate.key === 'SUP')!;
    const original = structuredClone(project.workflow);
    // Waiting for customer is two transitions away: To Do → In Progress → Waiting for customer.
    project.workflow.transitions = [
      { id: '21', name: 'In Progress', to: '3', from: ['10000'] },
      { id: '41', name: 'Waiting for customer', to: '10002', from: ['3'] },
    ];
    const runtime = syncRuntime(world.backend.services);
    try {
      const { id } = (await (
        await api('/v1/tickets', { method: 'POST', json: { title: 'Walk refused midway' } })
      ).json()) as Ticket;
      const linked = await synced(id);
      const key = linked.jira?.issueKey ?? '';
      // Jira refuses the second transition (a validator), once.
      let transitions = 0;
      runtime.afterCall = (method, path, status) => {
        if (method === 'POST' && path.endsWith('/transitions') && status === 204 && ++transitions === 1)
          world.sandbox.setFault({
            match: { method: 'POST', pathIncludes: '/transitions' },
            kind: 'status',
            status: 400,
            times: 1,
          });
      };
      await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { status: 'waiting' } });
      const link = async () =>
        (
          await world.backend.services.db.select().from(issueSyncLinks).where(eq(issueSyncLinks.ticketId, id))
        )[0];
      await expect.poll(async () => (await link()).state).toBe('error');
      const stopped = await link();
      expect(stopped.lastError).toMatch(
        new RegExp(
          `^Moving ${key} to Jira status 'Waiting for customer' stopped at 'In Progress' after 1 of its transitions: Jira refused the change \\(400\\)`,
        ),
      );
      expect(stopped.lastError).toContain("The next attempt goes on from 'In Progress'.");
      // The status reached is the sync's own write: a Jira read now changes nothing on the ticket.
      expect((stopped.shadow as { status?: string }).status).toBe('3');
      expect((await issue(key)).fields.status.id).toBe('3');
      runtime.afterCall = undefined;
      await pushTicket(world.backend.services, id);
      expect((await issue(key)).fields.status.id).toBe('10002');
      expect(await link()).toMatchObject({ state: 'synced', lastError: null });
      expect((await ticket(id)).status).toBe('waiting');
    } finally {
      runtime.afterCall = undefined;
      world.sandbox.setFault(null);
      project.workflow = original;
    }
  });

  it('comments go both ways and keep their visibility', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Comments' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    const key = linked.jira?.issueKey ?? '';
    await api(`/v1/tickets/${id}/comments`, { method: 'POST', json: { body: 'Public **note**' } });
    await api(`/v1/tickets/${id}/comments`, {
      method: 'POST',
      json: { body: 'Agents only', visibility: 'internal' },
    });
    await synced(id);
    const comments = (await issue(key)).fields.comment.comments;
    expect(comments.map((comment) => [adfText(comment.body).includes('note'), comment.jsdPublic])).toEqual([
      [true, true],
      [false, false],
    ]);
    await callSandbox(world.sandbox, 'POST', `/ex/jira/${cloudId}/rest/api/3/issue/${key}/comment`, {
      token: aliceToken,
      body: {
        body: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Internal from Jira' }] }],
        },
        properties: [{ key: 'sd.public.comment', value: { internal: true } }],
      },
    });
    await expect
      .poll(async () =>
        (await ticket(id)).comments?.map((comment) => [comment.source, comment.visibility, comment.body]),
      )
      .toEqual([
        ['platform', 'public', 'Public **note**'],
        ['platform', 'internal', 'Agents only'],
        ['jira', 'internal', 'Internal from Jira'],
      ]);
    // The sync's own comments never came back as Jira comments.
    expect((await issue(key)).fields.comment.comments).toHaveLength(3);
    // Another app's comment (Jira Automation's) is not the sync's own: it comes in like a person's.
    const alice = world.sandbox.state.users.get(world.seeded.alice.accountId)!;
    const automation = { ...alice, accountId: 'automation-for-jira', displayName: 'Automation for Jira' };
    world.sandbox.state.users.set(automation.accountId, { ...automation, email: null, accountType: 'app' });
    const byRule = await callSandbox(
      world.sandbox,
      'POST',
      `/ex/jira/${cloudId}/rest/api/3/issue/${key}/comment`,
      {
        token: userToken(world.sandbox, automation.accountId),
        body: {
          body: {
            type: 'doc',
            version: 1,
            content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Rule ran' }] }],
          },
        },
      },
    );
    expect(byRule.status).toBe(201);
    await expect
      .poll(async () => (await ticket(id)).comments?.map((comment) => [comment.source, comment.body]).at(-1))
      .toEqual(['jira', 'Rule ran']);
  });

  it('a requester who is not in the site directory: created without them, with an internal note carrying the email', async () => {
    const { id } = (await (
      await api('/v1/tickets', {
        method: 'POST',
        json: {
          title: 'Stranger',
          requesterEmail: 'dana@elsewhere.example',
          assigneeEmail: 'erin@elsewhere.example',
        },
      })
    ).json()) as Ticket;
    const linked = await synced(id);
    const jiraIssue = await issue(linked.jira?.issueKey ?? '');
    expect(jiraIssue.fields.assignee).toBeNull();
    expect(jiraIssue.fields.reporter?.accountType).toBe('app');
    const notes = jiraIssue.fields.comment.comments;
    expect(notes).toHaveLength(1);
    expect(notes[0].jsdPublic).toBe(false);
    expect(plainText(notes[0].body)).toBe(syncErrorMessages.unknownRequester('dana@elsewhere.example'));
    expect((await ticket(id)).requesterEmail).toBe('dana@elsewhere.example');
    // A person edits the issue in Jira: the ticket takes the edit and keeps both people (Jira never had them).
    await jira('PUT', `issue/${linked.jira?.issueKey}`, { fields: { summary: 'Stranger, renamed' } });
    await expect.poll(async () => (await ticket(id)).title).toBe('Stranger, renamed');
    expect(await ticket(id)).toMatchObject({
      requesterEmail: 'dana@elsewhere.example',
      assigneeEmail: 'erin@elsewhere.example',
    });
    // A later platform edit writes only what changed: no second note, no repeated unassign.
    const edits = routeCount('PUT /rest/api/3/issue/{issueIdOrKey}');
    await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { priority: 'high' } });
    await synced(id);
    expect(routeCount('PUT /rest/api/3/issue/{issueIdOrKey}')).toBe(edits + 1);
    expect((await issue(linked.jira?.issueKey ?? '')).fields.comment.comments).toHaveLength(1);
  });

  it('an issue created in Jira becomes one ticket; duplicate and reordered events change nothing more', async () => {
    const created = await jira<{ id: string; key: string }>('POST', 'issue', {
      fields: {
        project: { key: 'SUP' },
        issuetype: { id: '10003' },
        summary: 'Made in Jira',
        priority: { id: '4' },
      },
    });
    await expect.poll(async () => (await ticketsByTitle('Made in Jira')).length).toBe(1);
    const [made] = await ticketsByTitle('Made in Jira');
    expect(made).toMatchObject({ priority: 'low', status: 'open' });
    await jira('PUT', `issue/${created.key}`, { fields: { summary: 'Made in Jira v2' } });
    await jira('PUT', `issue/${created.key}`, { fields: { summary: 'Made in Jira v3' } });
    await expect.poll(async () => (await ticket(made.id)).title).toBe('Made in Jira v3');
    // Every stored event of the issue again, newest first: duplicates, late and out of order.
    const { forgeEvents } = await import('@jira-integration/backend/db/schema');
    const storedEvents = () =>
      world.backend.services.db.select().from(forgeEvents).where(eq(forgeEvents.issueId, created.id));
    // The first update's read may already see v3, before the second update's event is delivered.
    await expect.poll(async () => (await storedEvents()).length).toBeGreaterThanOrEqual(3);
    const events = await storedEvents();
    for (const event of [...events].reverse()) await processForgeEvent(world.backend.services, event.id);
    for (const event of events) await processForgeEvent(world.backend.services, event.id);
    expect((await ticket(made.id)).title).toBe('Made in Jira v3');
    expect(await ticketsByTitle('Made in Jira v3')).toHaveLength(1);
    const links = await world.backend.services.db
      .select()
      .from(issueSyncLinks)
      .where(eq(issueSyncLinks.issueId, created.id));
    expect(links).toHaveLength(1);
  });

  it('a storm of 429s backs off with Retry-After and the change still lands, once', async () => {
    const waits: number[] = [];
    syncRuntime(world.backend.services).sleep = async (ms) => {
      waits.push(ms);
    };
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Storm' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    const creates = routeCount('POST /rest/api/3/issue');
    world.sandbox.setFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 6,
      match: { pathIncludes: '/rest/api/3/issue' },
    });
    await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { title: 'Storm, calmed' } });
    await expect
      .poll(async () => (await issue(linked.jira?.issueKey ?? '')).fields.summary, {
        interval: 100,
      })
      .toBe('Storm, calmed');
    // Waited as Jira asked (inline, then from the queue once the storm outlasted the inline budget).
    expect(waits).toContain(1_000);
    expect(routeCount('POST /rest/api/3/issue')).toBe(creates);
    await synced(id);
    world.sandbox.setFault(null);
    syncRuntime(world.backend.services).sleep = async () => {};
  });

  it('a status mapping the workflow no longer matches puts a clear error on the link, not a crash', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Workflow changed' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    const key = linked.jira?.issueKey ?? '';
    // The admin replaces "Waiting for customer" with a new "Awaiting reply" status in SUP's workflow.
    const state = world.sandbox.state;
    state.statuses.set('10009', { id: '10009', name: 'Awaiting reply', category: 'indeterminate' } as never);
    const project = [...state.projects.values()].find((candidate) => candidate.key === 'SUP')!;
    const original = structuredClone(project.workflow);
    project.workflow.statuses = project.workflow.statuses.map((status) =>
      status === '10002' ? '10009' : status,
    );
    project.workflow.transitions = project.workflow.transitions.map((transition) =>
      transition.to === '10002'
        ? { ...transition, id: '51', name: 'Awaiting reply', to: '10009' }
        : transition,
    );
    try {
      await jira('POST', `issue/${key}/transitions`, { transition: { id: '51' } });
      await expect
        .poll(
          async () =>
            (await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string; lastError: string },
        )
        .toMatchObject({
          state: 'error',
          lastError: syncErrorMessages.unmappedJiraValue('status', 'Awaiting reply'),
        });
      expect((await ticket(id)).status).toBe('open');
      // The other direction: the platform asks for a status no transition reaches.
      await api(`/v1/tickets/${id}`, { method: 'PATCH', json: { status: 'waiting' } });
      await expect
        .poll(
          async () =>
            ((await (await api(`/v1/tickets/${id}/sync`)).json()) as { lastError: string }).lastError,
        )
        .toBe(syncErrorMessages.noTransitionPath('10002', key));
      expect((await api('/healthz')).status).toBe(200);
    } finally {
      project.workflow = original;
    }
  });

  it('Retry in the issue panel re-reads the issue for real, and only while sync can run', async () => {
    const { id } = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Retried' } })
    ).json()) as Ticket;
    const linked = await synced(id);
    const key = linked.jira?.issueKey ?? '';
    const issueId = linked.jira?.issueId ?? '';
    const retry = () =>
      world.sandbox.forge.invokeUi({
        cloudId,
        moduleKey: 'sync-status-panel',
        path: FORGE_UI_PATHS.retryIssueSync,
        method: 'POST',
        accountId: world.seeded.alice.accountId,
        issue: { id: issueId, key },
      });
    const linkState = async () =>
      (await (await api(`/v1/tickets/${id}/sync`)).json()) as { state: string; lastError: string | null };
    // A change no event announced (a delivery Forge lost): Retry reads it.
    const stored = world.sandbox.state.issues.get(issueId) as { summary: string };
    stored.summary = 'Retried, changed while events were lost';
    expect((await retry()).status).toBe(200);
    await expect.poll(async () => (await ticket(id)).title).toBe('Retried, changed while events were lost');
    await expect.poll(linkState).toMatchObject({ state: 'synced', lastError: null });
    // Ticket Syncing turned off: Retry changes nothing and the link says why.
    await api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: false } });
    try {
      stored.summary = 'Retried while sync was off';
      expect((await retry()).status).toBe(200);
      const off = syncReadinessMessages.notReady(syncReadinessMessages.checkEnabled);
      await expect.poll(linkState).toMatchObject({ state: 'error', lastError: off });
      expect((await ticket(id)).title).toBe('Retried, changed while events were lost');
    } finally {
      await api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: true } });
      // Turning it on again backfills the project, which brings the change in.
      await expect.poll(async () => (await ticket(id)).title).toBe('Retried while sync was off');
    }
  });

  it('Retry on an issue whose event was lost long ago brings it in', async () => {
    const created = await jira<{ id: string; key: string }>('POST', 'issue', {
      fields: {
        project: { key: 'SUP' },
        issuetype: { id: '10003' },
        summary: 'Lost event',
        priority: { id: '3' },
      },
    });
    await expect.poll(async () => (await ticketsByTitle('Lost event')).length).toBe(1);
    // As if the event never arrived and nothing of it is stored any more (processed events are pruned).
    const { db } = world.backend.services;
    const { forgeEvents } = await import('@jira-integration/backend/db/schema');
    const [lost] = await ticketsByTitle('Lost event');
    await db.delete(issueSyncLinks).where(eq(issueSyncLinks.issueId, created.id));
    await db.delete(tickets).where(eq(tickets.id, lost.id));
    await db.delete(forgeEvents).where(eq(forgeEvents.issueId, created.id));
    const answer = await world.sandbox.forge.invokeUi({
      cloudId,
      moduleKey: 'sync-status-panel',
      path: FORGE_UI_PATHS.retryIssueSync,
      method: 'POST',
      accountId: world.seeded.alice.accountId,
      issue: { id: created.id, key: created.key },
    });
    expect(answer).toEqual({ status: 200, body: { state: 'not_linked', issueKey: created.key } });
    await expect.poll(async () => (await ticketsByTitle('Lost event')).length).toBe(1);
  });

  it("another team's ticket is a 404 everywhere", async () => {
    const { createApiKey, createTeam } = await import('@jira-integration/backend/auth/keys');
    const other = await createTeam(world.backend.services.db, 'Other team');
    const { key } = await createApiKey(world.backend.services.db, other.id);
    const [mine] = await ticketsByTitle('Comments');
    for (const [method, path, json] of [
      ['GET', `/v1/tickets/${mine.id}`, undefined],
      ['PATCH', `/v1/tickets/${mine.id}`, { title: 'x' }],
      ['POST', `/v1/tickets/${mine.id}/comments`, { body: 'x' }],
      ['GET', `/v1/tickets/${mine.id}/sync`, undefined],
      ['GET', `/v1/jira/connections/${connectionId}/sync-config`, undefined],
    ] as const) {
      const response = await fetchAsTeam(world.backend.url, key, path, { method, json });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  });
});
