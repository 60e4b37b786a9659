/**
 * Attacks on the Jira proxy from the outside review: active content served on the console's origin, the console
 * cookie as a credential, CORS grants and auth challenges passed through, smuggled X-Atlassian-* headers,
 * matrix parameters in the path, and a revoked key that kept working for 30 s. Each runs against a whole
 * backend over HTTP (the server's own proxy path), with a scripted stand-in for Atlassian.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey } from '@jira-integration/backend/auth/keys';
import { FAILED_KEY_LIMIT, FAILED_KEY_WINDOW_MS } from '@jira-integration/backend/auth/rate-limits';
import { SESSION_COOKIE, signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import { apiKeys } from '@jira-integration/backend/db/schema';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { ManualClock } from '@jira-integration/backend/test-support/context';
import { authMessages } from '@jira-integration/shared';
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../support/backend';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

let upstream: http.Server;
let answer: (res: http.ServerResponse) => void;
const seen: Seen[] = [];
let backend: TestBackend;
let connectionId: string;
const clock = new ManualClock();

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    // The stand-in still accepts the user's token: its scripted 401s are about the call, not the connection.
    if (req.url === '/oauth/token/accessible-resources') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      return;
    }
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  backend = await startTestBackend({
    clock,
    env: {
      ATLASSIAN_CLIENT_ID: 'client',
      ATLASSIAN_CLIENT_SECRET: 'secret',
      ATLASSIAN_AUTH_URL: upstreamUrl,
      ATLASSIAN_API_URL: upstreamUrl,
      JOBS: 'off',
    },
  });
  const connection = await insertTestConnection(backend.services, {
    teamId: backend.team.id,
    cloudId: 'cloud-1',
    accessToken: 'user-token',
  });
  connectionId = connection.id;
});

afterAll(async () => {
  await backend?.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function proxied(jiraPath: string, init: RequestInit = {}, key: string | null = backend.team.key) {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  seen.length = 0;
  return fetch(`${backend.url}/v1/jira/connections/${connectionId}/proxy/${jiraPath}`, { ...init, headers });
}

describe('the proxy does not serve active content on our origin', () => {
  it('marks an upstream text/html answer nosniff and sandboxed', async () => {
    answer = (res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<script>fetch("/v1/teams/me").then(r => r.text()).then(alert)</script>');
    const response = await proxied('rest/api/3/issue/ENG-1');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
  });

  it('marks its own error answers nosniff and sandboxed too', async () => {
    const response = await proxied('wiki/rest/api/content');
    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
  });

  it('serves attachments as downloads, keeping the file name', async () => {
    answer = (res) =>
      res
        .writeHead(200, {
          'content-type': 'image/svg+xml',
          'content-disposition': 'inline; filename="x.svg"',
        })
        .end('<svg onload="alert(1)"/>');
    const named = await proxied('rest/api/3/attachment/content/10000');
    expect(named.headers.get('content-disposition')).toBe('attachment; filename="x.svg"');
    await named.text();

    answer = (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<b>thumb</b>');
    const unnamed = await proxied('rest/api/2/attachment/thumbnail/10000');
    expect(unnamed.headers.get('content-disposition')).toBe('attachment');
    await unnamed.text();
  });

  it('refuses the console session cookie: only API keys open the proxy', async () => {
    const session = await signInWithApiKey(backend.services.db, backend.team.key, clock.now());
    const response = await proxied(
      'rest/api/3/myself',
      { headers: { cookie: `${SESSION_COOKIE}=${session}` } },
      null,
    );
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      authMessages.unauthorized,
    );
    expect(seen).toHaveLength(0);
  });
});

describe('headers that speak for Jira do not cross', () => {
  it("drops Jira's CORS grants and auth challenges", async () => {
    answer = (res) =>
      res
        .writeHead(401, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
          'access-control-allow-credentials': 'true',
          'access-control-expose-headers': 'x-arequestid',
          'www-authenticate': 'OAuth realm="https://acme.atlassian.net"',
        })
        .end('{"errorMessages":["unauthorized"]}');
    const response = await proxied('rest/api/3/myself');
    expect(response.status).toBe(401);
    const names = [...response.headers.keys()];
    expect(names.filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(names).not.toContain('www-authenticate');
  });

  it('passes X-Atlassian-Token (attachment uploads need it) but no other X-Atlassian-* header', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    const response = await proxied('rest/api/3/issue/ENG-1/attachments', {
      method: 'POST',
      headers: {
        'x-atlassian-token': 'no-check',
        'x-atlassian-force-account-id': 'true',
        'x-atlassian-impersonate': 'admin',
        'x-atlassian-mau-ignore': 'true',
        'content-type': 'multipart/form-data; boundary=b',
      },
      body: '--b--\r\n',
    });
    expect(response.status).toBe(200);
    const forwarded = Object.keys(seen[0].headers).filter((name) => name.startsWith('x-atlassian-'));
    expect(forwarded).toEqual(['x-atlassian-token']);
    expect(seen[0].headers['x-atlassian-token']).toBe('no-check');
  });
});

describe('path parameters', () => {
  it.each([
    'rest/api/3/myself;jsessionid=abc',
    'rest/api/3/search;x=1/jql',
    'rest/api/3/issue/ENG-1%3Bx=1',
    'rest/api/3/issue/ENG-1%3b',
  ])('refuses %s with 400, without calling Jira', async (jiraPath) => {
    const response = await proxied(jiraPath);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      proxyMessages.semicolon,
    );
    expect(seen).toHaveLength(0);
  });
});

describe('revocation', () => {
  it('a key revoked in the database stops working on the proxy within a second', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const team = await backend.services.db.select().from(apiKeys).where(eq(apiKeys.teamId, backend.team.id));
    expect((await proxied('rest/api/3/myself')).status).toBe(200);
    // As another process would: the row changes, this process's caches are not told.
    await backend.services.db
      .update(apiKeys)
      .set({ revokedAt: clock.now() })
      .where(eq(apiKeys.id, team[0].id));
    clock.advance(1_000);
    const response = await proxied('rest/api/3/myself');
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(0);
  });
});

describe('guessing keys', () => {
  it('answers 429 with Retry-After once an address has sent too many wrong keys, like every team route', async () => {
    // Earlier tests in this file may have spent some of the address's attempts (a revoked key counts too).
    let refused = await proxied('rest/api/3/myself', {}, 'jik_guess-0');
    let attempts = 1;
    while (refused.status === 401 && attempts <= FAILED_KEY_LIMIT) {
      await refused.arrayBuffer();
      refused = await proxied('rest/api/3/myself', {}, `jik_guess-${attempts}`);
      attempts += 1;
    }
    expect(refused.status).toBe(429);
    expect(attempts).toBeLessThanOrEqual(FAILED_KEY_LIMIT + 1);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_failed_keys');
    expect(seen).toHaveLength(0);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('revocation across processes (PostgreSQL)', () => {
  it('a key revoked through one process stops working on the other within a second', async () => {
    const env = {
      ATLASSIAN_CLIENT_ID: 'client',
      ATLASSIAN_CLIENT_SECRET: 'secret',
      ATLASSIAN_API_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      JOBS: 'off',
    };
    const clockB = new ManualClock();
    const first = await startTestBackend({ kind: 'postgres', env });
    const second = await startTestBackend({ shareDatabaseOf: first, env, clock: clockB });
    try {
      const connection = await insertTestConnection(first.services, {
        teamId: first.team.id,
        cloudId: 'cloud-2',
        accessToken: 'user-token',
        expiresAt: new Date(clockB.now().getTime() + 3600_000),
      });
      answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const call = () =>
        fetch(`${second.url}/v1/jira/connections/${connection.id}/proxy/rest/api/3/myself`, {
          headers: { authorization: `Bearer ${first.team.key}` },
        });
      expect((await call()).status).toBe(200);
      await first.services.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(eq(apiKeys.teamId, first.team.id));
      clockB.advance(1_000);
      expect((await call()).status).toBe(401);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

// Proxied calls skip the app's routing (server.ts), so the hot path itself must keep what the middleware gives
// every other request: one request id in header, error body and logs, and request metrics by route.
describe('the hot path keeps request ids and metrics', () => {
  it('echoes a sane X-Request-Id in the header and the error body, and counts the call by route', async () => {
    clock.advance(FAILED_KEY_WINDOW_MS); // past any failed-key block an earlier test left on this address
    const { key } = await createApiKey(backend.services.db, backend.team.id, 'request ids');
    const refused = await proxied('rest/api/3/..%2fadmin', { headers: { 'x-request-id': 'trace-42' } }, key);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).toBe('trace-42');
    expect(await refused.json()).toMatchObject({
      error: { code: 'invalid_proxy_path', requestId: 'trace-42' },
    });

    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const served = await proxied(
      'rest/api/3/myself',
      { headers: { 'x-request-id': 'bad id with spaces' } },
      key,
    );
    expect(served.status).toBe(200);
    expect(served.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const metrics = await (await fetch(`${backend.url}/metrics`)).text();
    const route = 'route="/v1/jira/connections/:id/proxy/*"';
    expect(metrics).toContain(`http_requests_total{method="GET",${route},status="200"}`);
    expect(metrics).toContain(`http_requests_total{method="GET",${route},status="400"}`);
  });
});
