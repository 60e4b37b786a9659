/**
 * Serves Jira/JSM routes under `/ex/jira/{cloudId}` the way the Atlassian gateway does: bearer token, site,
 * rate limits and scopes are checked before the handler runs; the call's cost is charged after it.
 */
import type { Hono } from 'hono';
import type { TokenGrant } from '../contracts';
import { GATEWAY_SCOPE_MISMATCH, GATEWAY_UNAUTHORIZED, liveGrant } from '../gateway';
import type { RateLimiter } from '../limits/rate-limiter';
import type { SandboxState, UserRecord } from '../state';
import type { InMemoryTokenRegistry } from '../tokens';
import type { ApiActor, ApiContext, ApiEnv, ApiRoute } from './context';
import { API_MESSAGES, jiraError, jsmError } from './errors';
import { hasScopes, ROUTE_SCOPES } from './route-scopes';

export const API_PREFIX = '/ex/jira/:cloudId';

export interface MountDeps {
  state: SandboxState;
  tokens: InMemoryTokenRegistry;
  limiter: RateLimiter;
  now: () => number;
}

/** The account a token acts as. A Forge system token acts as the app's bot user on the sites it covers. */
function actingUser(state: SandboxState, grant: TokenGrant): UserRecord | undefined {
  const user = state.users.get(grant.accountId);
  if (grant.kind !== 'system') return user;
  const bot: UserRecord = user ?? {
    accountId: grant.accountId,
    displayName: 'Forge app',
    email: null,
    accountType: 'app',
    siteIds: [],
    appAccess: false,
    administerSiteIds: [],
    timeZone: 'UTC',
    locale: 'en_US',
    projectPermissions: {},
  };
  return { ...bot, siteIds: [...new Set([...bot.siteIds, ...grant.cloudIds])] };
}

function errorFor(route: ApiRoute, c: ApiContext, status: 400 | 404 | 429, message: string, key: string) {
  return route.api === 'jsm' ? jsmError(c, status, message, key) : jiraError(c, status, [message]);
}

/** Every served Jira/JSM operation as `METHOD /path/template`: exactly the keys of the scope table. */
export const SERVED_API_ROUTES: readonly string[] = Object.keys(ROUTE_SCOPES);

export function mountApiRoutes(app: Hono<ApiEnv>, routes: ApiRoute[], deps: MountDeps): void {
  const mounted = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const unserved = SERVED_API_ROUTES.filter((r) => !mounted.has(r));
  if (unserved.length > 0)
    throw new Error(`Scope rules for routes that are not served: ${unserved.join(', ')}`);
  for (const route of routes) {
    const scopes = ROUTE_SCOPES[`${route.method} ${route.path}`];
    if (!scopes) throw new Error(`No scope rule for ${route.method} ${route.path}`);
    const honoPath = API_PREFIX + route.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(route.method, honoPath, async (c) => {
      const live = liveGrant(deps.tokens, c.req.header('authorization'), deps.now());
      const cloudId = c.req.param('cloudId') ?? '';
      const site = deps.state.sites.get(cloudId);
      if (!live || !site || !live.grant.cloudIds.includes(cloudId)) return c.json(GATEWAY_UNAUTHORIZED, 401);
      const user = actingUser(deps.state, live.grant);
      if (!user) return c.json(GATEWAY_UNAUTHORIZED, 401);
      const grant = live.grant;
      const actor: ApiActor = {
        grant,
        user,
        site,
        appKey: grant.kind === 'user' ? grant.clientId : grant.appId,
        byApp: grant.kind !== 'user',
      };

      const admission = deps.limiter.admit(actor.appKey);
      if (!admission.admitted) {
        c.header('Retry-After', String(admission.retryAfterSeconds));
        c.header('RateLimit-Reason', admission.reason);
        for (const [name, value] of Object.entries(admission.headers)) c.header(name, value);
        return errorFor(route, c, 429, API_MESSAGES.rateLimited, 'sd.rate.limit.exceeded');
      }
      if (!hasScopes(grant.scopes, scopes)) return c.json(GATEWAY_SCOPE_MISMATCH, 401);

      let body: unknown;
      if ((route.method === 'POST' || route.method === 'PUT') && !route.rawBody) {
        const text = await c.req.text();
        if (text.length > 0) {
          try {
            body = JSON.parse(text);
          } catch {
            return errorFor(route, c, 400, API_MESSAGES.invalidPayload, 'sd.request.payload.invalid');
          }
        }
      }
      c.set('actor', actor);
      c.set('body', body);
      c.set('returnedObjects', 0);
      const response = await route.handler(c);
      const cost = route.method === 'GET' ? 1 + c.get('returnedObjects') : 1;
      for (const [name, value] of Object.entries(deps.limiter.charge(actor.appKey, cost))) {
        response.headers.set(name, value);
      }
      return response;
    });
  }
}

/** Unserved paths under the Jira and JSM roots answer 404 in each API's error shape. */
export function mountApiFallbacks(app: Hono<ApiEnv>): void {
  const sitePath = (path: string) => path.replace(/^\/ex\/jira\/[^/]+/, '');
  app.all(`${API_PREFIX}/rest/servicedeskapi/*`, (c) =>
    jsmError(c, 404, API_MESSAGES.noSuchRoute(c.req.method, sitePath(c.req.path)), 'sd.route.not.found'),
  );
  app.all(`${API_PREFIX}/rest/*`, (c) =>
    jiraError(c, 404, [API_MESSAGES.noSuchRoute(c.req.method, sitePath(c.req.path))]),
  );
}
