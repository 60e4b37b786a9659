/**
 * Faults injected: the job queue stopped (readiness), a request id that is not a sane token, a scrape without
 * or with the wrong METRICS_TOKEN. Asserted: /readyz says what is not ready, /metrics reports requests by route
 * pattern, refreshes, queue depth and age, Forge credential age and Atlassian budgets, and every error body and
 * log line of a request carries its id.
 */
import { buildApp } from '@jira-integration/backend/app';
import { rateLimitBudget } from '@jira-integration/backend/atlassian/rate-limit';
import { getAccessToken } from '@jira-integration/backend/connections/tokens';
import { forgeInstallations } from '@jira-integration/backend/db/schema';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { createTestContext, type TestContext } from '@jira-integration/backend/test-support/context';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { genericMessages, operationsMessages } from '@jira-integration/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGatedTokenEndpoint } from './support';

describe.each(testDatabaseKinds())('operations endpoints (%s)', (kind) => {
  let t: TestContext;
  let endpoint: Awaited<ReturnType<typeof startGatedTokenEndpoint>>;

  beforeAll(async () => {
    endpoint = await startGatedTokenEndpoint();
    endpoint.release();
    t = await createTestContext({
      kind,
      env: { ATLASSIAN_CLIENT_ID: 'c', ATLASSIAN_CLIENT_SECRET: 's', ATLASSIAN_AUTH_URL: endpoint.url },
    });
  });
  afterAll(async () => {
    await t?.close();
    await endpoint?.close();
  });

  const metricsText = async (init: RequestInit = {}) => {
    const response = await t.request('/metrics', { key: null, ...init });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    return response.text();
  };

  it('a sane X-Request-Id is echoed and written into the error body and the log lines; others are replaced', async () => {
    const mine = await t.request('/v1/jira/connections/nope', {
      headers: { 'x-request-id': 'trace-42.a:b' },
    });
    expect(mine.headers.get('x-request-id')).toBe('trace-42.a:b');
    expect((await mine.json()) as unknown).toMatchObject({ error: { requestId: 'trace-42.a:b' } });

    const hostile = await t.request('/nowhere', {
      key: null,
      headers: { 'x-request-id': 'a b\u0007<script>' },
    });
    const generated = hostile.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await hostile.json()).toEqual({
      error: { code: 'not_found', message: genericMessages.notFound, requestId: generated },
    });

    // A route that fails unexpectedly: the app logs it, and that line names the request.
    const app = buildApp(t.services);
    app.get('/boom-for-request-id', () => {
      throw new Error('kaboom');
    });
    // What pg raises when the server terminates the session mid-request (SQLSTATE 57P01).
    app.get('/connection-lost', () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    });
    const failed = await app.request('/boom-for-request-id', { headers: { 'x-request-id': 'req-boom' } });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: 'internal_error', requestId: 'req-boom' } });
    const lost = await app.request('/connection-lost', { headers: { 'x-request-id': 'req-lost' } });
    expect(lost.status).toBe(503);
    expect(await lost.json()).toEqual({
      error: {
        code: 'database_unavailable',
        message: genericMessages.databaseUnavailable,
        requestId: 'req-lost',
      },
    });
    const line = t.logs.lines
      .map((text) => JSON.parse(text))
      .find((entry) => entry.msg === 'unhandled error');
    expect(line).toMatchObject({ requestId: 'req-boom' });
  });

  it('/readyz is ready when database and queue answer', async () => {
    const ready = await t.request('/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, queue: true });
  });

  it('/metrics reports requests by route pattern, refreshes, queues, Forge credential age and budgets', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'cloud-metrics',
      accessToken: 'old',
      refreshToken: 'r-metrics',
      expiresAt: new Date(t.services.clock.now().getTime() + 60_000),
    });
    await getAccessToken(t.services, connection);
    await t.request(`/v1/jira/connections/${connection.id}`);
    await t.services.queue.send('reliability.metrics', { n: 1 });
    const pushedAt = new Date(t.services.clock.now().getTime() - 90_000);
    await t.services.db.insert(forgeInstallations).values({
      cloudId: 'cloud-metrics',
      installationId: 'inst-1',
      apiBaseUrl: 'https://api.example',
      installedAt: pushedAt,
      lastPushAt: pushedAt,
      updatedAt: pushedAt,
    });

    rateLimitBudget(t.services).observe(
      { kind: 'managed' },
      new Response(null, { headers: { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '900' } }),
    );

    const text = await metricsText();
    expect(text).toContain('atlassian_rate_limit_remaining{identity="managed"} 900');
    expect(text).toContain('atlassian_rate_limit_limit{identity="managed"} 1000');
    expect(text).toContain(
      'http_requests_total{method="GET",route="/v1/jira/connections/:id",status="200"} 1',
    );
    expect(text).not.toContain(connection.id);
    expect(text).toContain('jira_token_refreshes_total 1');
    expect(text).toMatch(/job_queue_jobs\{queue="reliability.metrics",state="created"\} 1/);
    expect(text).toMatch(/job_queue_oldest_waiting_seconds\{queue="reliability.metrics"\} \d/);
    const age = Number(
      text.match(
        /forge_credential_age_seconds\{cloud_id="cloud-metrics",installation_id="inst-1"\} ([\d.]+)/,
      )?.[1],
    );
    expect(age).toBeGreaterThanOrEqual(90);
  });

  it('/metrics asks for METRICS_TOKEN when one is set, and refuses a non-loopback HOST without one', async () => {
    const guarded = await createTestContext({ kind, env: { METRICS_TOKEN: 'scrape-secret' } });
    const exposed = await createTestContext({ kind, env: { HOST: '0.0.0.0' } });
    try {
      const refused = await guarded.request('/metrics', {
        key: null,
        headers: { authorization: 'Bearer wrong' },
      });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        error: { code: 'unauthorized', message: operationsMessages.metricsUnauthorized },
      });
      const scraped = await guarded.request('/metrics', {
        key: null,
        headers: { authorization: 'Bearer scrape-secret' },
      });
      expect(scraped.status).toBe(200);
      const open = await exposed.request('/metrics', { key: null });
      expect(open.status).toBe(403);
      expect(await open.json()).toMatchObject({
        error: { code: 'forbidden', message: operationsMessages.metricsTokenRequired },
      });
    } finally {
      await guarded.close();
      await exposed.close();
    }
  });

  it('a pooled connection lost just before a probe is retried on a fresh one; a lasting loss is 503', async () => {
    // What pg_terminate_backend leaves behind: an idle pooled client that fails its next statement.
    const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
    const execute = vi.spyOn(t.services.db, 'execute');
    try {
      execute.mockRejectedValueOnce(lost());
      expect((await t.request('/healthz', { key: null })).status).toBe(200);
      execute.mockRejectedValueOnce(lost());
      expect((await t.request('/readyz', { key: null })).status).toBe(200);
      execute.mockRejectedValue(lost());
      const down = await t.request('/healthz', { key: null });
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', database: kind });
    } finally {
      execute.mockRestore();
    }
  });

  it('/readyz answers 503 once the queue has stopped', async () => {
    await t.services.queue.stop();
    const response = await t.request('/readyz', { key: null });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', database: true, queue: false });
  });
});
