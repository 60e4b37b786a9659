/**
 * Faults injected: Atlassian's token endpoint held open (a slow Atlassian), a refresh lease left by a process
 * that died, every database connection terminated while a refresh waits on Atlassian, and two backends on one
 * database refreshing the same connection. Asserted: no pooled connection or transaction is held across the
 * token call, exactly one refresh per rotation, and no refreshed token is lost.
 */

import { getAccessToken, REFRESH_LEASE_MS } from '@jira-integration/backend/connections/tokens';
import type { Clock, Services } from '@jira-integration/backend/context';
import { openDatabase } from '@jira-integration/backend/db/client';
import { SECRET_PURPOSE } from '@jira-integration/backend/db/encrypted-columns';
import { jiraConnections } from '@jira-integration/backend/db/schema';
import { createLogger } from '@jira-integration/backend/logger';
import { createServices } from '@jira-integration/backend/server';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { createTestContext, type TestContext } from '@jira-integration/backend/test-support/context';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { eq, isNotNull } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatedTokenEndpoint, terminateConnections } from './support';

/** A hand-moved clock that counts how often it is read, so a test can see a waiter polling. */
class CountingClock implements Clock {
  reads = 0;
  constructor(private current = Date.parse('2026-11-23T10:00:00Z')) {}
  now() {
    this.reads += 1;
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current += ms;
  }
}

describe.each(testDatabaseKinds())('refresh lease (%s)', (kind) => {
  let t: TestContext;
  let endpoint: Awaited<ReturnType<typeof startGatedTokenEndpoint>>;
  const clock = new CountingClock();
  let n = 0;

  beforeAll(async () => {
    endpoint = await startGatedTokenEndpoint();
    t = await createTestContext({
      kind,
      clock,
      env: { ATLASSIAN_CLIENT_ID: 'c', ATLASSIAN_CLIENT_SECRET: 's', ATLASSIAN_AUTH_URL: endpoint.url },
    });
  });
  afterEach(() => endpoint.hold());
  afterAll(async () => {
    await t?.close();
    await endpoint?.close();
  });

  /** A connection whose token has under 5 minutes left, so the next call refreshes it. */
  const expiringConnection = (services: Services = t.services) => {
    n += 1;
    return insertTestConnection(services, {
      teamId: t.team.id,
      cloudId: `cloud-${n}`,
      accessToken: `old-${n}`,
      refreshToken: `r${n}`,
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
  };
  const rowOf = async (id: string) =>
    (await t.services.db.select().from(jiraConnections).where(eq(jiraConnections.id, id)))[0];

  it('12 refreshes waiting on a slow Atlassian hold no database connection: /healthz answers meanwhile', async () => {
    const connections = await Promise.all(Array.from({ length: 12 }, () => expiringConnection()));
    const before = endpoint.received();
    const tokens = Promise.all(connections.map((connection) => getAccessToken(t.services, connection)));
    await expect.poll(() => endpoint.received() - before).toBe(12);

    const health = await t.request('/healthz', { key: null });
    expect(health.status).toBe(200);
    // Still waiting on Atlassian after /healthz answered: it did not queue behind them.
    const leased = await t.services.db
      .select({ id: jiraConnections.id })
      .from(jiraConnections)
      .where(isNotNull(jiraConnections.refreshLeaseHolder));
    expect(leased.map((row) => row.id).sort()).toEqual(connections.map((c) => c.id).sort());
    expect(endpoint.answered()).toBe(before);

    endpoint.release();
    expect(await tokens).toEqual(connections.map((_, i) => `fresh-for-r${n - 11 + i}`));
    for (const connection of connections) {
      expect(await rowOf(connection.id)).toMatchObject({
        refreshLeaseHolder: null,
        refreshLeaseExpiresAt: null,
      });
    }
  });

  it("a dead process's lease is waited out, then taken over: one refresh, nothing lost", async () => {
    const connection = await expiringConnection();
    await t.services.db
      .update(jiraConnections)
      .set({
        refreshLeaseHolder: 'host:4242:crashed',
        refreshLeaseExpiresAt: new Date(clock.now().getTime() + REFRESH_LEASE_MS),
      })
      .where(eq(jiraConnections.id, connection.id));
    const before = endpoint.received();
    endpoint.release();
    const token = getAccessToken(t.services, connection);
    // The waiter polls the row (reading the clock each time) while the lease is live, and does not refresh.
    const reads = clock.reads;
    await expect.poll(() => clock.reads - reads).toBeGreaterThan(6);
    expect(endpoint.received()).toBe(before);

    clock.advance(REFRESH_LEASE_MS + 1);
    expect(await token).toBe(`fresh-for-r${n}`);
    expect(endpoint.received() - before).toBe(1);
    expect(await rowOf(connection.id)).toMatchObject({ refreshLeaseHolder: null });
    expect(
      t.services.encryptor.decrypt(
        (await rowOf(connection.id)).refreshTokenEncrypted!,
        SECRET_PURPOSE.refreshToken,
      ),
    ).toBe(`rotated-r${n}`);
  });

  it.skipIf(kind !== 'postgres')(
    'two backends on one database: the one without the lease waits for the holder’s tokens (one refresh)',
    async () => {
      const database = await openDatabase({ url: t.services.database.url });
      const second = await createServices({
        config: t.services.config,
        database,
        logger: createLogger({ level: 'silent' }),
        encryptor: t.services.encryptor,
        clock,
      });
      try {
        const connection = await expiringConnection();
        const before = endpoint.received();
        const first = getAccessToken(t.services, connection);
        await expect.poll(() => endpoint.received() - before).toBe(1);
        const reads = clock.reads;
        const other = getAccessToken(second, connection);
        await expect.poll(() => clock.reads - reads).toBeGreaterThan(6);
        endpoint.release();
        expect(await Promise.all([first, other])).toEqual([`fresh-for-r${n}`, `fresh-for-r${n}`]);
        expect(endpoint.received() - before).toBe(1);
      } finally {
        await second.queue.stop();
        await database.close();
      }
    },
  );

  it.skipIf(kind !== 'postgres')(
    'every database connection terminated while Atlassian answers: the rotated token is still stored',
    async () => {
      const connection = await expiringConnection();
      const before = endpoint.received();
      const token = getAccessToken(t.services, connection);
      await expect.poll(() => endpoint.received() - before).toBe(1);
      expect(await terminateConnections(t.services.database.url!)).toBeGreaterThan(0);
      endpoint.release();
      expect(await token).toBe(`fresh-for-r${n}`);
      const row = await rowOf(connection.id);
      expect(row.refreshLeaseHolder).toBeNull();
      expect(t.services.encryptor.decrypt(row.refreshTokenEncrypted!, SECRET_PURPOSE.refreshToken)).toBe(
        `rotated-r${n}`,
      );
      expect(endpoint.received() - before).toBe(1);
      expect((await t.services.database.executor.executeSql('select 1 as one', [])).rows).toEqual([
        { one: 1 },
      ]);
    },
  );
});
