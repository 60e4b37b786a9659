import http from 'node:http';
import { authMessages } from '@jira-integration/shared';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, listen, type TestContext } from '../../test-support/context';
import {
  echoRequest,
  type FakeUpstream,
  proxyTestApp,
  rawRequest,
  type SeenRequest,
  startFakeUpstream,
} from '../../test-support/proxy';
import { FairShare } from '../atlassian/fair-share';
import { apiKeys, auditLog, forgeInstallations, jiraConnections } from '../db/schema';
import { SYSTEM_TOKEN_PURPOSE } from '../forge/credentials';
import type { JiraConnection } from '../model/connection';
import { flushProxyAudit } from './audit';

let upstream: FakeUpstream;
let ctx: TestContext;
let proxy: Awaited<ReturnType<typeof listen>>;
let sleeps: number[] = [];
let graphqlCalls: Array<{ authorization: string; variables: unknown }> = [];
const connections: Record<'user' | 'custom' | 'forge' | 'stale' | 'dead', JiraConnection> = {} as never;
const LAST_PUSH = new Date('2026-11-23T08:00:00Z');
/** Answers that never come are released here so the fake upstream can close. */
let releaseHanging: () => void = () => {};

function defaultUpstream(c: Context, seen: SeenRequest) {
  if (seen.target === '/graphql') {
    const { variables } = JSON.parse(seen.body) as { variables: { userId: string } };
    graphqlCalls.push({ authorization: seen.headers.authorization, variables });
    if (variables.userId === 'refused-user') {
      return c.json({
        data: {
          offlineUserAuthToken: {
            success: false,
            errors: [{ message: 'user has no access to the app' }],
            authToken: null,
          },
        },
      });
    }
    return c.json({
      data: {
        offlineUserAuthToken: {
          success: true,
          errors: [],
          authToken: { token: `as-${variables.userId}`, ttl: 3600 },
        },
      },
    });
  }
  return echoRequest(c, seen);
}

