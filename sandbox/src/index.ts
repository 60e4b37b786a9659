/**
 * The Atlassian sandbox: one local server standing in for auth.atlassian.com (OAuth 2.0 3LO), api.atlassian.com
 * (Jira REST v3, JSM) and the Forge platform, with in-memory state, a reset, fault injection and rate limits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { adminRoutes } from './admin/routes';
import type { ApiEnv, ApiServices } from './api/context';
import { API_PREFIX, mountApiRoutes } from './api/mount';
import type { ForgePlatformContext } from './contracts';
import { type Fault, FaultInjector } from './faults';
import { createForgePlatform, type ForgePlatformOptions } from './forge/platform';
import { formsRoutes } from './forms/routes';
import { jiraRoutes } from './jira/routes';
import { mountMediaRoute } from './jira/routes-attachments';
import { createWebhookDispatcher, type WebhookDispatcher } from './jira/webhooks';
import { jsmRoutes } from './jsm/routes';
import { RateLimiter, type RateLimits } from './limits/rate-limiter';
import { oauthRoutes } from './oauth/routes';
import { OAuthService, type UserTokenRequest } from './oauth/service';
import type { SandboxSeed, SeedOAuthClient } from './seed-types';
import { buildState, clientRecord, loadSeed, type OAuthClientRecord, type SandboxState } from './state';
import { SandboxStats, type StatsSnapshot } from './stats';
import { InMemoryTokenRegistry } from './tokens';

export type { ForgePlatform, JiraChange, TokenGrant, TokenRegistry } from './contracts';
export type { Fault } from './faults';
export type { RateLimits } from './limits/rate-limiter';
export type { SandboxSeed } from './seed-types';
export type { SandboxState, SiteRecord, UserRecord } from './state';
export type { StatsSnapshot } from './stats';

export interface SandboxOptions {
  /** 0 = random (the default); the host is always 127.0.0.1. */
  port?: number;
  /** A seed object or the path of a JSON seed; default sandbox/seed/default.json. */
  seed?: SandboxSeed | string;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Default 600: a rotated refresh token reused within it gets the live pair; after it the family is revoked. */
  refreshReuseGraceSeconds?: number;
  /** Clock in ms, default Date.now. */
  now?: () => number;
  /** Per app (OAuth client id or Forge app id); unset = unlimited. */
  rateLimits?: RateLimits;
  /** Passed to the Forge part. */
  forge?: Pick<
    ForgePlatformOptions,
    | 'appId'
    | 'credentialPushIntervalMs'
    | 'eventRetryDelayMs'
    | 'deliveryTimeoutMs'
    | 'manifestPath'
    | 'scheduler'
  >;
}

export type SandboxForge = ReturnType<typeof createForgePlatform>;

export interface Sandbox {
  /** Auth base and API base, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The spec operations the sandbox serves, as `METHOD /path/template`; every other one answers 501. */
  servedOperations: readonly string[];
  registerOAuthClient(c: {
    clientId: string;
    clientSecret: string;
    callbackUrls: string[];
    name?: string;
    distribution?: 'managed' | 'custom';
  }): void;
  setFault(f: Fault | null): void;
  setRateLimits(l: RateLimits | null): void;
  stats(): StatsSnapshot;
  state: SandboxState;
  /** The Forge part, with its install/uninstall/push helpers. */
  forge: SandboxForge;
  /** Dynamic webhook deliveries: `flush()` waits for those under way, `deliveries()` lists them. */
  webhooks: Pick<WebhookDispatcher, 'flush' | 'deliveries'>;
  tokens: InMemoryTokenRegistry;
  /** Back to the seed; clears faults, tokens, grants and stats; rate limits return to the start options. */
  reset(): void;
  close(): Promise<void>;
  /** Runs the consent flow without a browser; returns the redirect URL (with ?code&state, or ?error). */
  approveAuthorization(
    authorizeUrl: string,
    choice: { accountId: string; cloudIds: string[] },
  ): Promise<string>;
  /** A user access token, issued directly. */
  issueUserToken(g: UserTokenRequest): string;
  /** The user removes the app from their Atlassian account: its access and refresh tokens stop working. */
  revokeAppAccess(g: { clientId: string; accountId: string }): void;
}

