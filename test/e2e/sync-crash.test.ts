/**
 * kill -9 of a sync worker in the middle of a batch: right after Jira created an issue and before the link was
 * committed (the worst moment). A restarted worker creates no second issue and loses no ticket. The worker runs
 * in a child process sharing the PostgreSQL database (PGlite cannot be opened by two processes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatKeyList } from '@jira-integration/backend/crypto/encryption';
import { issueSyncLinks, syncOutbox, tickets } from '@jira-integration/backend/db/schema';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { pushTicket } from '@jira-integration/backend/sync/outbound';
import { LEASE_MS } from '@jira-integration/backend/sync/outbox';
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { startWorld, type World } from '../support/world';

const child = fileURLToPath(new URL('./sync-worker-child.ts', import.meta.url));

describe.skipIf(!process.env.TEST_DATABASE_URL)('a sync worker killed mid-batch (postgres)', () => {
  let world: World;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    // No workers in the backend itself: the child process is the only sync worker until the "restart".
    world = await startWorld({ kind: 'postgres', env: { JOBS: 'off' } });
    await connectSyncedSite(world, { ...SUP_SYNC_CONFIG, strategy: 'platform_to_jira' });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await world?.close();
  });

  it('restarting after kill -9 creates no second issue and loses no ticket', async () => {
    const { services } = world.backend;
    const ids: string[] = [];
    for (let index = 1; index <= 5; index += 1) {
      const response = await fetchAsTeam(world.backend.url, world.backend.team.key, '/v1/tickets', {
        method: 'POST',
        json: { title: `Crash batch ${index}`, priority: 'high' },
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    worker = spawn(process.execPath, ['--import', 'tsx', child, ...ids], {
      env: {
        ...process.env,
        DATABASE_URL: services.database.url,
        ENCRYPTION_KEYS: formatKeyList(services.encryptor.keys),
        ATLASSIAN_API_URL: services.config.atlassianApiUrl,
        ATLASSIAN_AUTH_URL: services.config.atlassianAuthUrl,
        FREEZE_AT_CREATE: '3',
        JOBS: 'off',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: worker.stdout! });
    for await (const line of lines) if (line === 'created 3') break;
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;

    // The third issue exists in Jira, its link does not: the crash window.
    const issuesOf = (ticketId: string) =>
      [...world.sandbox.state.issues.values()].filter(
        (issue) =>
          (issue.properties.get('platform.ticket') as { ticketId?: string } | undefined)?.ticketId ===
          ticketId,
      );
    expect(issuesOf(ids[2])).toHaveLength(1);
    expect((await services.db.select().from(issueSyncLinks)).map((link) => link.ticketId).sort()).toEqual(
      [ids[0], ids[1]].sort(),
    );

    // Restart: the dead worker's lease on the third ticket has run out.
    const realClock = services.clock;
    services.clock = { now: () => new Date(realClock.now().getTime() + LEASE_MS + 1_000) };
    syncRuntime(services).sleep = async () => {};
    try {
      for (const id of ids) await pushTicket(services, id);
    } finally {
      services.clock = realClock;
    }

    for (const id of ids) expect(issuesOf(id), id).toHaveLength(1);
    const links = await services.db.select().from(issueSyncLinks);
    expect(links.map((link) => link.ticketId).sort()).toEqual([...ids].sort());
    expect(links.every((link) => link.state === 'synced')).toBe(true);
    expect(await services.db.select().from(syncOutbox).where(isNull(syncOutbox.processedAt))).toEqual([]);
    const rows = await services.db.select().from(tickets);
    expect(rows.every((row) => row.jiraCreateStartedAt === null)).toBe(true);
  });
});
