/**
 * The generated fuzz suite: every route the app serves (read from the app itself, with its OpenAPI document for
 * bodies and queries) gets seeded, bounded, malformed requests over real HTTP, through the same listener as
 * production (the proxy's hot path included), with and without valid credentials of each kind. No answer may
 * be a 5xx or a dropped connection, every API error is `{"error":{code,message,requestId}}` with a code from the
 * closed set, and the process keeps serving. FUZZ_RUNS=<n> draws n cases per route instead of the default.
 */
import { Agent } from 'node:http';
import { localAdminRoutes } from '@jira-integration/backend/admin/routes';
import { SESSION_COOKIE, signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import { ERROR_CODES } from '@jira-integration/backend/http/errors';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { rawRequest } from '@jira-integration/backend/test-support/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { type Auth, casesFor, type FuzzCase, type FuzzIds, fuzzRoutes } from '../support/fuzz';
import { connectSyncedSite } from '../support/sync';
import { forgeInvocationToken, startWorld, type World } from '../support/world';

const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
const SEED = Number(process.env.FUZZ_SEED ?? 20261208);
const ADMIN_SECRET = 'fuzz-admin-secret-0123456789abcdef';
const CLOSED_CODES = new Set(Object.keys(ERROR_CODES));

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

describe.each(testDatabaseKinds())('generated fuzz suite (%s)', (kind) => {
  let world: World;
  let url: string;
  let sessionCookie: string;
  let ids: FuzzIds;
  let installation: { installationId: string; apiBaseUrl: string; cloudId: string };
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    world = await startWorld({ kind });
    // Mounted before the first request, as a PGlite backend mounts it for the CLI.
    world.backend.app.route('/', localAdminRoutes(ADMIN_SECRET));
    url = world.backend.url;
    const { connectionId } = await connectSyncedSite(world);
    installation = world.sandbox.forge.installations()[0];
    const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      fetchAsTeam(url, world.backend.team.key, path, init);
    const ticket = (await (
      await api('/v1/tickets', { method: 'POST', json: { title: 'Fuzz target', description: 'x' } })
    ).json()) as { id: string };
    const workflows = (await (await api('/v1/workflows')).json()) as { workflows: Array<{ id: string }> };
    const keys = (await (await api('/v1/team/keys')).json()) as { keys: Array<{ id: string }> };
    ids = {
      connections: [connectionId],
      tickets: [ticket.id],
      workflows: workflows.workflows.map((workflow) => workflow.id),
      keys: keys.keys.map((key) => key.id),
    };
    const token = await signInWithApiKey(world.backend.services.db, world.backend.team.key);
    sessionCookie = `${SESSION_COOKIE}=${token}`;
  });
  afterAll(async () => {
    agent.destroy();
    await world.close();
  });

  /** The manifest module whose endpoint a Forge path is (forge/verify.ts binds tokens to it). */
  const forgeModule = (pattern: string) =>
    pattern.startsWith('/forge/ui/issue-status')
      ? 'sync-status-panel'
      : pattern.startsWith('/forge/ui/admin-overview')
        ? 'sync-admin-page'
        : `${pattern.replace('/forge/', '')}-endpoint`;

  async function authHeaders(auth: Auth, pattern: string): Promise<Record<string, string>> {
    switch (auth) {
      case 'key':
        return { authorization: `Bearer ${world.backend.team.key}` };
      case 'garbage':
        return { authorization: 'Bearer \u00ff\u00fegarbage', cookie: `${SESSION_COOKIE}=%00` };
      case 'session':
        return { cookie: sessionCookie, origin: url };
      case 'admin':
        return { authorization: `Bearer ${ADMIN_SECRET}` };
      case 'forge': {
        const token = await forgeInvocationToken(world, forgeModule(pattern), {
          context: { cloudId: installation.cloudId, extension: { issue: { id: '10001', key: 'SUP-1' } } },
          principal: 'fuzz-account',
        });
        return { authorization: `Bearer ${token}`, 'x-forge-oauth-system': 'not.a.jwt' };
      }
      default:
        return {};
    }
  }

  async function send(method: string, path: string, headers: Record<string, string>, body?: Uint8Array) {
    const answer = await rawRequest(url, path, {
      method,
      agent,
      body,
      headers: { ...headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) },
    });
    return {
      status: answer.status,
      contentType: String(answer.headers['content-type'] ?? ''),
      body: answer.body,
    };
  }

  /** The problem with an answer, or undefined when it is acceptable. */
  function problemOf(fuzzCase: FuzzCase, answer: Answer): string | undefined {
    // A proxied call passes Jira's own answer on, a 5xx included; only ours (in the error shape) is a failure.
    const jirasAnswer = fuzzCase.route.pattern.includes('/proxy/') && !answer.body.includes('"requestId"');
    if (answer.status >= 500 && !jirasAnswer)
      return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
    if (jirasAnswer) return undefined;
    if (answer.status < 400 || fuzzCase.route.pattern.startsWith('/console')) return undefined;
    if (!answer.contentType.includes('application/json'))
      return `error ${answer.status} is not JSON (${answer.contentType})`;
    let parsed: { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return `error ${answer.status} body is not JSON: ${answer.body.slice(0, 200)}`;
    }
    const error = parsed.error;
    if (
      !error ||
      typeof error.message !== 'string' ||
      typeof error.requestId !== 'string' ||
      typeof error.code !== 'string' ||
      !CLOSED_CODES.has(error.code)
    )
      return `error ${answer.status} is not in the error shape: ${answer.body.slice(0, 200)}`;
    return undefined;
  }

  it('answers every malformed request without a 5xx, a dropped connection or an error outside the shape', async () => {
    const document = JSON.parse((await send('GET', '/openapi.json', {})).body);
    const routes = fuzzRoutes(world.backend.app.routes, document);
    // The document's operations and the console's forms, /forge/* and /_admin/cli are all among them.
    expect(routes.length).toBeGreaterThan(60);
    for (const needed of [
      'POST /v1/tickets',
      'POST /forge/events',
      'POST /_admin/cli',
      'POST /console/tickets/new',
    ])
      expect(routes.map((r) => `${r.method} ${r.pattern}`)).toContain(needed);
    const problems: string[] = [];
    let sent = 0;
    for (const [index, route] of routes.entries()) {
      const cases = casesFor(route, RUNS, SEED + index, ids);
      // A few at a time: the process serves concurrent malformed requests as it serves one.
      for (let at = 0; at < cases.length; at += 6) {
        await Promise.all(
          cases.slice(at, at + 6).map(async (fuzzCase) => {
            const headers = { ...(await authHeaders(fuzzCase.auth, route.pattern)), ...fuzzCase.headers };
            sent += 1;
            try {
              const answer = await send(fuzzCase.method, fuzzCase.path, headers, fuzzCase.body);
              const problem = problemOf(fuzzCase, answer);
              if (problem) problems.push(`${fuzzCase.label}: ${problem}`);
            } catch (error) {
              problems.push(`${fuzzCase.label}: connection failed (${(error as Error).message})`);
            }
          }),
        );
      }
    }
    expect(
      problems.slice(0, Number(process.env.FUZZ_SHOW ?? 25)),
      `${problems.length} of ${sent} answers were wrong`,
    ).toEqual([]);
    // Still serving, and nothing reached the catch-all error handler.
    expect((await send('GET', '/healthz', {})).status).toBe(200);
    expect(world.backend.logs.text()).not.toContain('unhandled error');
  });
});
