/**
 * Test support for the Forge platform: a minimal ForgePlatformContext, the platform served over HTTP, and a fake
 * app backend that verifies every invocation token against the platform's JWKS as a real remote would.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { ForgePlatformContext, TokenGrant } from '../src/contracts';
import { invocationTokenIssuer } from '../src/forge/invocation-token';
import { createForgePlatform, type ForgePlatformOptions } from '../src/forge/platform';
import { createManualScheduler } from '../src/forge/scheduler';

export const siteA = { cloudId: 'cloud-a', name: 'Site A', url: 'https://site-a.atlassian.net' };
export const siteB = { cloudId: 'cloud-b', name: 'Site B', url: 'https://site-b.atlassian.net' };
export const alice = { accountId: 'acc-alice', displayName: 'Alice', appAccess: true, siteIds: ['cloud-a'] };
export const bob = { accountId: 'acc-bob', displayName: 'Bob', appAccess: false, siteIds: ['cloud-a'] };
export const carol = { accountId: 'acc-carol', displayName: 'Carol', appAccess: true, siteIds: ['cloud-b'] };
export const appBot = {
  accountId: 'acc-app-bot',
  displayName: 'Jira sync (app)',
  appAccess: false,
  siteIds: ['cloud-a', 'cloud-b'],
  accountType: 'app',
};

export interface Served {
  url: string;
  close(): Promise<void>;
}

export function serveApp(app: Hono): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets from fetch would otherwise hold close() open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      }),
    );
  });
}

/** A movable clock: tests shift `offsetMs` to jump ahead in time. */
export function createClock() {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  return clock;
}

export function createTestContext(clock = createClock()) {
  const grants = new Map<string, TokenGrant>();
  let url = '';
  const ctx: ForgePlatformContext = {
    tokens: {
      add: (token, grant) => {
        grants.set(token, grant);
        return token;
      },
      get: (token) => grants.get(token),
      revoke: (token) => {
        grants.delete(token);
      },
    },
    now: () => clock.now(),
    sites: () => [siteA, siteB],
    users: () => [alice, bob, carol, appBot],
    url: () => url,
  };
  return { ctx, grants, clock, setUrl: (value: string) => (url = value) };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The verified FIT payload; undefined when verification failed. */
  claims?: JWTPayload;
  verifyError?: string;
}

/** A fake app remote: records requests, verifies FITs, and answers with `respond` (default 200). */
export async function startFakeBackend(a: { jwksUrl: string; appId: string; now(): number }) {
  const jwks = createRemoteJWKSet(new URL(a.jwksUrl));
  const received: ReceivedRequest[] = [];
  const backend = {
    received,
    respond: (_request: ReceivedRequest): number | Promise<number> => 200,
    url: '',
    close: async () => {},
  };
  const app = new Hono();
  app.all('*', async (c) => {
    const text = await c.req.text();
    const request: ReceivedRequest = {
      method: c.req.method,
      path: c.req.path,
      headers: Object.fromEntries(c.req.raw.headers),
      body: text ? JSON.parse(text) : null,
    };
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    try {
      const { payload } = await jwtVerify(token, jwks, {
        audience: a.appId,
        issuer: invocationTokenIssuer,
        algorithms: ['RS256'],
        currentDate: new Date(a.now()),
      });
      request.claims = payload;
    } catch (error) {
      request.verifyError = (error as Error).message;
    }
    received.push(request);
    if (request.verifyError) return c.json({ message: 'invalid invocation token' }, 401);
    const status = await backend.respond(request);
    return c.json({ echo: request.body, principal: request.claims?.principal ?? null }, status as 200);
  });
  const served = await serveApp(app);
  backend.url = served.url;
  backend.close = served.close;
  return backend;
}

/**
 * A platform served over HTTP, with a fake backend, torn down by `close()`. Its timers run on a manual
 * scheduler: pushes, redeliveries and delivery time limits happen only when the test calls `scheduler.advance`.
 */
export async function startForgeWorld(options: ForgePlatformOptions = {}) {
  const context = createTestContext();
  const scheduler = createManualScheduler();
  const platform = createForgePlatform(context.ctx, { scheduler, ...options });
  const sandboxApp = new Hono();
  sandboxApp.route('/', platform.routes);
  const sandbox = await serveApp(sandboxApp);
  context.setUrl(sandbox.url);
  const backend = await startFakeBackend({
    jwksUrl: platform.jwksUrl(),
    appId: platform.appId,
    now: context.clock.now,
  });
  return {
    ...context,
    platform,
    scheduler,
    backend,
    sandboxUrl: sandbox.url,
    /** Requests the backend received on one path. */
    at: (path: string) => backend.received.filter((request) => request.path === path),
    async close() {
      await platform.close();
      await backend.close();
      await sandbox.close();
    },
  };
}
