/**
 * kill -9 of a sync worker in the middle of a batch: right after Jira created an issue and before the link was
 * committed (the worst moment), in both create paths: a JSM project, where the request is raised first and marked
 * with the ticket property afterwards (so the killed worker leaves it unmarked), and a Jira Software project,
 * where the create itself carries the property. A restarted worker creates no second issue and loses no ticket. The worker runs
 * in a child process: on PostgreSQL it shares the database; on PGlite (one process per data folder) the test's
 * backend works on a file-backed folder, closes it, the child opens it, and after the kill the "restart" opens
 * it again, taking over the lock the killed child left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Services } from '@jira-integration/backend/context';
import { formatKeyList } from '@jira-integration/backend/crypto/encryption';
import { type Database, openDatabase } from '@jira-integration/backend/db/client';
import { readLockHolder } from '@jira-integration/backend/db/data-dir-lock';
import { issueSyncLinks, syncOutbox, tickets } from '@jira-integration/backend/db/schema';
import { createLogger } from '@jira-integration/backend/logger';
import { createServices } from '@jira-integration/backend/server';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { pushTicket } from '@jira-integration/backend/sync/outbound';
import { LEASE_MS } from '@jira-integration/backend/sync/outbox';
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { startWorld, type World } from '../support/world';

const child = fileURLToPath(new URL('./sync-worker-child.ts', import.meta.url));

const kinds = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

/** ENG has no "waiting" status: waiting reads and writes In Progress. */
const ENG_SYNC_CONFIG = {
  ...SUP_SYNC_CONFIG,
  projectKey: 'ENG',
  requestTypeId: null,
  statusMapping: { ...SUP_SYNC_CONFIG.statusMapping, waiting: ['3'] },
};
const projects = [
  { project: 'SUP (JSM requests)', config: SUP_SYNC_CONFIG, requestTypeId: '10' },
  { project: 'ENG (Jira issues)', config: ENG_SYNC_CONFIG, requestTypeId: null },
];
const cases = kinds.flatMap((kind) => projects.map((project) => ({ kind, ...project })));

describe.each(cases)(
  'a sync worker killed mid-batch ($kind, $project)',
  ({ kind, config, requestTypeId }) => {
    let world: World;
    let worker: ChildProcess | undefined;
    /** PGlite: the data folder the parent, the child and the restart open in turn. */
    let dataDir: string | undefined;
    let reopened: Database | undefined;
    let backendClosed = false;

    beforeAll(async () => {
      if (kind === 'pglite') dataDir = mkdtempSync(path.join(tmpdir(), 'sync-crash-'));
      // No workers in the backend itself: the child process is the only sync worker until the "restart".
      world = await startWorld({
        kind,
        env: { JOBS: 'off' },
        database: dataDir ? await openDatabase({ dataDir }) : undefined,
      });
      await connectSyncedSite(world, { ...config, strategy: 'platform_to_jira' });
    }, 60_000);
    afterAll(async () => {
      worker?.kill('SIGKILL');
      await reopened?.close();
      if (backendClosed) await world?.sandbox.close();
      else await world?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('restarting after kill -9 creates no second issue and loses no ticket', async () => {
      const first = world.backend.services;
      const ids: string[] = [];
      for (let index = 1; index <= 5; index += 1) {
        const response = await fetchAsTeam(world.backend.url, world.backend.team.key, '/v1/tickets', {
          method: 'POST',
          json: { title: `Crash batch ${index}`, priority: 'high' },
        });
        ids.push(((await response.json()) as { id: string }).id);
      }
      const { DATABASE_URL: _inherited, ...env } = process.env;
      if (dataDir) {
        // The folder is one process's at a time: the backend lets go before the worker opens it.
        await world.backend.close();
        backendClosed = true;
      }
      worker = spawn(process.execPath, ['--import', 'tsx', child, ...ids], {
        env: {
          ...env,
          ...(dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: first.database.url }),
          ENCRYPTION_KEYS: formatKeyList(first.encryptor.keys),
          ATLASSIAN_API_URL: first.config.atlassianApiUrl,
          ATLASSIAN_AUTH_URL: first.config.atlassianAuthUrl,
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

      let services: Services = first;
      if (dataDir) {
        // The killed worker's lock is stale: the restart takes it over.
        expect(readLockHolder(dataDir)).toBeUndefined();
        reopened = await openDatabase({ dataDir });
        services = await createServices({
          config: first.config,
          database: reopened,
          logger: createLogger({ level: 'silent' }),
          encryptor: first.encryptor,
        });
      }

      // The third issue exists in Jira, its link does not: the crash window. A raised request has no ticket
      // property yet; a created issue has it from the start.
      const issuesOf = (index: number) =>
        [...world.sandbox.state.issues.values()].filter(
          (issue) => issue.summary === `Crash batch ${index + 1}`,
        );
      expect(issuesOf(2)).toHaveLength(1);
      expect(issuesOf(2)[0].properties.has('platform.ticket')).toBe(requestTypeId === null);
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

      for (const [index, id] of ids.entries()) {
        const [issue, ...more] = issuesOf(index);
        expect(more, id).toEqual([]);
        expect(issue.properties.get('platform.ticket'), id).toMatchObject({ ticketId: id });
        expect(issue.requestTypeId, id).toBe(requestTypeId);
      }
      const links = await services.db.select().from(issueSyncLinks);
      expect(links.map((link) => link.ticketId).sort()).toEqual([...ids].sort());
      expect(links.every((link) => link.state === 'synced')).toBe(true);
      expect(await services.db.select().from(syncOutbox).where(isNull(syncOutbox.processedAt))).toEqual([]);
      const rows = await services.db.select().from(tickets);
      expect(rows.every((row) => row.jiraCreateStartedAt === null)).toBe(true);
      if (dataDir) await services.queue.stop();
    }, 60_000);
  },
);
