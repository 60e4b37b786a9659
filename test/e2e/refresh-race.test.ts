import { jiraConnections } from '@jira-integration/backend/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../support/backend';
import { startWorld, type World } from '../support/world';

/**
 * Atlassian rotates refresh tokens and (with no grace window here) revokes the family when one is reused,
 * so a second refresh would break every later call. Two backend processes on one PostgreSQL database
 * and 50 concurrent calls on an expiring token must cause exactly one refresh.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('refresh race on PostgreSQL', () => {
  let world: World;
  let second: TestBackend;
  let connectionId: string;

  beforeAll(async () => {
    world = await startWorld({ kind: 'postgres', sandbox: { refreshReuseGraceSeconds: 0 } });
    second = await startTestBackend({
      shareDatabaseOf: world.backend,
      env: {
        ATLASSIAN_CLIENT_ID: world.backend.services.config.atlassian!.clientId,
        ATLASSIAN_CLIENT_SECRET: world.backend.services.config.atlassian!.clientSecret,
        ATLASSIAN_AUTH_URL: world.sandbox.url,
        ATLASSIAN_API_URL: world.sandbox.url,
      },
    });
    const { acme: site, alice } = world.seeded;
    const started = await fetch(`${world.backend.url}/v1/jira/connections/managed/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.backend.team.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain: 'acme' }),
    });
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, {
      accountId: alice.accountId,
      cloudIds: [site.cloudId],
    });
    const connected = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${world.backend.team.key}` },
    });
    connectionId = ((await connected.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await second?.close();
    await world?.close();
  });

  it('50 concurrent calls across two processes: one refresh reaches Atlassian and no call fails', async () => {
    await world.backend.services.db
      .update(jiraConnections)
      .set({ accessTokenExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(jiraConnections.id, connectionId));
    const before = world.sandbox.stats().tokenRequests.refresh_token;
    const backends = [world.backend, second];
    const calls = Array.from({ length: 50 }, (_, i) =>
      fetch(`${backends[i % 2].url}/v1/jira/connections/${connectionId}/health-checks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.backend.team.key}` },
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { results: Array<{ ok: boolean }> },
      })),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.flatMap((r) => r.body.results).every((check) => check.ok)).toBe(true);
    expect(world.sandbox.stats().tokenRequests.refresh_token - before).toBe(1);
  });
});
