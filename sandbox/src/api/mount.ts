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
import { impersonatedCallRefusal } from './impersonation';
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
    administerSiteIds: [],
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

/**
 * A total order on path templates, segment by segment: a literal before a `{param}` (so `/issue/picker` wins over
 * `/issue/{key}`), literals alphabetically, then shorter first. Being total, it sorts the same way every time.
 */
function bySpecificity(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const xParam = x[i].startsWith('{');
    const yParam = y[i].startsWith('{');
    if (xParam !== yParam) return xParam ? 1 : -1;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

const honoPath = (template: string) => API_PREFIX + template.replace(/\{(\w+)\}/g, ':$1');

function notImplemented(c: ApiContext, method: string, path: string, operationId?: string): Response {
  c.header(UNIMPLEMENTED_HEADER, `${method} ${path}`);
  const message = API_MESSAGES.notImplemented(method, path, operationId);
  return path.startsWith('/rest/servicedeskapi/')
    ? jsmError(c, 501, message, 'sd.sandbox.not.implemented')
    : jiraError(c, 501, [message]);
}

/** Whether one request path could match both templates (a `{param}` segment matches anything). */
function overlaps(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  return x.length === y.length && x.every((s, i) => s === y[i] || s.startsWith('{') || y[i].startsWith('{'));
}

/**
 * Mounts the served operations behind the gateway checks, most specific path first. An unserved operation is
 * mounted too when a served one could shadow it (so `GET issue/picker` never reaches `issue/{key}`); the other
 * unserved ones are found by one catch-all, off the hot path, and all answer 501. Returns the served
 * operations as `METHOD /path/template`.
 */
export function mountApiRoutes(app: Hono<ApiEnv>, routes: ApiRoute[], deps: MountDeps): string[] {
  const served = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  const unknown = [...served.keys()].filter((key) => !SPEC_OPERATIONS.has(key));
  if (unknown.length > 0) throw new Error(`Routes that are no operation of the specs: ${unknown.join(', ')}`);
  const all = [...SPEC_OPERATIONS.values()];
  const shadowed = (op: (typeof all)[number]) =>
    routes.some((r) => r.method === op.method && overlaps(r.path, op.path));
  const mounted = all
    .filter((op) => served.has(`${op.method} ${op.path}`) || shadowed(op))
    .sort((a, b) => bySpecificity(a.path, b.path));
  for (const operation of mounted) {
    const route = served.get(`${operation.method} ${operation.path}`);
    const handler: (c: ApiContext) => Response | Promise<Response> = route
      ? gatewayHandler(route, operation, `${operation.method} ${operation.path}`, deps)
      : (c: ApiContext) => notImplemented(c, operation.method, operation.path, operation.operationId);
    app.on(operation.method, honoPath(operation.path), handler);
  }
  // The rest, and paths outside the specs (other APIs, typos): not implemented either.
  const rest = all
    .filter((op) => !mounted.includes(op))
    .sort((a, b) => bySpecificity(a.path, b.path))
    .map((op) => ({
      op,
      pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+').replace(/[.]/g, '\\.')}$`),
    }));
  app.all(`${API_PREFIX}/rest/*`, (c) => {
    const path = c.req.path.replace(/^\/ex\/jira\/[^/]+/, '');
    const match = rest.find(({ op, pattern }) => op.method === c.req.method && pattern.test(path));
    return match
      ? notImplemented(c, match.op.method, match.op.path, match.op.operationId)
      : notImplemented(c, c.req.method, path);
  });
  return [...served.keys()];
}

function gatewayHandler(route: ApiRoute, scopes: ScopeRule, operation: string, deps: MountDeps) {
  return async (c: ApiContext) => {
    const live = liveGrant(deps.tokens, c.req.header('authorization'), deps.now());
    const cloudId = c.req.param('cloudId') ?? '';
    const site = deps.state.sites.get(cloudId);
    if (!live || !site || !live.grant.cloudIds.includes(cloudId)) return c.json(GATEWAY_UNAUTHORIZED, 401);
    const user = actingUser(deps.state, live.grant);
    if (!user) return c.json(GATEWAY_UNAUTHORIZED, 401);
    const grant = live.grant;
    const refused = impersonatedCallRefusal(grant, user, cloudId, operation);
    if (refused) return c.json(refused, 401);
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
