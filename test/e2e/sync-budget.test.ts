/**
 * The sync shares the site's Atlassian budget with the teams' proxy calls through the one fair-share admission:
 * once the budget runs low a backfill takes only its share, waits in the queue for the window's reset (no
 * spinning), and the team still gets its own share.
 */
import { observeAtlassianBudget } from '@jira-integration/backend/atlassian/fair-share';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { SYNC_BACKFILL_JOB } from '@jira-integration/backend/sync/reconcile';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { USE_CONNECT_AUTH_HEADER } from '@jira-integration/shared';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { startWorld, type World } from '../support/world';

/** What is left of the site's budget when it is seen low: two consumers (the team, the sync) get 1 call each. */
const REMAINING = 2;
const SHARE = 1;

describe.each(testDatabaseKinds())('sync pacing on the shared site budget (%s)', (kind) => {
  let world: World;
  let connectionId: string;
  let cloudId: string;
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  const proxyAsApp = () =>
    api(`/v1/jira/connections/${connectionId}/proxy/rest/api/3/myself`, {
      headers: { [USE_CONNECT_AUTH_HEADER]: 'true' },
    });

  beforeAll(async () => {
    world = await startWorld({ kind });
    ({ connectionId, cloudId } = await connectSyncedSite(world, null));
    // Settings saved while syncing is off: nothing is backfilled yet.
    await api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: false } });
    const saved = await api(`/v1/jira/connections/${connectionId}/sync-config`, {
      method: 'PUT',
      json: SUP_SYNC_CONFIG,
    });
    expect(saved.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('a backfill yields to the team once the budget runs low; the team still gets its share', async () => {
    const { services } = world.backend;
    const resetAt = new Date(Date.now() + 3_600_000);
    // Atlassian says the Forge app's hourly budget on this site is nearly spent.
    observeAtlassianBudget(
      services,
      { identity: { kind: 'forge' }, cloudId },
      {
        status: 200,
        headers: new Headers({
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': String(REMAINING),
          'x-ratelimit-reset': `${resetAt.toISOString().slice(0, 16)}Z`,
        }),
      },
    );
    expect((await proxyAsApp()).status).toBe(200);
    const syncCallsBefore = syncRuntime(services).calls.get(cloudId) ?? 0;

    await api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: true } });
    const started = await api(`/v1/jira/connections/${connectionId}/sync-backfill`, { method: 'POST' });
    expect(started.status).toBe(202);

    // Refused, the backfill goes back to the queue until the window resets, and does not spin.
    await expect
      .poll(
        async () => {
          const { rows } = await services.database.executor.executeSql(
            `select count(*)::int as waiting from pgboss.job
              where name = $1 and state = 'created' and start_after > now() + interval '30 minutes'`,
            [SYNC_BACKFILL_JOB],
          );
          return (rows[0] as { waiting: number }).waiting;
        },
        { interval: 50 },
      )
      .toBeGreaterThan(0);
    expect((syncRuntime(services).calls.get(cloudId) ?? 0) - syncCallsBefore).toBeLessThanOrEqual(SHARE);
    const progress = (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
      backfill: { state: string } | null;
    };
    expect(progress.backfill?.state).not.toBe('finished');

    // The team's own share is intact: its next calls pass, then it is refused with the fair-share message.
    for (let call = 1; call < SHARE; call += 1) expect((await proxyAsApp()).status).toBe(200);
    const refused = await proxyAsApp();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(1_800);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      limitMessages.siteBudgetLow(world.seeded.acme.url, retryAfter),
    );
  }, 60_000);
});
