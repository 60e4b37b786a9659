/**
 * Injects: a backend process killed with SIGKILL right after its last proxied write was answered.
 * Asserts: every answered write (POST, PUT, PATCH, DELETE) has its audit row; none is lost, none duplicated.
 * The backend is a real child process on a real database (on-disk PGlite; PostgreSQL too with TEST_DATABASE_URL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@jira-integration/backend/db/client';
import { createTestDatabase, testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyBackendChild } from './proxy-backend-child';

let upstream: http.Server;
let upstreamUrl: string;

beforeAll(async () => {
  let created = 0;
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      created += 1;
      res
        .writeHead(req.method === 'POST' ? 201 : 204, { 'content-type': 'application/json' })
        .end(req.method === 'POST' ? JSON.stringify({ id: String(10000 + created) }) : undefined);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

async function startChild(env: Record<string, string>) {
  const script = fileURLToPath(new URL('./proxy-backend-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, ATLASSIAN_API_URL: upstreamUrl, ATLASSIAN_AUTH_URL: upstreamUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<ProxyBackendChild>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code} before it was ready`)));
  });
  return { child, info };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Proxied writes, `parallel` at a time, as a client would send them; resolves with each answer's status. */
async function proxiedWrites(info: ProxyBackendChild, count: number, parallel: number) {
  const methods = ['POST', 'PUT', 'DELETE', 'PATCH'];
  const statuses: number[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, async (_, offset) => {
      const n = start + offset;
      const method = methods[n % methods.length];
      const response = await fetch(
        `${info.url}/v1/jira/connections/${info.connectionId}/proxy/rest/api/3/issue${method === 'POST' ? '' : `/ENG-${n}`}`,
        {
          method,
          headers: { authorization: `Bearer ${info.key}`, 'content-type': 'application/json' },
          body: method === 'DELETE' ? undefined : JSON.stringify({ fields: { summary: `write ${n}` } }),
        },
      );
      await response.arrayBuffer();
      statuses.push(response.status);
    });
    await Promise.all(batch);
  }
  return statuses;
}

describe.each(testDatabaseKinds())('proxy audit across a crash (%s)', (kind) => {
  it('keeps the audit row of every answered write when the process is killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'proxy-audit-crash-'));
    const database = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
    try {
      const { child, info } = await startChild(
        database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir },
      );
      const statuses = await proxiedWrites(info, 60, 6);
      // The last answer is in: no grace period for the process.
      await killed(child);
      expect(statuses.filter((status) => status === 201 || status === 204)).toHaveLength(60);

      const after = database ?? (await openDatabase({ dataDir }));
      try {
        const result = await after.db.execute(sql`
          select detail->>'method' as method, count(*)::int as count from audit_log
          where action = 'jira.proxy' group by 1 order by 1`);
        const rows = (result as unknown as { rows: Array<{ method: string; count: number }> }).rows;
        expect(Object.fromEntries(rows.map((row) => [row.method, row.count]))).toEqual({
          DELETE: 15,
          PATCH: 15,
          POST: 15,
          PUT: 15,
        });
      } finally {
        if (!database) await after.close();
      }
    } finally {
      await database?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