async function upgrade(connection: JiraConnection, apiBaseUrl: string, expiresInMs: number) {
  const now = ctx.services.clock.now();
  await ctx.services.db
    .update(jiraConnections)
    .set({ forgeUpgradedAt: now })
    .where(eq(jiraConnections.id, connection.id));
  await ctx.services.db.insert(forgeInstallations).values({
    cloudId: connection.cloudId,
    installationId: `installation-${connection.cloudId}`,
    apiBaseUrl,
    systemTokenEncrypted: ctx.services.encryptor.encrypt('system-token', SYSTEM_TOKEN_PURPOSE),
    systemTokenExpiresAt: new Date(now.getTime() + expiresInMs),
    installedAt: now,
    lastPushAt: LAST_PUSH,
    updatedAt: now,
  });
  return { ...connection, forgeUpgradedAt: now };
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  ctx = await createTestContext({
    env: {
      ATLASSIAN_API_URL: upstream.url,
      ATLASSIAN_CLIENT_ID: 'managed-client',
      ATLASSIAN_CLIENT_SECRET: 'x',
    },
  });
  // Every call here must beat the limit on a loaded machine; only the hanging upstream below reaches it.
  const app = proxyTestApp(ctx.services, {
    timeoutMs: 2_000,
    maxRetryWaitMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  proxy = await listen(app.fetch);
  const teamId = ctx.team.id;
  const services = ctx.services;
  connections.user = await insertTestConnection(services, {
    teamId,
    cloudId: 'cloud-user',
    accessToken: 'user-token',
  });
  connections.custom = await insertTestConnection(services, {
    teamId,
    cloudId: 'cloud-custom',
    accessToken: 'custom-user-token',
    method: 'custom',
    clientId: 'byo-client',
  });
  connections.forge = await upgrade(
    await insertTestConnection(services, {
      teamId,
      cloudId: 'cloud-forge',
      accessToken: 'forge-site-user-token',
    }),
    `${upstream.url}/ex/jira/cloud-forge`,
    3600_000,
  );
  connections.stale = await upgrade(
    await insertTestConnection(services, {
      teamId,
      cloudId: 'cloud-stale',
      accessToken: 'stale-site-user-token',
      siteUrl: 'https://stale.atlassian.net',
    }),
    `${upstream.url}/ex/jira/cloud-stale`,
    -3600_000,
  );
  connections.dead = await upgrade(
    await insertTestConnection(services, {
      teamId,
      cloudId: 'cloud-dead',
      accessToken: 'dead-site-user-token',
    }),
    'http://127.0.0.1:1/ex/jira/cloud-dead',
    3600_000,
  );
});

beforeEach(() => {
  upstream.respond(defaultUpstream);
  upstream.seen.length = 0;
  // Each test starts with the site's budget unknown: a 429 seen by one test must not refuse the next.
  ctx.services.state.fairShare = new FairShare(() => ctx.services.clock.now().getTime());
  sleeps = [];
  graphqlCalls = [];
});

afterEach(() => releaseHanging());

afterAll(async () => {
  await proxy?.close();
  await ctx?.close();
  await upstream?.close();
});

function call(
  connection: JiraConnection,
  jiraPath: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; key?: string } = {},
) {
  return rawRequest(proxy.url, `/v1/jira/connections/${connection.id}/proxy/${jiraPath}`, {
    method: init.method,
    body: init.body,
    headers: { authorization: `Bearer ${init.key ?? ctx.team.key}`, ...init.headers },
  });
}

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('forwarding', () => {
  it('forwards method, path, query, the headers that matter and the body, as the connecting user', async () => {
    const body = JSON.stringify({ fields: { summary: 'Printer on fire' } });
    const response = await call(connections.user, 'rest/api/3/issue?notifyUsers=false&expand=names', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-atlassian-token': 'no-check',
        cookie: 'session=abc',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        te: 'trailers',
        'x-forwarded-for': '10.0.0.1',
      },
    });
    // The client's Authorization header is the team key; it is replaced, never forwarded.
    expect(response.status).toBe(200);
    expect(response.headers['x-jira-auth-mode']).toBe('user');
    const [seen] = upstream.seen;
    expect(upstream.seen).toHaveLength(1);
    expect(seen.method).toBe('POST');
    expect(seen.target).toBe('/ex/jira/cloud-user/rest/api/3/issue?notifyUsers=false&expand=names');
    expect(seen.body).toBe(body);
    expect(seen.headers.authorization).toBe('Bearer user-token');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-atlassian-token']).toBe('no-check');
    expect(seen.headers).not.toHaveProperty('cookie');
    expect(seen.headers).not.toHaveProperty('proxy-authorization');
    expect(seen.headers).not.toHaveProperty('te');
    expect(seen.headers).not.toHaveProperty('x-forwarded-for');
    expect(JSON.stringify(seen.headers)).not.toContain(ctx.team.key);
  });

  it("returns Jira's status, headers and body unchanged, but never its Set-Cookie", async () => {
    upstream.respond(
      () =>
        new Response('{"id":"10001","key":"OPS-1"}', {
          status: 201,
          headers: {
            'content-type': 'application/json;charset=UTF-8',
            'set-cookie': 'atlassian.xsrf.token=secret; Path=/',
            etag: '"v1"',
            'x-arequestid': 'abc-123',
          },
        }),
    );
    const response = await call(connections.user, 'rest/api/3/issue', { method: 'POST', body: '{}' });
    expect(response.status).toBe(201);
    expect(response.body).toBe('{"id":"10001","key":"OPS-1"}');
    expect(response.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(response.headers.etag).toBe('"v1"');
    expect(response.headers['x-arequestid']).toBe('abc-123');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('passes 5xx answers through', async () => {
    upstream.respond(() => new Response('{"errorMessages":["boom"]}', { status: 500 }));
    const response = await call(connections.user, 'rest/api/3/myself');
    expect(response.status).toBe(500);
    expect(response.body).toBe('{"errorMessages":["boom"]}');
  });

  it.each(['rest/api/2/issue/OPS-1', 'rest/agile/1.0/board?maxResults=1', 'rest/servicedeskapi/servicedesk'])(
    'forwards the allowed API family of %s',
    async (jiraPath) => {
      const response = await call(connections.user, jiraPath);
      expect(response.status).toBe(200);
      expect(upstream.seen[0].target).toBe(`/ex/jira/cloud-user/${jiraPath}`);
    },
  );

  it('forwards forms/ to the Forms host of the site, not under /ex/jira', async () => {
    const response = await call(connections.user, 'forms/cloud/cloud-user/issue/OPS-1/form');
    expect(response.status).toBe(200);
    expect(upstream.seen[0].target).toBe('/jira/forms/cloud/cloud-user/issue/OPS-1/form');
  });

  it('forwards a percent-encoded path in the form it checked', async () => {
    const response = await call(connections.user, 'rest/api/3/issue/OPS-1/properties/my%20key');
    expect(response.status).toBe(200);
    expect(upstream.seen[0].target).toBe('/ex/jira/cloud-user/rest/api/3/issue/OPS-1/properties/my%20key');
    await call(connections.user, 'rest%2Fapi%2F3%2Fmyself');
    expect(upstream.seen[1].target).toBe('/ex/jira/cloud-user/rest/api/3/myself');
  });
});

describe('path safety', () => {
  it.each([
    ['rest/api/3/../../../admin', proxyMessages.traversal],
    ['rest/api/3/%2e%2e/%2E%2E/secure/admin', proxyMessages.traversal],
    ['rest/api/3/./myself', proxyMessages.traversal],
    ['rest/api/3/%252e%252e/secure', proxyMessages.doubleEncoded],
    ['rest/api/3/x%252fy', proxyMessages.doubleEncoded],
    ['rest/api/3/issue%5c..%5cadmin', proxyMessages.backslash],
    ['http://evil.example/rest/api/3/myself', proxyMessages.absoluteUrl],
    ['https:%2F%2Fevil.example/rest/api/3/myself', proxyMessages.absoluteUrl],
    ['/evil.example/rest/api/3/myself', proxyMessages.absoluteUrl],
    ['%2F%2Fevil.example/rest/api/3/myself', proxyMessages.absoluteUrl],
    ['rest/api/3//myself', proxyMessages.emptySegment],
    ['rest/api/3/%zz', proxyMessages.badEncoding],
    ['rest/api/3/issue%0aHost:%20evil', proxyMessages.badEncoding],
    ['secure/admin', proxyMessages.pathNotAllowed('secure/admin')],
    ['rest/api/latest/myself', proxyMessages.pathNotAllowed('rest/api/latest/myself')],
    ['wiki/rest/api/content', proxyMessages.pathNotAllowed('wiki/rest/api/content')],
  ])('refuses %s with 400 and a clear message', async (jiraPath, message) => {
    const response = await call(connections.user, jiraPath);
    expect(response.status).toBe(400);
    expect(errorOf(response.body).message).toBe(message);
    expect(upstream.seen).toHaveLength(0);
  });

  it("answers 404 for another team's connection id, without calling Jira", async () => {
    const other = await ctx.createTeam('Other team');
    const response = await call(connections.user, 'rest/api/3/myself', { key: other.key });
    expect(response.status).toBe(404);
    expect(errorOf(response.body)).toEqual({
      code: 'connection_not_found',
      message: 'No Jira connection with that id.',
    });
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 401 without a valid team key', async () => {
    const response = await call(connections.user, 'rest/api/3/myself', { key: 'jik_not-a-key' });
    expect(response.status).toBe(401);
    expect(errorOf(response.body).message).toBe(authMessages.unauthorized);
  });
});

describe('streaming', () => {
  it('delivers the first bytes before Jira has finished sending', async () => {
    let finishUpstream: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finishUpstream = resolve;
    });
    let upstreamDone = false;
    upstream.respond(
      () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first-chunk;'));
              await finished;
              controller.enqueue(new TextEncoder().encode('last-chunk'));
              upstreamDone = true;
              controller.close();
            },
          }),
          { headers: { 'content-type': 'application/octet-stream' } },
        ),
    );
    const received = await new Promise<string>((resolve, reject) => {
      const request = http.get(
        `${proxy.url}/v1/jira/connections/${connections.user.id}/proxy/rest/api/3/attachment/content/1`,
        { headers: { authorization: `Bearer ${ctx.team.key}` } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            if (!text) {
              // The proxy passed the first chunk on while Jira was still sending.
              expect(upstreamDone).toBe(false);
              finishUpstream();
            }
            text += chunk.toString();
          });
          response.on('end', () => resolve(text));
        },
      );
      request.on('error', reject);
    });
    expect(received).toBe('first-chunk;last-chunk');
  });

  it('passes a large body through intact', async () => {
    const size = 3 * 1024 * 1024;
    upstream.respond(() => new Response(new Uint8Array(size).fill(97)));
    const response = await call(connections.user, 'rest/api/3/attachment/content/2');
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(size);
  });
});