/** `/ex/jira/:cloudId/rest/api/3/issue/:issueIdOrKey` → `/rest/api/3/issue/{issueIdOrKey}`. */
function routeTemplate(path: string): string {
  const local = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
  return local.replace(/:(\w+)/g, '{$1}');
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const seed = loadSeed(options.seed);
  const state = buildState(seed);
  const tokens = new InMemoryTokenRegistry();
  const stats = new SandboxStats();
  const faults = new FaultInjector();
  const limiter = new RateLimiter(now);
  limiter.set(options.rateLimits ?? null);
  /** Clients registered at run time survive reset; seeded ones come back with the seed. */
  const registeredClients = new Map<string, OAuthClientRecord>();
  const oauth = new OAuthService({
    state,
    tokens,
    now,
    config: {
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 600,
    },
  });

  let url = '';
  const forgeContext: ForgePlatformContext = {
    tokens,
    now,
    url: () => url,
    sites: () =>
      [...state.sites.values()].map(({ cloudId, name, url: siteUrl }) => ({ cloudId, name, url: siteUrl })),
    // accountType travels along so the Forge part can find the app's bot user.
    users: () =>
      [...state.users.values()].map((u) => ({
        accountId: u.accountId,
        displayName: u.displayName,
        appAccess: u.appAccess,
        siteIds: u.siteIds,
        accountType: u.accountType,
      })),
  };
  const forge = createForgePlatform(forgeContext, options.forge);
  const webhooks = createWebhookDispatcher(() => state, now);
  const services: ApiServices = {
    state,
    now,
    notifyChange: (change) => {
      forge.onJiraChange(change);
      webhooks.onJiraChange(change);
    },
  };

  const registerOAuthClient = (client: SeedOAuthClient) => {
    const record = clientRecord(client);
    registeredClients.set(record.clientId, record);
    state.clients.set(record.clientId, record);
  };
  const reset = () => {
    Object.assign(state, buildState(seed, url));
    for (const client of registeredClients.values()) state.clients.set(client.clientId, client);
    faults.set(null);
    limiter.set(options.rateLimits ?? null);
    forge.reset();
    webhooks.reset();
    oauth.reset();
    tokens.clear();
    stats.reset();
  };

  const app = new Hono<{ Bindings: HttpBindings }>();
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/_sandbox')) return next();
    stats.countRequest();
    await next();
    const route = matchedRoutes(c)[c.req.routeIndex];
    if (route && !route.path.includes('*')) stats.countRoute(`${c.req.method} ${routeTemplate(route.path)}`);
  });
  app.use('*', async (c, next) =>
    c.req.path.startsWith('/_sandbox') ? next() : faults.middleware()(c, next),
  );
  app.route(
    '/',
    adminRoutes({
      reset,
      registerOAuthClient,
      setFault: (f) => faults.set(f),
      setRateLimits: (l) => limiter.set(l),
      stats: () => stats.snapshot(),
      view: () => ({
        state,
        url,
        tokens: tokens.countByKind(),
        fault: faults.current(),
        rateLimits: limiter.current(),
        forge: forge.describe(),
      }),
    }),
  );
  app.route('/', oauthRoutes({ oauth, state, tokens, stats, now }));
  mountMediaRoute(app as unknown as Hono, { state, now });
  app.route('/', formsRoutes({ state, now }, tokens));
  app.route('/', forge.routes);
  const api = new Hono<ApiEnv>();
  const servedOperations = mountApiRoutes(
    api,
    [...jiraRoutes(services, () => webhooks), ...jsmRoutes(services)],
    {
      state,
      tokens,
      limiter,
      now,
    },
  );
  app.route('/', api);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, () =>
      resolve(started),
    );
  });
  // Idle connections are kept a minute, as load balancers in front of web APIs commonly do, not Node's 5 s: the
  // backend's pool then rarely reuses a connection at the moment the sandbox closes it, on a machine so loaded
  // that timers fire seconds late.
  if (server instanceof http.Server) {
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  }
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const site of state.sites.values()) site.apiUrl = `${url}/ex/jira/${site.cloudId}`;

  return {
    url,
    servedOperations,
    registerOAuthClient,
    setFault: (f) => faults.set(f),
    setRateLimits: (l) => limiter.set(l),
    stats: () => stats.snapshot(),
    state,
    forge,
    webhooks,
    tokens,
    reset,
    async close() {
      faults.close();
      await forge.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets and requests held by a `timeout` fault would otherwise keep close() waiting.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
    async approveAuthorization(authorizeUrl, choice) {
      const check = oauth.checkAuthorizeRequest(new URL(authorizeUrl).searchParams);
      if (check.kind === 'page') throw new Error(check.message);
      if (check.kind === 'redirect') return check.location;
      const result = oauth.approve(check.request, choice.accountId, choice.cloudIds);
      if (result.kind === 'error') throw new Error(result.message);
      return result.location;
    },
    issueUserToken: (g) => oauth.issueUserToken(g),
    revokeAppAccess: (g) => oauth.revokeAppAccess(g.clientId, g.accountId),
  };
}
