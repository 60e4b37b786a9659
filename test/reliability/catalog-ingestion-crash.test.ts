/**
 * Injects: the process running a JSM catalog ingestion killed with SIGKILL after its first request type.
 * Asserts: a later backend process's sweep resumes the ingestion, which finishes with every request type once
 * (no duplicate workflow) and says it took two workers. Real child processes on a real database (on-disk
 * PGlite; PostgreSQL too with TEST_DATABASE_URL), the sandbox playing Jira.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED, userToken } from '@jira-integration/sandbox/test-support/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildHandle, spawnScript } from './support';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

/** Starts the child and waits for its one JSON line. */
async function startChild(env: Record<string, string>): Promise<{ child: ChildHandle; line: unknown }> {
  const child = spawnScript('test/reliability/catalog-worker-child.ts', {
    ...env,
    ATLASSIAN_API_URL: sandbox.url,
    ATLASSIAN_AUTH_URL: sandbox.url,
  });
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  await expect
    .poll(() => (exited ? 'exited' : /^\{.*\}$/m.test(child.output())), { timeout: 60_000 })
    .toBe(true);
  const line = child
    .output()
    .split('\n')
    .find((text) => text.startsWith('{'));
  return { child, line: JSON.parse(line ?? 'null') };
}

describe.each(testDatabaseKinds())('JSM catalog ingestion across a crash (%s)', (kind) => {
  it('a worker killed with SIGKILL mid-ingestion: the next process resumes and finishes it, no duplicates', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'catalog-crash-'));
    const database = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
    // The same DATA_DIR for both processes: on PostgreSQL too, it holds the development encryption key.
    const storage = { DATA_DIR: dataDir, ...(database?.url ? { DATABASE_URL: database.url } : {}) };
    const children: ChildHandle[] = [];
    try {
      const doomed = await startChild({
        ...storage,
        ROLE: 'doomed',
        STOP_AT: '1',
        ACCESS_TOKEN: userToken(sandbox, DEFAULT_SEED.alice),
      });
      children.push(doomed.child);
      const { key, ingestionId } = doomed.line as { key: string; ingestionId: string };
      expect(await doomed.child.kill('SIGKILL')).toBe('SIGKILL');

      const successor = await startChild({ ...storage, ROLE: 'successor' });
      children.push(successor.child);
      const { url, recovered } = successor.line as { url: string; recovered: string[] };
      expect(recovered).toEqual([ingestionId]);
      const api = async (pathname: string) =>
        (await fetch(`${url}${pathname}`, { headers: { authorization: `Bearer ${key}` } })).json();

      await expect
        .poll(async () => ((await api(`/v1/catalog-ingestions/${ingestionId}`)) as { state: string }).state, {
          timeout: 60_000,
        })
        .toBe('succeeded');
      expect(await api(`/v1/catalog-ingestions/${ingestionId}`)).toMatchObject({
        state: 'succeeded',
        attempts: 2,
        serviceDesks: { done: 1, total: 1 },
        requestTypes: { done: 3, total: 3 },
        created: 3,
        updated: 0,
        retired: 0,
        error: null,
      });
      const { workflows } = (await api('/v1/workflows?kind=jsm_request_type&includeRetired=true')) as {
        workflows: Array<{ name: string }>;
      };
      expect(workflows.map((workflow) => workflow.name).sort()).toEqual([
        'Get IT help',
        'Report a system problem',
        'Request new hardware',
      ]);
    } finally {
      for (const child of children) await child.kill('SIGKILL');
      await database?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
