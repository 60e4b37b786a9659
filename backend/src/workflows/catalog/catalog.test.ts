import { DEFAULT_SEED, userToken } from '@jira-integration/sandbox/test-support/seed';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../../test-support/connections';
import { testDatabaseKinds } from '../../../test-support/database';
import { startWorkflowWorld, type WorkflowWorld } from '../../../test-support/workflows';
import { createApiKey } from '../../auth/keys';
import { createConsoleSession, SESSION_COOKIE } from '../../auth/sessions';
import { executeRun } from '../service';
import {
  type CatalogIngestion,
  INGESTION_LEASE_MS,
  MAX_INGESTION_ATTEMPTS,
  recoverStrandedIngestions,
  runIngestion,
} from './service';

interface Workflow {
  id: string;
  key: string;
  name: string;
  enabled: boolean;
  approval: string;
  retiredAt: string | null;
  inputSchema: { required: string[]; properties: Record<string, Record<string, unknown>> };
}

describe.each(testDatabaseKinds())('JSM catalog ingestion on %s', (kind) => {
  let world: WorkflowWorld;

  beforeAll(async () => {
    world = await startWorkflowWorld(kind);
    await world.resetSandbox();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function ingest(
    as: { key: string; connectionId: string } = {
      key: world.ctx.team.key,
      connectionId: world.connection.id,
    },
  ) {
    const started = await world.ctx.request(`/v1/jira/connections/${as.connectionId}/catalog/ingest`, {
      method: 'POST',
      key: as.key,
    });
    expect(started.status).toBe(202);
    const ingestion = (await started.json()) as { id: string; state: string };
    expect(ingestion.state).toBe('queued');
    await runIngestion(world.ctx.services, ingestion.id);
    const progress = await world.ctx.request(`/v1/catalog-ingestions/${ingestion.id}`, { key: as.key });
    return (await progress.json()) as Record<string, unknown>;
  }

  async function catalog(includeRetired = false, key = world.ctx.team.key) {
    const answer = await world.ctx.request(
      `/v1/workflows?kind=jsm_request_type${includeRetired ? '&includeRetired=true' : ''}`,
      { key },
    );
    return ((await answer.json()) as { workflows: Workflow[] }).workflows;
  }

  const byName = async (name: string) => (await catalog(true)).find((workflow) => workflow.name === name)!;

  async function startRun(workflowId: string, input: Record<string, unknown>) {
    return world.ctx.request(`/v1/workflows/${workflowId}/runs`, {
      method: 'POST',
      json: { connectionId: world.connection.id, input },
    });
  }

  async function approveAndRun(runId: string) {
    const approved = await world.ctx.request(`/v1/workflow-runs/${runId}/approve`, {
      method: 'POST',
      key: world.installer.key,
    });
    expect(approved.status).toBe(200);
    await executeRun(world.ctx.services, runId);
    return (await (await world.ctx.request(`/v1/workflow-runs/${runId}`)).json()) as {
      state: string;
      requestKey: string | null;
      output: Record<string, unknown>;
      error: unknown;
    };
  }

  it('turns every request type into a paused workflow whose input schema is its fields, with progress', async () => {
    // A team of its own, so this is the connection's first ingestion whatever ran before.
    const team = await world.ctx.createTeam('First ingestion');
    const connection = await insertTestConnection(world.ctx.services, {
      teamId: team.id,
      cloudId: DEFAULT_SEED.acme,
      accessToken: userToken(world.sandbox, DEFAULT_SEED.alice),
      accountId: DEFAULT_SEED.alice,
    });
    const progress = await ingest({ key: team.key, connectionId: connection.id });
    expect(progress).toMatchObject({
      state: 'succeeded',
      serviceDesks: { done: 1, total: 1 },
      requestTypes: { done: 3, total: 3 },
      created: 3,
      updated: 0,
      retired: 0,
      error: null,
    });
    const workflows = await catalog(false, team.key);
    expect(workflows.map((workflow) => workflow.name).sort()).toEqual([
      'Get IT help',
      'Report a system problem',
      'Request new hardware',
    ]);
    for (const workflow of workflows) {
      expect(workflow).toMatchObject({ enabled: false, approval: 'installer-approval' });
    }
    const hardware = workflows.find((workflow) => workflow.name === 'Request new hardware')!;
    expect(hardware.inputSchema.required).toEqual(['summary', 'customfield_10050']);
    expect(hardware.inputSchema.properties.customfield_10050).toMatchObject({
      title: expect.any(String),
      oneOf: [
        { const: '10100', title: 'MacBook Pro 14' },
        { const: '10101', title: 'MacBook Air 13' },
        { const: '10102', title: 'ThinkPad X1 Carbon' },
      ],
    });
    expect(hardware.inputSchema.properties.duedate).toMatchObject({ type: 'string', format: 'date' });
    expect(hardware.inputSchema.properties.requesterEmail).toMatchObject({ format: 'email' });

    const paused = await world.ctx.request(`/v1/workflows/${hardware.id}/runs`, {
      method: 'POST',
      key: team.key,
      json: { connectionId: connection.id, input: { summary: 'Laptop', customfield_10050: '10101' } },
    });
    expect(paused.status).toBe(409);
    expect(await paused.json()).toMatchObject({
      error: { code: 'workflow_paused', message: workflowMessages.workflowPaused('Request new hardware') },
    });
  });

  it('once enabled, a run raises the customer request on behalf of a requester Jira knows', async () => {
    await ingest();
    const hardware = await byName('Request new hardware');
    await world.ctx.request(`/v1/workflows/${hardware.id}`, { method: 'PATCH', json: { enabled: true } });

    const invalid = await startRun(hardware.id, { summary: 'Laptop', customfield_10050: 'gold-plated' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toMatch(
      /^The input is not valid: customfield_10050 /,
    );
    const missing = await startRun(hardware.id, { summary: 'Laptop' });
    expect(await missing.json()).toMatchObject({
      error: { code: 'invalid_input', message: 'The input is not valid: customfield_10050 is required' },
    });

    const started = await startRun(hardware.id, {
      summary: 'Laptop for Bob',
      customfield_10050: '10101',
      requesterEmail: 'bob@acme.example',
    });
    expect(started.status).toBe(202);
    const run = await approveAndRun(((await started.json()) as { id: string }).id);
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(run.requestKey).toMatch(/^SUP-\d+$/);
    expect(run.output).toMatchObject({ raisedOnBehalfOf: { accountId: DEFAULT_SEED.bob } });
    const issue = [...world.sandbox.state.issues.values()].find(
      (candidate) => candidate.key === run.requestKey,
    )!;
    expect(issue).toMatchObject({
      summary: 'Laptop for Bob',
      reporterId: DEFAULT_SEED.bob,
      requestTypeId: '11',
    });
    expect(issue.customFields.customfield_10050).toMatchObject({ id: '10101' });
  });

  it("a requester unknown to Jira: raised as the connection's user, their email noted internally", async () => {
    await ingest();
    const help = await byName('Get IT help');
    await world.ctx.request(`/v1/workflows/${help.id}`, { method: 'PATCH', json: { enabled: true } });
    const started = await startRun(help.id, {
      summary: 'Printer jam',
      requesterEmail: 'visitor@example.org',
    });
    const run = await approveAndRun(((await started.json()) as { id: string }).id);
    expect(run.state).toBe('succeeded');
    const issue = [...world.sandbox.state.issues.values()].find(
      (candidate) => candidate.key === run.requestKey,
    )!;
    expect(issue.reporterId).toBe(DEFAULT_SEED.alice);
    const note = issue.commentIds.map((id) => world.sandbox.state.comments.get(id)!).at(-1)!;
    expect(JSON.stringify(note.body)).toContain('Requested by visitor@example.org (not a Jira user).');
    expect(note.jsdPublic).toBe(false);
  });

  it('re-ingesting updates changed request types, keeps enabled state, retires removed ones, never duplicates', async () => {
    await ingest();
    const help = await byName('Get IT help');
    await world.ctx.request(`/v1/workflows/${help.id}`, { method: 'PATCH', json: { enabled: true } });
    const hardware = await byName('Request new hardware');
    await world.ctx.request(`/v1/workflows/${hardware.id}`, { method: 'PATCH', json: { enabled: false } });
    const project = [...world.sandbox.state.projects.values()].find((candidate) => candidate.key === 'SUP')!;
    const desk = project.serviceDesk!;
    // A new object: the sandbox's seed must stay as it was for other suites.
    project.serviceDesk = {
      ...desk,
      requestTypes: desk.requestTypes
        .filter((type) => type.name !== 'Report a system problem')
        .map((type) => (type.name === 'Get IT help' ? { ...type, name: 'Get IT help fast' } : type)),
    };
    const progress = await ingest();
    expect(progress).toMatchObject({ state: 'succeeded', created: 0, updated: 1, retired: 1 });
    const all = await catalog(true);
    expect(all).toHaveLength(3);
    const renamed = all.find((workflow) => workflow.name === 'Get IT help fast')!;
    expect(renamed.enabled).toBe(true);
    expect((await byName('Request new hardware')).enabled).toBe(false);
    const retired = await byName('Report a system problem');
    expect(retired.retiredAt).not.toBeNull();
    expect((await catalog()).map((workflow) => workflow.name)).not.toContain('Report a system problem');
    const refused = await startRun(retired.id, { summary: 'Down' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      error: {
        code: 'workflow_retired',
        message: workflowMessages.workflowRetired('Report a system problem'),
      },
    });
    project.serviceDesk = desk;
    const back = await ingest();
    expect(back).toMatchObject({ created: 0, updated: 2, retired: 0 });
    expect(await catalog(true)).toHaveLength(3);
    expect((await byName('Report a system problem')).retiredAt).toBeNull();
  });

  it('a Jira failure ends the ingestion failed, with the reason', async () => {
    world.sandbox.setFault({ kind: 'status', status: 500, match: { pathIncludes: '/servicedesk' } });
    const progress = await ingest();
    world.sandbox.setFault(null);
    expect(progress.state).toBe('failed');
    expect(progress.error).toMatch(/^Jira answered 500/);
  });

  it("another team cannot ingest this connection's catalog or read its progress", async () => {
    const other = await world.ctx.createTeam('Other team');
    const answer = await world.ctx.request(`/v1/jira/connections/${world.connection.id}/catalog/ingest`, {
      method: 'POST',
      key: other.key,
    });
    expect(answer.status).toBe(404);
    const mine = await world.ctx.request(`/v1/jira/connections/${world.connection.id}/catalog/ingest`, {
      method: 'POST',
    });
    const { id } = (await mine.json()) as { id: string };
    const read = await world.ctx.request(`/v1/catalog-ingestions/${id}`, { key: other.key });
    expect(read.status).toBe(404);
    expect(await read.json()).toMatchObject({
      error: { code: 'ingestion_not_found', message: 'No catalog ingestion with that id.' },
    });
    await runIngestion(world.ctx.services, id);
  });

  /**
   * A worker that stops at its `stopAt`-th request type, as a crash would leave it: it never writes again until
   * `resume()` lets it go on (a process that was only paused, e.g. by a long GC or a frozen VM).
   */
  function stoppingWorker(ingestionId: string, stopAt: number) {
    let reached!: () => void;
    let resume!: () => void;
    const stopped = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const finished = runIngestion(world.ctx.services, ingestionId, {
      afterProgress: async (row: CatalogIngestion) => {
        if (row.requestTypesDone === stopAt) {
          reached();
          await released;
        }
      },
    });
    return { stopped, resume, finished };
  }

  /** A team and connection of their own, so the counts start from nothing whatever ran before. */
  async function freshConnection(name: string) {
    const team = await world.ctx.createTeam(name);
    const connection = await insertTestConnection(world.ctx.services, {
      teamId: team.id,
      cloudId: DEFAULT_SEED.acme,
      accessToken: userToken(world.sandbox, DEFAULT_SEED.alice),
      accountId: DEFAULT_SEED.alice,
    });
    const api = (path: string, init: RequestInit = {}) => world.ctx.request(path, { ...init, key: team.key });
    return {
      team,
      connection,
      async start() {
        const started = await api(`/v1/jira/connections/${connection.id}/catalog/ingest`, { method: 'POST' });
        return (await started.json()) as { id: string; state: string; attempts: number };
      },
      progressOf: async (id: string) =>
        (await (await api(`/v1/catalog-ingestions/${id}`)).json()) as Record<string, unknown>,
      catalog: () => catalog(true, team.key),
    };
  }

  it('a worker lost mid-ingestion: the sweep resumes it on another, which finishes it with no duplicates', async () => {
    const fresh = await freshConnection('Lost worker');
    const { progressOf } = fresh;
    const { id } = await fresh.start();
    const lost = stoppingWorker(id, 1);
    await lost.stopped;
    expect(await progressOf(id)).toMatchObject({
      state: 'running',
      attempts: 1,
      requestTypes: { done: 1, total: 3 },
      created: 1,
    });

    // While its lease holds, the worker counts as alive: nothing is resumed, a second click shows it.
    expect(await recoverStrandedIngestions(world.ctx.services)).not.toContain(id);
    expect(await runIngestion(world.ctx.services, id)).toBeUndefined();
    expect(await fresh.start()).toMatchObject({ id, state: 'running', attempts: 1 });

    world.clock.advance(INGESTION_LEASE_MS + 1);
    expect(await recoverStrandedIngestions(world.ctx.services)).toContain(id);
    const successor = stoppingWorker(id, 2);
    await successor.stopped;
    const consoleKey = await createApiKey(world.ctx.services.db, fresh.team.id, 'console');
    const token = await createConsoleSession(world.ctx.services.db, fresh.team.id, consoleKey.id, new Date());
    const console = await world.ctx.request('/console/workflows', {
      key: null,
      headers: { cookie: `${SESSION_COOKIE}=${token}` },
    });
    expect(await console.text()).toContain(
      `Catalog ingestion running (${workflowMessages.ingestionResumed}): service desks 1/1, request types 2/3`,
    );
    successor.resume();
    expect(await successor.finished).toMatchObject({ state: 'succeeded' });
    expect(await progressOf(id)).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      serviceDesks: { done: 1, total: 1 },
      requestTypes: { done: 3, total: 3 },
      created: 3,
      updated: 0,
      retired: 0,
      error: null,
    });

    // The lost worker comes back: its lease is gone, so it stops without writing anything.
    lost.resume();
    expect(await lost.finished).toBeUndefined();
    expect(await progressOf(id)).toMatchObject({ state: 'succeeded', attempts: 2, created: 3 });
    const workflows = await fresh.catalog();
    expect(workflows.map((workflow) => workflow.name).sort()).toEqual([
      'Get IT help',
      'Report a system problem',
      'Request new hardware',
    ]);
  });

  it(`an ingestion that loses ${MAX_INGESTION_ATTEMPTS} workers ends failed, saying so`, async () => {
    const fresh = await freshConnection('Three lost workers');
    const { progressOf } = fresh;
    const { id } = await fresh.start();
    const lost: Array<ReturnType<typeof stoppingWorker>> = [];
    for (let attempt = 1; attempt <= MAX_INGESTION_ATTEMPTS; attempt += 1) {
      const worker = stoppingWorker(id, 1);
      lost.push(worker);
      await worker.stopped;
      world.clock.advance(INGESTION_LEASE_MS + 1);
      expect(await recoverStrandedIngestions(world.ctx.services)).toContain(id);
    }
    const message = workflowMessages.ingestionAbandoned(MAX_INGESTION_ATTEMPTS);
    expect(message).toBe("The ingestion's worker was lost 3 times before it could finish; start it again.");
    expect(await progressOf(id)).toMatchObject({ state: 'failed', attempts: 3, error: message });
    expect(await runIngestion(world.ctx.services, id)).toBeUndefined();

    // What the lost workers made stays, once: a new ingestion finishes the catalog without duplicates.
    const again = await fresh.start();
    expect(again.id).not.toBe(id);
    await runIngestion(world.ctx.services, again.id);
    expect(await progressOf(again.id)).toMatchObject({ state: 'succeeded', created: 2, attempts: 1 });
    // The lost workers come back: none writes its ingestion again or makes a duplicate.
    for (const worker of lost) worker.resume();
    expect(await Promise.all(lost.map((worker) => worker.finished))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await progressOf(id)).toMatchObject({ state: 'failed', error: message });
    expect(await fresh.catalog()).toHaveLength(3);
  });

  it('a queued ingestion whose job was lost goes back on the queue', async () => {
    const fresh = await freshConnection('Lost job');
    const { progressOf } = fresh;
    const { id } = await fresh.start();
    expect(await recoverStrandedIngestions(world.ctx.services)).not.toContain(id);
    world.clock.advance(61_000);
    expect(await recoverStrandedIngestions(world.ctx.services)).toContain(id);
    await runIngestion(world.ctx.services, id);
    expect(await progressOf(id)).toMatchObject({ state: 'succeeded', attempts: 1, created: 3 });
  });
});