describe('rate limits and failures', () => {
  function limitedTimes(times: number, status = 429, retryAfter = '2') {
    let answered = 0;
    upstream.respond((c, seen) => {
      answered += 1;
      if (answered <= times) {
        return new Response('{"errorMessages":["Rate limit exceeded."]}', {
          status,
          headers: {
            'retry-after': retryAfter,
            'ratelimit-reason': 'jira-burst-based',
            'x-ratelimit-limit': '65000',
            'x-ratelimit-remaining': '0',
          },
        });
      }
      return echoRequest(c, seen);
    });
  }

  it('retries a GET after 429 Retry-After and answers with the eventual success', async () => {
    limitedTimes(2);
    const response = await call(connections.user, 'rest/api/3/myself');
    expect(response.status).toBe(200);
    expect(upstream.seen).toHaveLength(3);
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('retries a GET after 503 Retry-After', async () => {
    limitedTimes(1, 503, '1');
    const response = await call(connections.user, 'rest/api/3/myself');
    expect(response.status).toBe(200);
    expect(sleeps).toEqual([1000]);
  });

  it('passes the 429 and its headers through once the wait budget is spent', async () => {
    limitedTimes(10, 429, '4');
    const response = await call(connections.user, 'rest/api/3/myself');
    expect(response.status).toBe(429);
    expect(upstream.seen).toHaveLength(2);
    expect(sleeps).toEqual([4000]);
    expect(response.headers['retry-after']).toBe('4');
    expect(response.headers['ratelimit-reason']).toBe('jira-burst-based');
    expect(response.headers['x-ratelimit-remaining']).toBe('0');
    expect(response.body).toBe('{"errorMessages":["Rate limit exceeded."]}');
  });

  it('never retries a POST without an idempotency key', async () => {
    limitedTimes(1);
    const response = await call(connections.user, 'rest/api/3/issue', { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(429);
    expect(upstream.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a POST that carries an Idempotency-Key, sending the same body again', async () => {
    limitedTimes(1);
    const response = await call(connections.user, 'rest/api/3/issue', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'idempotency-key': 'ticket-42-create', 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(upstream.seen.map((seen) => seen.body)).toEqual(['{"a":1}', '{"a":1}']);
    expect(upstream.seen[1].headers).not.toHaveProperty('idempotency-key');
  });

  it('retries a PUT with its body', async () => {
    limitedTimes(1);
    const response = await call(connections.user, 'rest/api/3/issue/OPS-1', {
      method: 'PUT',
      body: '{"fields":{}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(upstream.seen.map((seen) => seen.body)).toEqual(['{"fields":{}}', '{"fields":{}}']);
  });

  it('answers 504 with a clear message when Jira does not answer in time', async () => {
    upstream.respond(
      () =>
        new Promise<Response>((resolve) => {
          releaseHanging = () => resolve(new Response('late'));
        }),
    );
    const response = await call(connections.user, 'rest/api/3/myself');
    expect(response.status).toBe(504);
    expect(errorOf(response.body)).toEqual({
      code: 'jira_timeout',
      message: proxyMessages.upstreamTimeout(2),
    });
  });

  it('answers 502 with a clear message when Jira cannot be reached', async () => {
    const response = await call(connections.dead, 'rest/api/3/myself', {
      headers: { 'x-use-connect-auth': 'true' },
    });
    expect(response.status).toBe(502);
    expect(errorOf(response.body)).toEqual({
      code: 'jira_unreachable',
      message: proxyMessages.upstreamUnreachable,
    });
  });
});

describe('auth modes', () => {
  const connectAuth = { 'x-use-connect-auth': 'true' };

  it.each([
    ['a managed connection the Forge app has not upgraded', 'user', 'user-token'],
    ['a bring-your-own connection', 'custom', 'custom-user-token'],
  ] as const)('ignores both headers on %s and runs as the connecting user', async (_label, which, token) => {
    const response = await call(connections[which], 'rest/api/3/myself', {
      headers: { ...connectAuth, 'x-as-jira-user': 'someone-else' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-jira-auth-mode']).toBe('user');
    expect(upstream.seen[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(graphqlCalls).toHaveLength(0);
  });

  it('runs as the connecting user on an upgraded connection unless asked otherwise', async () => {
    const response = await call(connections.forge, 'rest/api/3/myself');
    expect(response.headers['x-jira-auth-mode']).toBe('user');
    expect(upstream.seen[0].headers.authorization).toBe('Bearer forge-site-user-token');
  });

  it('uses the Forge system token with X-Use-Connect-Auth on an upgraded connection', async () => {
    const response = await call(connections.forge, 'rest/api/3/myself', { headers: connectAuth });
    expect(response.status).toBe(200);
    expect(response.headers['x-jira-auth-mode']).toBe('service_account');
    expect(upstream.seen[0].target).toBe('/ex/jira/cloud-forge/rest/api/3/myself');
    expect(upstream.seen[0].headers.authorization).toBe('Bearer system-token');
  });

  it('impersonates with X-As-Jira-User, asking GraphQL once per user and sharing concurrent requests', async () => {
    const headers = { ...connectAuth, 'x-as-jira-user': 'acc-alice' };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call(connections.forge, 'rest/api/3/myself', { headers })),
    );
    expect(answers.map((answer) => answer.headers['x-jira-auth-mode'])).toEqual(
      Array(4).fill('impersonation'),
    );
    await call(connections.forge, 'rest/api/3/myself', { headers });
    expect(graphqlCalls).toEqual([
      {
        authorization: 'Bearer system-token',
        variables: { contextIds: ['ari:cloud:jira::site/cloud-forge'], userId: 'acc-alice' },
      },
    ]);
    const jiraCalls = upstream.seen.filter((seen) => seen.target !== '/graphql');
    expect(jiraCalls.map((seen) => seen.headers.authorization)).toEqual(Array(5).fill('Bearer as-acc-alice'));
  });

  it('answers 403 with the reason when Atlassian refuses to impersonate', async () => {
    const response = await call(connections.forge, 'rest/api/3/myself', {
      headers: { ...connectAuth, 'x-as-jira-user': 'refused-user' },
    });
    expect(response.status).toBe(403);
    expect(errorOf(response.body)).toEqual({
      code: 'impersonation_refused',
      message: proxyMessages.impersonationRefused('refused-user', 'user has no access to the app'),
    });
  });

  it('says why when Jira refuses an impersonated call (401), instead of passing a bare Unauthorized on', async () => {
    upstream.respond((c, seen) =>
      seen.target === '/graphql'
        ? defaultUpstream(c, seen)
        : c.json({ code: 401, message: 'Unauthorized; scope does not match' }, 401),
    );
    const response = await call(connections.forge, 'rest/api/3/myself', {
      headers: { ...connectAuth, 'x-as-jira-user': 'acc-carol' },
    });
    expect(response.status).toBe(401);
    expect(errorOf(response.body)).toEqual({
      code: 'impersonated_call_refused',
      message: proxyMessages.impersonatedCallRefused('acc-carol', 'rest/api/3/myself'),
    });
    // Without impersonation Jira's own 401 passes through unchanged.
    const plain = await call(connections.forge, 'rest/api/3/myself', { headers: connectAuth });
    expect(plain.status).toBe(401);
    expect(JSON.parse(plain.body)).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });
  });

  it("checks a 401 to the connecting user's token before passing it on, never one to the Forge app's tokens", async () => {
    ctx.services.state.tokenChecks.clear();
    const scopeMismatch = { code: 401, message: 'Unauthorized; scope does not match' };
    upstream.respond((c, seen) => {
      if (seen.target === '/graphql') return defaultUpstream(c, seen);
      if (seen.target === '/oauth/token/accessible-resources') return c.json([]);
      return c.json(scopeMismatch, 401);
    });
    const probes = () => upstream.seen.filter((seen) => seen.target === '/oauth/token/accessible-resources');
    for (const headers of [connectAuth, { ...connectAuth, 'x-as-jira-user': 'acc-dave' }]) {
      const response = await call(connections.forge, 'rest/api/3/project/search', { headers });
      expect(response.status).toBe(401);
    }
    expect(probes()).toEqual([]);

    const asUser = await call(connections.forge, 'rest/api/3/project/search');
    expect(asUser.status).toBe(401);
    expect(JSON.parse(asUser.body)).toEqual(scopeMismatch);
    expect(probes().map((probe) => probe.headers.authorization)).toEqual(['Bearer forge-site-user-token']);
    const [row] = await ctx.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connections.forge.id));
    expect(row.status).toBe('active');
  });

  it('answers 502 when the GraphQL API fails', async () => {
    upstream.respond((c) => c.json({ errors: [{ message: 'down' }] }, 500));
    const response = await call(connections.forge, 'rest/api/3/myself', {
      headers: { ...connectAuth, 'x-as-jira-user': 'acc-bob' },
    });
    expect(response.status).toBe(502);
    expect(errorOf(response.body)).toEqual({
      code: 'impersonation_failed',
      message: proxyMessages.impersonationFailed(500),
    });
  });

  it('says the Forge app has not pushed credentials recently when they are stale, without calling Jira', async () => {
    const response = await call(connections.stale, 'rest/api/3/myself', { headers: connectAuth });
    expect(response.status).toBe(409);
    expect(errorOf(response.body)).toEqual({
      code: 'forge_credentials_stale',
      message: forgeMessages.credentialsStale('https://stale.atlassian.net', LAST_PUSH),
    });
    expect(errorOf(response.body).message).toContain('The Forge app has not pushed credentials');
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses X-As-Jira-User without X-Use-Connect-Auth on an upgraded connection', async () => {
    const response = await call(connections.forge, 'rest/api/3/myself', {
      headers: { 'x-as-jira-user': 'acc-alice' },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response.body).message).toBe(proxyMessages.asUserNeedsConnectAuth);
  });

  it('refuses an X-As-Jira-User that is not an accountId', async () => {
    const response = await call(connections.forge, 'rest/api/3/myself', {
      headers: { ...connectAuth, 'x-as-jira-user': 'alice@example.com' },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response.body).message).toBe(proxyMessages.invalidAccountId);
  });
});

describe('audit and budget', () => {
  it('audits every call with team, connection, method, path, mode, status and duration, never secrets', async () => {
    await flushProxyAudit(ctx.services);
    await ctx.services.db.delete(auditLog);
    await call(connections.user, 'rest/api/3/search/jql?jql=reporter%3Dsecret%40example.com&fields=summary');
    await call(connections.forge, 'rest/api/3/myself', { headers: { 'x-use-connect-auth': 'true' } });
    await call(connections.user, 'rest/api/3/../../x');
    await flushProxyAudit(ctx.services);
    const rows = await ctx.services.db.select().from(auditLog).where(eq(auditLog.action, 'jira.proxy'));
    // The key that made each call is the row's actor, named as every route's rows name it.
    const [key] = await ctx.services.db.select().from(apiKeys).where(eq(apiKeys.teamId, ctx.team.id));
    expect(new Set(rows.map((row) => row.actor))).toEqual(new Set([`key ${key.prefix}…`]));
    expect(
      rows.map((row) => ({
        teamId: row.teamId,
        target: row.target,
        detail: { ...row.detail, durationMs: 0 },
      })),
    ).toEqual([
      {
        teamId: ctx.team.id,
        target: connections.user.id,
        detail: {
          connectionId: connections.user.id,
          method: 'GET',
          path: 'rest/api/3/search/jql',
          queryKeys: ['jql', 'fields'],
          mode: 'user',
          status: 200,
          durationMs: 0,
        },
      },
      {
        teamId: ctx.team.id,
        target: connections.forge.id,
        detail: {
          connectionId: connections.forge.id,
          method: 'GET',
          path: 'rest/api/3/myself',
          queryKeys: [],
          mode: 'service_account',
          status: 200,
          durationMs: 0,
        },
      },
      {
        teamId: ctx.team.id,
        target: connections.user.id,
        detail: {
          connectionId: connections.user.id,
          method: 'GET',
          path: 'rest/api/3/../../x',
          queryKeys: [],
          mode: 'user',
          status: 400,
          durationMs: 0,
        },
      },
    ]);
    expect(rows.every((row) => typeof row.detail.durationMs === 'number')).toBe(true);
    const stored = JSON.stringify(rows);
    for (const secret of ['secret@example.com', 'user-token', 'system-token', ctx.team.key]) {
      expect(stored).not.toContain(secret);
    }
  });

  it("commits a write's row before answering; reads wait for the batch", async () => {
    await flushProxyAudit(ctx.services);
    await ctx.services.db.delete(auditLog);
    const rowsNow = async () =>
      (await ctx.services.db.select().from(auditLog).where(eq(auditLog.action, 'jira.proxy'))).map(
        (row) => row.detail.method,
      );
    await call(connections.user, 'rest/api/3/issue', { method: 'POST', body: '{}' });
    await call(connections.user, 'rest/api/3/issue/ENG-1', { method: 'DELETE' });
    await call(connections.user, 'rest/api/3/myself');
    // No flush: the writes are in the log the moment their answers arrived, the read not yet.
    expect(await rowsNow()).toEqual(['POST', 'DELETE']);
    await flushProxyAudit(ctx.services);
    expect(await rowsNow()).toEqual(['POST', 'DELETE', 'GET']);
  });

  it('still answers a write when its audit insert fails, and writes the row once the database is back', async () => {
    await flushProxyAudit(ctx.services);
    await ctx.services.db.delete(auditLog);
    const db = ctx.services.db;
    const execute = db.execute.bind(db);
    db.execute = (() => Promise.reject(new Error('database unavailable'))) as unknown as typeof db.execute;
    try {
      const response = await call(connections.user, 'rest/api/3/issue', { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
    } finally {
      db.execute = execute;
    }
    expect(ctx.logs.text()).toContain('proxy audit write failed for answered writes; will retry');
    await flushProxyAudit(ctx.services);
    const rows = await db.select().from(auditLog).where(eq(auditLog.action, 'jira.proxy'));
    expect(rows.map((row) => row.detail.method)).toEqual(['POST']);
  });

  it("exposes Jira's hourly budget per app identity, only for the team's identities", async () => {
    const budgetHeaders = (remaining: string) => ({
      'x-ratelimit-limit': '65000',
      'x-ratelimit-remaining': remaining,
      'x-ratelimit-reset': '2026-11-23T11:00Z',
    });
    upstream.respond((_c, seen) => {
      const remaining = seen.headers.authorization === 'Bearer system-token' ? '9000' : '64000';
      return new Response('{}', { headers: budgetHeaders(remaining) });
    });
    await call(connections.user, 'rest/api/3/myself');
    await call(connections.forge, 'rest/api/3/myself', { headers: { 'x-use-connect-auth': 'true' } });
    const response = await rawRequest(proxy.url, '/v1/jira/rate-limit', {
      headers: { authorization: `Bearer ${ctx.team.key}` },
    });
    expect(response.status).toBe(200);
    const { budgets } = JSON.parse(response.body) as { budgets: Array<Record<string, unknown>> };
    expect(
      budgets.map(({ identity, limit, remaining, resetAt }) => ({ identity, limit, remaining, resetAt })),
    ).toEqual([
      { identity: { kind: 'managed' }, limit: 65000, remaining: 64000, resetAt: '2026-11-23T11:00Z' },
      { identity: { kind: 'forge' }, limit: 65000, remaining: 9000, resetAt: '2026-11-23T11:00Z' },
    ]);

    const other = await ctx.createTeam('Budgetless team');
    const otherResponse = await rawRequest(proxy.url, '/v1/jira/rate-limit', {
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(JSON.parse(otherResponse.body)).toEqual({ budgets: [] });
  });

  it('counts the Forge budget as a team identity only while its upgraded connection has fresh credentials', async () => {
    upstream.respond(
      () =>
        new Response('{}', {
          headers: {
            'x-ratelimit-limit': '65000',
            'x-ratelimit-remaining': '8000',
            'x-ratelimit-reset': '2026-11-23T11:00Z',
          },
        }),
    );
    await call(connections.forge, 'rest/api/3/myself', { headers: { 'x-use-connect-auth': 'true' } });
    const team = await ctx.createTeam('Stale site team');
    // Upgraded once, on the site whose credentials have gone stale since.
    const stale = await insertTestConnection(ctx.services, {
      teamId: team.id,
      cloudId: 'cloud-stale',
      accessToken: 'stale-team-token',
    });
    await ctx.services.db
      .update(jiraConnections)
      .set({ forgeUpgradedAt: ctx.services.clock.now() })
      .where(eq(jiraConnections.id, stale.id));
    const response = await rawRequest(proxy.url, '/v1/jira/rate-limit', {
      headers: { authorization: `Bearer ${team.key}` },
    });
    const { budgets } = JSON.parse(response.body) as { budgets: Array<{ identity: { kind: string } }> };
    expect(budgets.map((budget) => budget.identity.kind)).not.toContain('forge');
  });
});
