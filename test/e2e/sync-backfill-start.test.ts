/**
 * The backfill starts by itself when a connection becomes ready to sync (Ticket Syncing on, settings saved,
 * upgraded by the Forge app with fresh credentials), once per transition, whichever change completes it.
 */
import { SYNC_BACKFILL_JOB } from '@jira-integration/backend/sync/reconcile';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { startWorld, type World } from '../support/world';

describe.each(testDatabaseKinds())('backfill on becoming ready (%s)', (kind) => {
  let world: World;
  let connectionId: string;
  let cloudId: string;
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  const syncing = (on: boolean) =>
    api(`/v1/jira/connections/${connectionId}`, { method: 'PATCH', json: { ticketSyncing: on } });
  const saveSettings = () =>
    api(`/v1/jira/connections/${connectionId}/sync-config`, { method: 'PUT', json: SUP_SYNC_CONFIG });
  /** Backfill jobs ever queued for the connection (the queue keeps finished jobs). */
  const backfillsQueued = async () => {
    const { rows } = await world.backend.services.database.executor.executeSql(
      `select count(*)::int as queued from pgboss.job where name = $1 and data->>'connectionId' = $2`,
      [SYNC_BACKFILL_JOB, connectionId],
    );
    return (rows[0] as { queued: number }).queued;
  };
  const backfillState = async () =>
    (
      (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
        backfill: { state: string; done: number; total: number } | null;
      }
    ).backfill;
  const readiness = async () =>
    (
      (await (await api(`/v1/jira/connections/${connectionId}/sync-config`)).json()) as {
        readiness: { ready: boolean; reason: string | null };
      }
    ).readiness;

  beforeAll(async () => {
    world = await startWorld({ kind });
    ({ connectionId, cloudId } = await connectSyncedSite(world, null));
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('saving the settings completes readiness: one backfill; saving again or repeating "on" starts none', async () => {
    expect(await backfillsQueued()).toBe(0);
    expect((await saveSettings()).status).toBe(200);
    expect(await backfillsQueued()).toBe(1);
    await expect.poll(backfillState).toMatchObject({ state: 'finished', done: 2, total: 2 });

    expect((await saveSettings()).status).toBe(200);
    expect((await syncing(true)).status).toBe(200);
    expect(await backfillsQueued()).toBe(1);
  }, 30_000);

  it('turning Ticket Syncing off and on again is a new transition: exactly one more backfill', async () => {
    expect((await syncing(false)).status).toBe(200);
    expect((await syncing(false)).status).toBe(200);
    expect(await backfillsQueued()).toBe(1);
    expect((await syncing(true)).status).toBe(200);
    expect(await backfillsQueued()).toBe(2);
    await expect.poll(backfillState).toMatchObject({ state: 'finished' });
  }, 30_000);

  it('the Forge credential push that upgrades the connection again starts its backfill, once', async () => {
    await world.sandbox.forge.uninstall(cloudId);
    await expect.poll(async () => (await readiness()).ready).toBe(false);
    expect(await backfillsQueued()).toBe(2);

    await world.sandbox.forge.install({ cloudId, backendUrl: world.backend.url });
    await expect.poll(async () => (await readiness()).ready).toBe(true);
    await expect.poll(backfillsQueued).toBe(3);
    // A later push finds the connection already upgraded: nothing more starts.
    await world.sandbox.forge.pushCredentialsNow(cloudId);
    await expect.poll(backfillState).toMatchObject({ state: 'finished' });
    expect(await backfillsQueued()).toBe(3);
  }, 30_000);
});
