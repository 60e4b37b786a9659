import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppIdentity, identityKey, rateLimitBudget } from '../atlassian/rate-limit';
import { requireTeam } from '../auth/middleware';
import { listConnections } from '../connections/service';
import type { AppEnv } from '../context';
import { errorResponses } from '../http/openapi';
import { forgeSiteStatus, forgeUpgradeStatus } from '../model/forge-upgrade';
import { type ProxyOptions, serveProxyCall } from './service';

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

export function proxyRoutes(options: ProxyOptions = {}) {
  const app = new OpenAPIHono<AppEnv & { Bindings: Partial<HttpBindings> }>();

  // The server hands proxy paths to serveProxyCall before any routing (server.ts); this route serves them when
  // the app is mounted on a plain @hono/node-server listener, still on Node's request and response objects.
  app.all('/v1/jira/connections/:id/proxy/*', async (c) => {
    const { incoming, outgoing } = c.env ?? {};
    if (!incoming || !outgoing) throw new Error("the Jira proxy needs Node's HTTP server bindings");
    await serveProxyCall(c.var.services, incoming, outgoing as ServerResponse, options);
    return RESPONSE_ALREADY_SENT;
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
        'POST is retried only with an `Idempotency-Key` header. Takes team API keys only (not the console ' +
        'session); answers carry `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`, ' +
        'attachments `Content-Disposition: attachment`.',
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
