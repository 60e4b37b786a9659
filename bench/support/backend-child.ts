/**
 * Benchmark child: the backend as production runs it (HTTP server; embedded PGlite in a temporary directory, or
 * with BENCH_DATABASE=postgres a new database on TEST_DATABASE_URL's server), wired to the sandbox and trusting
 * its Forge JWKS. Creates BENCH_TEAMS teams (default 1), each with an API key and a managed connection to the
 * sandbox's site holding the sandbox token; BENCH_JOBS=off leaves the job workers off. Prints one JSON line, then
 * serves until killed.
 *
 * Started with an IPC channel it answers questions from the parent: `{ kind: 'memory' }` gives this process's
 * memory after a full GC (when started with --expose-gc; `gc: false` reads it as it is), and BENCH_PROBES names a module whose
 * `probes(services)` answers the other kinds (e.g. bench/sync/probes.ts reading the sync's tables).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import { sandboxEnvironment } from '@jira-integration/backend/sandbox-wiring';
import { startBackend } from '@jira-integration/backend/server';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { createTestDatabase } from '@jira-integration/backend/test-support/database';
import type { SandboxInfo } from './sandbox-child';

export interface BackendInfo {
  url: string;
  pid: number;
  /** The first team's API key and its connection. */
  key: string;
  connectionId: string;
  teams: number;
}

export type Probes = Record<string, (question: Record<string, unknown>) => Promise<unknown>>;

export interface MemoryAfterGc {
  /** Whether a full GC ran first (the child was started with --expose-gc). */
  collected: boolean;
  rss: number;
  heapUsed: number;
  /** The heap V8 holds from the OS (used + free pages it has not given back): part of RSS. */
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** What V8's young generation holds (it grows up to its maximum under a high allocation rate, and stays). */
  youngGeneration: number;
}

async function measureMemory(collect: boolean): Promise<MemoryAfterGc> {
  const gc = collect ? (globalThis as { gc?: () => void }).gc : undefined;
  if (gc) {
    // Twice, a moment apart: what the first collection's finalizers release (PGlite's start-up buffers, freed
    // asynchronously) is gone by the second.
    gc();
    await new Promise((resolve) => setTimeout(resolve, 200));
    gc();
  }
  const usage = process.memoryUsage();
  return {
    collected: Boolean(gc),
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    youngGeneration: getHeapSpaceStatistics()
      .filter((space) => space.space_name === 'new_space')
      .reduce((sum, space) => sum + space.space_size, 0),
  };
}

const input = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as SandboxInfo;
const teams = Number(process.env.BENCH_TEAMS ?? 1);
const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-backend-'));
const config = loadConfig({
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  ...sandboxEnvironment({ url: input.url, forge: { appId: input.forgeAppId } }, input.client),
  JOBS: process.env.BENCH_JOBS === 'off' ? 'off' : 'on',
  // The benchmark saturates one team on purpose: no per-team rate limit.
  TEAM_RATE_LIMIT: '0',
});
const database = process.env.BENCH_DATABASE === 'postgres' ? await createTestDatabase('postgres') : undefined;
const backend = await startBackend({ config: { ...config, port: 0, host: '127.0.0.1' }, database });
const first = { key: '', connectionId: '' };
for (let n = 1; n <= teams; n += 1) {
  const team = await createTeam(backend.services.db, `Bench team ${n}`);
  const { key } = await createApiKey(backend.services.db, team.id);
  const connection = await insertTestConnection(backend.services, {
    teamId: team.id,
    cloudId: input.cloudId,
    siteUrl: input.siteUrl,
    accountId: input.accountId,
    accessToken: input.token,
    expiresAt: new Date(Date.now() + 4 * 3600_000),
  });
  if (n === 1) Object.assign(first, { key, connectionId: connection.id });
}
if (process.send) {
  const extra = process.env.BENCH_PROBES
    ? ((await import(process.env.BENCH_PROBES)) as { probes: (services: unknown) => Probes }).probes(
        backend.services,
      )
    : {};
  const answers: Probes = { memory: ({ gc }) => measureMemory(gc !== false), ...extra };
  process.on('message', (question: { id: number; kind: string }) => {
    const answer = answers[question.kind];
    void (answer ? answer(question) : Promise.reject(new Error(`no probe named ${question.kind}`))).then(
      (value) => process.send?.({ id: question.id, answer: value }),
      (error: Error) => process.send?.({ id: question.id, error: error.message }),
    );
  });
}
const info: BackendInfo = { url: backend.url, pid: process.pid, teams, ...first };
process.stdout.write(`${JSON.stringify(info)}\n`);
process.on('SIGTERM', () => {
  void backend
    .close()
    .then(() => database?.close())
    .then(() => rm(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
