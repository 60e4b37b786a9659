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
import { hasScopes, type ScopeRule, SPEC_OPERATIONS } from './route-scopes';

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
    timeZone: 'UTC',
    locale: 'en_US',
    projectPermissions: {},
    groups: ['atlassian-addons-admin'],
  };
  return { ...bot, siteIds: [...new Set([...bot.siteIds, ...grant.cloudIds])] };
}

function errorFor(route: ApiRoute, c: ApiContext, status: 400 | 404 | 429, message: string, key: string) {
  return route.api === 'jsm' ? jsmError(c, status, message, key) : jiraError(c, status, [message]);
}

/** Header marking an answer for an operation the sandbox does not implement (never a 404: "gone" misleads). */
export const UNIMPLEMENTED_HEADER = 'X-Sandbox-Unimplemented';

/** Path segments, literal before `{param}` at the first difference, so `/issue/picker` wins over `/issue/{key}`. */
function bySpecificity(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const xParam = x[i].startsWith('{');
    const yParam = y[i].startsWith('{');
    if (xParam !== yParam) return xParam ? 1 : -1;
  }
  return 0;
}

const honoPath = (template: string) => API_PREFIX + template.replace(/\{(\w+)\}/g, ':$1');

function notImplemented(c: ApiContext, method: string, path: string, operationId?: string): Response {
  c.header(UNIMPLEMENTED_HEADER, `${method} ${path}`);
  const message = API_MESSAGES.notImplemented(method, path, operationId);
  return path.startsWith('/rest/servicedeskapi/')
    ? jsmError(c, 501, message, 'sd.sandbox.not.implemented')
    : jiraError(c, 501, [message]);
}

/**
 * Mounts every operation of both specs, most specific path first: served ones behind the gateway checks,
 * the others answering 501. Returns the served operations as `METHOD /path/template`.
 */
export function mountApiRoutes(app: Hono<ApiEnv>, routes: ApiRoute[], deps: MountDeps): string[] {
  const served = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  const unknown = [...served.keys()].filter((key) => !SPEC_OPERATIONS.has(key));
  if (unknown.length > 0) throw new Error(`Routes that are no operation of the specs: ${unknown.join(', ')}`);
  const operations = [...SPEC_OPERATIONS.values()].sort((a, b) => bySpecificity(a.path, b.path));
  for (const operation of operations) {
    const route = served.get(`${operation.method} ${operation.path}`);
    const handler: (c: ApiContext) => Response | Promise<Response> = route
      ? gatewayHandler(route, operation, deps)
      : (c: ApiContext) => notImplemented(c, operation.method, operation.path, operation.operationId);
    app.on(operation.method, honoPath(operation.path), handler);
  }
  // Paths outside the specs (other APIs, typos) are not implemented either.
  app.all(`${API_PREFIX}/rest/*`, (c) =>
    notImplemented(c, c.req.method, c.req.path.replace(/^\/ex\/jira\/[^/]+/, '')),
  );
  return [...served.keys()];
}

function gatewayHandler(route: ApiRoute, scopes: ScopeRule, deps: MountDeps) {
  return async (c: ApiContext) => {
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
    if (route.method !== 'GET' && !route.rawBody) {
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
  };
}
