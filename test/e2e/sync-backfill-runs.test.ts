/**
 * A long backfill works in bounded runs: each run merges a share of pages (or stops when its time budget is
 * spent), stores its progress and page token and queues the next run, so no run outlives the queue's expiry
 * (an expired job would run a second time beside the first, reading every page twice).
 */
import { syncConfigs, tickets } from '@jira-integration/backend/db/schema';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { runBackfill, SYNC_BACKFILL_JOB } from '@jira-integration/backend/sync/reconcile';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { callSandbox, userToken } from '@jira-integration/sandbox/test-support/seed';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSyncedSite } from '../support/sync';
import { startWorld, type World } from '../support/world';

/** With the seed's two SUP issues: three pages of 100, 100 and 52. */
const ADDED_ISSUES = 250;

describe.each(testDatabaseKinds())('a backfill in bounded runs (%s)', (kind) => {
  let world: World;
  let connectionId: string;
  const searches = () => world.sandbox.stats().byRoute['POST /rest/api/3/search/jql'] ?? 0;
  const progress = async () => {
    const [config] = await world.backend.services.db
      .select()
      .from(syncConfigs)
      .where(eq(syncConfigs.connectionId, connectionId));
    return {
      done: config.backfillDone,
      total: config.backfillTotal,
      finished: config.backfillFinishedAt !== null,
      hasCursor: config.backfillCursor !== null,
    };
  };
  /** The `startedAt` of each backfill job queued for the connection, oldest first (null: a first run). */
  const queuedRuns = async () => {
    const { rows } = await world.backend.services.database.executor.executeSql(
      `select data->>'startedAt' as "startedAt" from pgboss.job where name = $1 and data->>'connectionId' = $2 order by created_on`,
      [SYNC_BACKFILL_JOB, connectionId],
    );
    return (rows as Array<{ startedAt: string | null }>).map((row) => row.startedAt);
  };
  const ticketCount = async () => {
    const [row] = await world.backend.services.db
      .select({ count: sql<number>`count(*)::int` })
      .from(tickets)
      .where(eq(tickets.connectionId, connectionId));
    return row.count;
  };

  beforeAll(async () => {
    // No workers: the test runs each backfill run itself.
    world = await startWorld({ kind, env: { JOBS: 'off' } });
    syncRuntime(world.backend.services).sleep = async () => {};
    const cloudId = world.seeded.acme.cloudId;
    const token = userToken(world.sandbox, world.seeded.alice.accountId);
    for (let index = 0; index < ADDED_ISSUES; index += 1) {
      const answer = await callSandbox(world.sandbox, 'POST', `/ex/jira/${cloudId}/rest/api/3/issue`, {
        token,
        body: {
          fields: { project: { key: 'SUP' }, issuetype: { id: '10003' }, summary: `Backfill ${index}` },
        },
      });
      if (answer.status !== 201) throw new Error(`creating an issue answered ${answer.status}`);
    }
    ({ connectionId } = await connectSyncedSite(world));
  }, 60_000);
  afterAll(() => world?.close());

  it('each run stops at its share, keeps its place and queues the next; every page is read once', async () => {
    const [first] = await queuedRuns();
    expect(first).toBeNull();
    const before = searches();

    await runBackfill(world.backend.services, connectionId, undefined, { pages: 1, budgetMs: 60_000 });
    expect(await progress()).toEqual({ done: 100, total: 252, finished: false, hasCursor: true });
    const runs = await queuedRuns();
    expect(runs).toHaveLength(2);
    const startedAt = runs[1];
    expect(startedAt).toEqual(expect.any(String));
    // One call counted the project (ids only), one read the first page.
    expect(searches()).toBe(before + 2);

    // A spent time budget ends the run after the page it is on.
    await runBackfill(world.backend.services, connectionId, startedAt ?? '', { pages: 50, budgetMs: 0 });
    expect(await progress()).toEqual({ done: 200, total: 252, finished: false, hasCursor: true });
    expect(await queuedRuns()).toEqual([null, startedAt, startedAt]);

    // A run queued by an earlier backfill (restarted since) does nothing.
    await runBackfill(world.backend.services, connectionId, '2000-01-01T00:00:00.000Z');
    expect(await progress()).toMatchObject({ done: 200 });

    await runBackfill(world.backend.services, connectionId, startedAt ?? '');
    expect(await progress()).toEqual({ done: 252, total: 252, finished: true, hasCursor: false });
    expect(await queuedRuns()).toHaveLength(3);
    expect(searches()).toBe(before + 4);
    expect(await ticketCount()).toBe(252);
  }, 60_000);
});
