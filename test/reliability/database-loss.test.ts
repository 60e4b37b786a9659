/**
 * Fault injected: pg_terminate_backend on every connection of the backend's database (its pool, the queue's
 * pool), once while idle and once while a token refresh waits on Atlassian, against a real `npm start` process
 * on PostgreSQL; and on a client checked out for a transaction, in this process.
 * Asserted: the process lives and answers, the request that needed the refresh completes and its rotated token
 * is stored, and a checked-out client's loss fails only its own transaction.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '@jira-integration/backend/context';
import { systemClock } from '@jira-integration/backend/context';
import { Encryptor, formatKeyList, generateKey } from '@jira-integration/backend/crypto/encryption';
import { isConnectionLost, openDatabase } from '@jira-integration/backend/db/client';
import { SECRET_PURPOSE } from '@jira-integration/backend/db/encrypted-columns';
import { jiraConnections, teams } from '@jira-integration/backend/db/schema';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { createTestDatabase } from '@jira-integration/backend/test-support/database';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChildHandle,
  freePort,
  spawnScript,
  startGatedTokenEndpoint,
  terminateConnections,
  waitUntilServing,
} from './support';

describe.skipIf(!process.env.TEST_DATABASE_URL)('database connections lost (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let endpoint: Awaited<ReturnType<typeof startGatedTokenEndpoint>>;
  let backend: ChildHandle;
  let url: string;
  let dataDir: string;
  let key: string;
  const encryptionKey = generateKey();

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    endpoint = await startGatedTokenEndpoint();
    dataDir = await mkdtemp(path.join(tmpdir(), 'reliability-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    backend = spawnScript('backend/src/main.ts', {
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      ENCRYPTION_KEYS: formatKeyList([encryptionKey]),
      ATLASSIAN_CLIENT_ID: 'managed',
      ATLASSIAN_CLIENT_SECRET: 'managed-secret',
      ATLASSIAN_AUTH_URL: endpoint.url,
      ATLASSIAN_API_URL: endpoint.url,
    });
    await waitUntilServing(backend, `${url}/healthz`);
    // The first team is created once the server answers; its key file follows.
    while (!backend.output().includes('is running')) {
      if (backend.process.exitCode !== null) throw new Error(backend.output());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    key = (await readFile(path.join(dataDir, 'first-team-key.txt'), 'utf8')).trim();
  });
  afterAll(async () => {
    await backend?.kill('SIGKILL');
    await endpoint?.close();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('every connection terminated while idle: the process lives and serves', async () => {
    expect(await terminateConnections(database.url!)).toBeGreaterThan(0);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status).toBe(200);
    expect(backend.process.exitCode).toBeNull();
    expect(backend.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
  });

  it('every connection terminated while a refresh waits on Atlassian: the request completes, the token is kept', async () => {
    const [team] = await database.db.select().from(teams);
    const services = {
      db: database.db,
      encryptor: new Encryptor([encryptionKey]),
      clock: systemClock,
    } as Services;
    const connection = await insertTestConnection(services, {
      teamId: team.id,
      cloudId: 'cloud-loss',
      accessToken: 'old',
      refreshToken: 'r-loss',
      expiresAt: new Date(Date.now() + 60_000),
    });
    const request = fetch(`${url}/v1/jira/connections/${connection.id}/health-checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    await expect.poll(() => endpoint.received()).toBe(1);
    expect(await terminateConnections(database.url!)).toBeGreaterThan(0);
    endpoint.release();

    const response = await request;
    // The checks ran (Jira is played by a stub that knows no API, so they report failures): no 5xx, no crash.
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const [row] = await database.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    expect(services.encryptor.decrypt(row.refreshTokenEncrypted!, SECRET_PURPOSE.refreshToken)).toBe(
      'rotated-r-loss',
    );
    expect(row.refreshLeaseHolder).toBeNull();
    expect(endpoint.received()).toBe(1);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(backend.process.exitCode).toBeNull();
  });

  it('a client checked out for a transaction loses its connection: that transaction fails, nothing crashes', async () => {
    const own = await openDatabase({ url: database.url });
    try {
      let resume: () => void = () => undefined;
      const paused = new Promise<void>((resolve) => {
        resume = resolve;
      });
      let inTransaction: () => void = () => undefined;
      const entered = new Promise<void>((resolve) => {
        inTransaction = resolve;
      });
      const transaction = own.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        inTransaction();
        await paused;
        await tx.execute(sql`select 2`);
      });
      await entered;
      // Only this transaction's session is idle in a transaction.
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = $1 and state = 'idle in transaction' and pid <> pg_backend_pid()`,
        [new URL(database.url!).pathname.slice(1)],
      );
      await admin.end();
      expect(rows).toHaveLength(1);
      resume();
      const failure = await transaction.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isConnectionLost(failure)).toBe(true);
      expect((await own.executor.executeSql('select 3 as three', [])).rows).toEqual([{ three: 3 }]);
    } finally {
      await own.close();
    }
  });
});
