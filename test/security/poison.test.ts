/**
 * Poison from Jira: content any Jira user (or an Automation rule) can write, which PostgreSQL refuses or which
 * overflows a recursive converter: a NUL, lone surrogates, a 1 MB description, ADF nested thousands deep. It
 * once ended every backend process, again on each restart. Synced by backfill, by event and by reconciliation:
 * the backend keeps serving, the content arrives made storable, and other issues keep syncing.
 */

import { findConnection } from '@jira-integration/backend/connections/service';
import { issueSyncLinks, tickets } from '@jira-integration/backend/db/schema';
import { sandboxEnvironment } from '@jira-integration/backend/sandbox-wiring';
import { findSyncConfig } from '@jira-integration/backend/sync/config';
import { reconcile } from '@jira-integration/backend/sync/reconcile';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { callSandbox, userToken } from '@jira-integration/sandbox/test-support/seed';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam, startTestBackend, type TestBackend } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { MANAGED_CLIENT, startWorld, type World } from '../support/world';

const NUL = '\u0000';
const LONE = '\ud800';

/** ADF `levels` bullet lists deep, with a NUL in the innermost text. */
function deepAdf(levels: number) {
  let node: Record<string, unknown> = {
    type: 'paragraph',
    content: [{ type: 'text', text: `bottom${NUL}` }],
  };
  for (let level = 0; level < levels; level += 1)
    node = { type: 'bulletList', content: [{ type: 'listItem', content: [node] }] };
  return { type: 'doc', version: 1, content: [node] };
}

const paragraphs = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

describe.each(testDatabaseKinds())('poison content from Jira (%s)', (kind) => {
  let world: World;
  let cloudId: string;
  let connectionId: string;
  let token: string;
  /** On PostgreSQL a second process works the same queues, as in production (both once died). */
  let second: TestBackend | undefined;

  const jira = async <T = unknown>(method: string, path: string, body?: unknown) => {
    const answer = await callSandbox(world.sandbox, method, `/ex/jira/${cloudId}/rest/api/3/${path}`, {
      token,
      body,
    });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status}`);
    return answer.body as T;
  };
  const createIssue = (summary: string, description?: unknown) =>
    jira<{ id: string; key: string }>('POST', 'issue', {
      fields: {
        project: { key: 'SUP' },
        issuetype: { id: '10003' },
        summary,
        priority: { id: '3' },
        ...(description ? { description } : {}),
      },
    });
  const ticketsLike = (pattern: string) =>
    world.backend.services.db.select().from(tickets).where(like(tickets.title, pattern));
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);

  beforeAll(async () => {
    world = await startWorld({ kind });
    cloudId = world.seeded.acme.cloudId;
    token = userToken(world.sandbox, world.seeded.alice.accountId);
    ({ connectionId } = await connectSyncedSite(world, null));
    if (kind === 'postgres')
      second = await startTestBackend({
        shareDatabaseOf: world.backend,
        env: sandboxEnvironment(world.sandbox, MANAGED_CLIENT),
      });
  });
  afterAll(async () => {
    await second?.close();
    await world.close();
  });

  it('a backfill imports poisoned issues made storable, and the other issues with them', async () => {
    const poisoned = await createIssue(`Backfill poison ${NUL} and ${LONE}`, deepAdf(1000));
    await jira('POST', `issue/${poisoned.key}/comment`, { body: paragraphs(`comment ${NUL}${LONE} here`) });
    // A 1 MB description (an event carrying it is over /forge/events' cap; reads are not).
    await createIssue('Backfill huge', paragraphs(`${'x'.repeat(1024 * 1024)}${NUL}`));
    const saved = await api(`/v1/jira/connections/${connectionId}/sync-config`, {
      method: 'PUT',
      json: SUP_SYNC_CONFIG,
    });
    expect(saved.status).toBe(200);
    await expect
      .poll(
        async () =>
          (
            (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
              backfill: { state: string } | null;
            }
          ).backfill?.state,
      )
      .toBe('finished');
    const [ticket] = await ticketsLike('Backfill poison%');
    expect(ticket.title).toBe('Backfill poison \ufffd and \ufffd');
    // Too deep for the Markdown converter: its text, made storable.
    expect(ticket.description).toContain('bottom\ufffd');
    const detail = (await (await api(`/v1/tickets/${ticket.id}`)).json()) as {
      comments: Array<{ body: string }>;
    };
    expect(detail.comments.map((comment) => comment.body)).toEqual(['comment \ufffd\ufffd here']);
    const [huge] = await ticketsLike('Backfill huge');
    expect(huge.description.length).toBeGreaterThan(1024 * 1024);
    expect(huge.description).not.toContain(NUL);
    // The seeded issues came in beside them.
    expect((await ticketsLike('VPN drops%')).length).toBe(1);
  });

  it('an event about a poisoned issue becomes its ticket; the next issue still syncs and the process serves', async () => {
    await createIssue(`Event poison ${NUL}`, deepAdf(200));
    await expect.poll(async () => (await ticketsLike('Event poison%')).length).toBe(1);
    const [ticket] = await ticketsLike('Event poison%');
    expect(ticket.title).toBe('Event poison \ufffd');
    expect(ticket.description).toContain('bottom\ufffd');
    await createIssue('Healthy after poison');
    await expect.poll(async () => (await ticketsLike('Healthy after poison')).length).toBe(1);
    for (const backend of [world.backend, ...(second ? [second] : [])]) {
      expect((await fetch(`${backend.url}/healthz`)).status).toBe(200);
      expect(backend.logs.text()).not.toContain('unhandled');
    }
  });

  it('reconciliation reads a poisoned change without failing and records it', async () => {
    const target = await createIssue('Reconciled target');
    await expect.poll(async () => (await ticketsLike('Reconciled target')).length).toBe(1);
    // A change no event announced (as if the event was lost): only reconciliation can find it.
    const stored = world.sandbox.state.issues.get(target.id);
    if (!stored) throw new Error('the sandbox lost the issue');
    stored.summary = `Reconciled ${NUL}${LONE} target`;
    stored.updated = Date.now() + 60_000;
    const { services } = world.backend;
    const connection = await findConnection(services, world.backend.team.id, connectionId);
    const config = await findSyncConfig(services, connectionId);
    if (!config) throw new Error('no sync settings');
    await reconcile(services, connection, config);
    const [link] = await services.db
      .select()
      .from(issueSyncLinks)
      .where(eq(issueSyncLinks.issueId, target.id));
    const [ticket] = await services.db.select().from(tickets).where(eq(tickets.id, link.ticketId));
    expect(ticket.title).toBe('Reconciled \ufffd\ufffd target');
    expect(link.state).toBe('synced');
  });
});
