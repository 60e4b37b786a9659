import type { HttpBindings } from '@hono/node-server';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppIdentity, identityKey, rateLimitBudget } from '../atlassian/rate-limit';
import { requireTeam } from '../auth/middleware';
import { listConnections } from '../connections/service';
import type { AppEnv } from '../context';
import { ApiError, errorResponse } from '../http/errors';
import { errorResponses } from '../http/openapi';
import { forgeSiteStatus, forgeUpgradeStatus } from '../model/forge-upgrade';
import { findConnectionCached, requireTeamCached } from './hot-cache';
import { type ProxyOptions, proxyJiraCall } from './service';

const Identity = z.union([
  z.object({ kind: z.literal('managed') }),
  z.object({ kind: z.literal('custom'), clientId: z.string() }),
  z.object({ kind: z.literal('forge') }),
]);
const Budget = z
  .object({
    identity: Identity,
    limit: z.number().nullable(),
    remaining: z.number().nullable(),
    resetAt: z.string().nullable(),
    nearLimit: z.boolean(),
    lastLimitReason: z.string().nullable(),
    lastLimitedAt: z.string().nullable(),
    observedAt: z.string(),
  })
  .openapi('JiraRateLimitBudget');

const rateLimitRoute = createRoute({
  method: 'get',
  path: '/v1/jira/rate-limit',
  summary: "Jira's hourly budget, as last reported, for the app identities the team's connections use",
  security: [{ teamApiKey: [] }],
  middleware: [requireTeam] as const,
  responses: {
    200: {
      description: 'One entry per identity Jira has reported on (none before the first call)',
      content: { 'application/json': { schema: z.object({ budgets: z.array(Budget) }) } },
    },
    ...errorResponses(401),
  },
});

/** The request target exactly as the client sent it: the URL parser would already have resolved `..`. */
function rawTarget(c: Context<AppEnv & { Bindings: Partial<HttpBindings> }>): string {
  const incoming = c.env?.incoming?.url;
  if (incoming?.startsWith('/')) return incoming;
  const url = c.req.url;
  return url.slice(url.indexOf('/', url.indexOf('//') + 2));
}

export function proxyRoutes(options: ProxyOptions = {}) {
  const app = new OpenAPIHono<AppEnv & { Bindings: Partial<HttpBindings> }>();

  app.all('/v1/jira/connections/:id/proxy/*', requireTeamCached, async (c) => {
    const services = c.var.services;
    try {
      const connection = await findConnectionCached(services, c.var.teamId, c.req.param('id'));
      return await proxyJiraCall(
        services,
        connection,
        {
          method: c.req.method,
          rawTarget: rawTarget(c),
          headers: c.req.raw.headers,
          body: c.req.raw.body,
          readBody: () => c.req.arrayBuffer(),
        },
        options,
      );
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(c, error.code, error.message);
      throw error;
    }
  });
  for (const method of ['get', 'post', 'put', 'delete'] as const) {
    app.openAPIRegistry.registerPath({
      method,
      path: '/v1/jira/connections/{id}/proxy/{jiraPath}',
      summary: 'Call the Jira REST API of the connection’s site (auth injected, answer streamed unchanged)',
      description:
        'Paths under rest/api/3/, rest/api/2/, rest/agile/1.0/, rest/servicedeskapi/ and forms/. ' +
        'Send `X-Use-Connect-Auth: true` to run as the Forge app on upgraded connections, plus ' +
        '`X-As-Jira-User: <accountId>` to act as that user. Idempotent methods honour Retry-After within a bound; ' +
        'POST is retried only with an `Idempotency-Key` header.',
      security: [{ teamApiKey: [] }],
      request: {
        params: z.object({ id: z.string(), jiraPath: z.string().openapi({ example: 'rest/api/3/myself' }) }),
      },
      responses: {
        200: { description: "Jira's answer, unchanged" },
        ...errorResponses(400, 401, 403, 404, 409, 502),
        504: { description: 'Jira did not answer in time' },
      },
    });
  }

  app.openapi(rateLimitRoute, async (c) => {
    const services = c.var.services;
    const connections = await listConnections(services, c.var.teamId);
    const sites = await forgeSiteStatus(
      services,
      connections.map((connection) => connection.cloudId),
    );
    const identities = new Map<string, AppIdentity>();
    for (const connection of connections) {
      const identity: AppIdentity =
        connection.method === 'custom'
          ? { kind: 'custom', clientId: connection.clientId ?? '' }
          : { kind: 'managed' };
      identities.set(identityKey(identity), identity);
      if (forgeUpgradeStatus(connection, sites.get(connection.cloudId)).upgraded) {
        identities.set('forge', { kind: 'forge' });
      }
    }
    return c.json({ budgets: rateLimitBudget(services).snapshot([...identities.values()]) }, 200);
  });
  return app;
}
