/**
 * The Forge remote endpoints. Every call is authenticated by its verified invocation token only; answers
 * are JSON, 2xx on success, and 401 only when the token fails verification (Forge reserves 401 for that).
 */

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import {
  adminOverviewSchema,
  FORGE_UI_PATHS,
  issueSyncStatusSchema,
  siteWorkspaceSchema,
  workspaceDecisionSchema,
} from '@jira-integration/shared/forge-ui';
import { ApiError } from '../http/errors';
import { ErrorSchema, errorResponses, jsonBody, jsonContent } from '../http/openapi';
import { onConnectionsUpgraded } from '../sync/reconcile';
import { acceptForgeEvent, parseForgeEvent, queueForgeEvent } from './events';
import { recordCredentials, recordUninstall } from './service';
import { adminOverview, decideSiteWorkspace, issueSyncStatus, retryIssueSync } from './ui';
import { type ForgeEnv, requireForgeInvocation } from './verify';

export const SYSTEM_TOKEN_HEADER = 'x-forge-oauth-system';

function systemTokenOf(header: string | undefined): string {
  const token = header?.trim();
  if (!token) throw new ApiError('missing_system_token', forgeMessages.missingSystemToken);
  return token;
}

const security = [{ forgeInvocationToken: [] }];
const tokenRefused = {
  401: jsonContent(ErrorSchema, 'The Forge invocation token is missing or fails verification'),
};
const systemTokenHeader = z.object({
  [SYSTEM_TOKEN_HEADER]: z
    .string()
    .optional()
    .openapi({ description: "The app's system token (endpoint auth appSystemToken)" }),
});
const CredentialsStored = z
  .object({ stored: z.boolean(), upgradedConnections: z.number().int() })
  .openapi('ForgeCredentialsStored');

const credentialRoute = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    summary,
    tags: ['Forge'],
    security,
    request: { headers: systemTokenHeader },
    responses: {
      200: jsonContent(CredentialsStored, 'Stored; managed connections to the site upgraded'),
      ...errorResponses(400),
      ...tokenRefused,
    },
  });

const routes = {
  credentials: credentialRoute('/forge/credentials', 'Scheduled credential push (every five minutes)'),
  lifecycle: credentialRoute(
    '/forge/lifecycle',
    'App installed or upgraded: stores the credentials it carries',
  ),
  uninstall: createRoute({
    method: 'post',
    path: '/forge/uninstall',
    summary: 'Before uninstall: downgrades the site’s connections',
    tags: ['Forge'],
    security,
    responses: {
      200: jsonContent(
        z.object({ downgradedConnections: z.number().int() }).openapi('ForgeUninstalled'),
        'Downgraded',
      ),
      ...tokenRefused,
    },
  }),
  issueStatus: createRoute({
    method: 'get',
    path: FORGE_UI_PATHS.issueStatus,
    summary: 'Issue panel: the sync status of the issue named by the token',
    tags: ['Forge'],
    security,
    responses: {
      200: jsonContent(issueSyncStatusSchema, 'The issue’s sync status'),
      ...errorResponses(400, 403, 404, 409),
      ...tokenRefused,
    },
  }),
  retryIssueSync: createRoute({
    method: 'post',
    path: FORGE_UI_PATHS.retryIssueSync,
    summary: 'Issue panel Retry: marks the issue’s links pending and re-queues its sync',
    tags: ['Forge'],
    security,
    responses: {
      200: jsonContent(issueSyncStatusSchema, 'The new sync status'),
      ...errorResponses(400, 403, 404, 409),
      ...tokenRefused,
    },
  }),
  adminOverview: createRoute({
    method: 'get',
    path: FORGE_UI_PATHS.adminOverview,
    summary: 'Admin page: the site’s link, upgraded connections, credential push and sync settings',
    tags: ['Forge'],
    security,
    responses: {
      200: jsonContent(adminOverviewSchema, 'The site overview'),
      ...errorResponses(403, 404),
      ...tokenRefused,
    },
  }),
  workspaceDecision: createRoute({
    method: 'post',
    path: FORGE_UI_PATHS.workspaceDecision,
    summary: 'Admin page: a Jira admin approves or revokes a workspace’s use of the app on the site',
    tags: ['Forge'],
    security,
    request: jsonBody(workspaceDecisionSchema),
    responses: {
      200: jsonContent(siteWorkspaceSchema, 'The workspace’s new status'),
      ...errorResponses(400, 403, 404),
      ...tokenRefused,
    },
  }),
};

// Events come in two envelopes (bare or `{payload}`) that parseForgeEvent reads itself, so this route is
// documented here and served by a plain handler that answers a bad body with the event's own message.
const eventsRoute = createRoute({
  method: 'post',
  path: '/forge/events',
  summary: 'Jira issue and comment events (stored once per event, queued for the sync worker)',
  tags: ['Forge'],
  security,
  request: {
    body: {
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi('ForgeJiraEvent') },
      },
    },
  },
  responses: {
    200: jsonContent(z.object({ status: z.enum(['queued', 'duplicate']) }), 'Accepted'),
    ...errorResponses(400),
    ...tokenRefused,
  },
});

export function forgeRoutes() {
  const app = new OpenAPIHono<ForgeEnv>();
  app.use('/forge/*', requireForgeInvocation);
  app.openAPIRegistry.registerComponent('securitySchemes', 'forgeInvocationToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Forge invocation token (RS256, verified against the Forge JWKS)',
  });

  // The scheduled trigger (every five minutes) and the install/upgrade lifecycle trigger both carry the
  // app system token; both store it.
  for (const route of [routes.credentials, routes.lifecycle]) {
    app.openapi(route, async (c) => {
      const outcome = await recordCredentials(
        c.var.services,
        c.var.forge,
        systemTokenOf(c.req.header(SYSTEM_TOKEN_HEADER)),
      );
      // An upgrade can complete a connection's sync readiness: its backfill starts now.
      await onConnectionsUpgraded(c.var.services, outcome.upgradedConnectionIds);
      return c.json(
        { stored: outcome.stored, upgradedConnections: outcome.upgradedConnectionIds.length },
        200,
      );
    });
  }

  app.openapi(routes.uninstall, async (c) => {
    const downgraded = await recordUninstall(c.var.services, c.var.forge);
    return c.json({ downgradedConnections: downgraded.length }, 200);
  });

  app.openAPIRegistry.registerPath(eventsRoute);
  app.post(eventsRoute.path, async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const { eventId } = await acceptForgeEvent(c.var.services, c.var.forge, parseForgeEvent(body));
    if (eventId !== null) queueForgeEvent(c.var.services, eventId);
    return c.json({ status: eventId === null ? 'duplicate' : 'queued' }, 200);
  });

  app.openapi(routes.issueStatus, async (c) =>
    c.json(await issueSyncStatus(c.var.services, c.var.forge), 200),
  );
  app.openapi(routes.retryIssueSync, async (c) =>
    c.json(await retryIssueSync(c.var.services, c.var.forge), 200),
  );
  app.openapi(routes.adminOverview, async (c) =>
    c.json(await adminOverview(c.var.services, c.var.forge), 200),
  );
  app.openapi(routes.workspaceDecision, async (c) =>
    c.json(await decideSiteWorkspace(c.var.services, c.var.forge, c.req.valid('json')), 200),
  );
  return app;
}
