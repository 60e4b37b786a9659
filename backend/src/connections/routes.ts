import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { connectMessages } from '@jira-integration/shared';
import { callbackMessages } from '@jira-integration/shared/security-messages';
import { deleteCookie, getCookie } from 'hono/cookie';
import { consoleActor, findTeamByApiKey, keyActor } from '../auth/keys';
import { requireTeam } from '../auth/middleware';
import { findConsoleSession, SESSION_COOKIE } from '../auth/sessions';
import type { AppEnv } from '../context';
import { runConnectionHealthChecks } from '../health/service';
import { bearerToken } from '../http/bearer';
import { ApiError, errorResponse } from '../http/errors';
import { errorResponses, idParam, jsonBody, jsonContent } from '../http/openapi';
import { onTicketSyncingChanged } from '../sync/reconcile';
import { BROWSER_BINDING_COOKIE, CALLBACK_PATH, callbackErrorQuery, setBrowserBinding } from './callback';
import {
  callbackUrl,
  completeAuthorization,
  deleteConnection,
  findConnection,
  listConnections,
  pendingAuthorization,
  presentConnection,
  reconnectPrefill,
  setTicketSyncing,
  startCustomConnection,
  startManagedConnection,
} from './service';
import { asConnectingUser } from './token-check';

const security = [{ teamApiKey: [] }];

const AuthorizeUrl = z.object({ authorizeUrl: z.url() }).openapi('AuthorizeUrl');
const Connection = z
  .object({
    id: z.string(),
    method: z.enum(['managed', 'custom']),
    displayName: z.string().nullable(),
    subdomain: z.string().nullable(),
    siteUrl: z.string(),
    siteName: z.string(),
    cloudId: z.string(),
    connectedAs: z.object({ accountId: z.string(), displayName: z.string().nullable() }),
    scopes: z.array(z.string()),
    clientId: z.string().nullable(),
    status: z.enum(['active', 'needs_reconnect']),
    statusReason: z.string().nullable(),
    ticketSyncing: z.boolean(),
    forgeUpgradedAt: z.string().nullable(),
    accessTokenExpiresAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('JiraConnection');
const Prefill = z
  .union([
    z.object({ method: z.literal('managed'), subdomain: z.string() }),
    z.object({
      method: z.literal('custom'),
      subdomain: z.string(),
      displayName: z.string(),
      clientId: z.string(),
    }),
  ])
  .openapi('ReconnectPrefill');
const HealthCheck = z
  .object({
    name: z.string(),
    ok: z.boolean(),
    message: z.string(),
    cause: z.string().optional(),
    detail: z.string().optional(),
  })
  .openapi('HealthCheckResult');

// Validation of these bodies happens in the service so the spec's messages come out word for word.
const replace = z
  .boolean()
  .optional()
  .openapi({ description: "Replace the team's existing connection to the same site (else 409)" });
const ManagedStart = z
  .strictObject({ subdomain: z.string().optional(), replace })
  .openapi('ManagedConnectionStart');
const CustomStart = z
  .strictObject({
    displayName: z.string().optional(),
    subdomain: z.string().optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    replace,
  })
  .openapi('CustomConnectionStart');

const routes = {
  startManaged: createRoute({
    method: 'post',
    path: '/v1/jira/connections/managed/start',
    summary: 'Start Sign in with Jira (the managed Atlassian app)',
    security,
    request: jsonBody(ManagedStart),
    responses: {
      200: jsonContent(AuthorizeUrl, 'Send the browser here'),
      ...errorResponses(400, 401, 409),
    },
  }),
  startCustom: createRoute({
    method: 'post',
    path: '/v1/jira/connections/custom/start',
    summary: "Start a connection with the team's own Atlassian OAuth app",
    security,
    request: jsonBody(CustomStart),
    responses: {
      200: jsonContent(AuthorizeUrl, 'Send the browser here'),
      ...errorResponses(400, 401, 409),
    },
  }),
  callbackUrl: createRoute({
    method: 'get',
    path: '/v1/jira/oauth/callback-url',
    summary: 'The exact callback URL to register in your Atlassian OAuth app',
    responses: { 200: jsonContent(z.object({ callbackUrl: z.string() }), 'The callback URL') },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/jira/connections',
    summary: "The team's Jira connections",
    security,
    responses: {
      200: jsonContent(z.object({ connections: z.array(Connection) }), 'Connections'),
      ...errorResponses(401),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/jira/connections/{id}',
    summary: 'One connection',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(Connection, 'The connection'), ...errorResponses(401, 404) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/jira/connections/{id}',
    summary: 'Disconnect',
    security,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/v1/jira/connections/{id}',
    summary: 'Turn Ticket Syncing on or off',
    security,
    request: { params: idParam, ...jsonBody(z.strictObject({ ticketSyncing: z.boolean() })) },
    responses: { 200: jsonContent(Connection, 'The connection'), ...errorResponses(400, 401, 404, 409) },
  }),
  reconnect: createRoute({
    method: 'get',
    path: '/v1/jira/connections/{id}/reconnect',
    summary: 'What the connect modal pre-fills on reconnect (never the secret)',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(Prefill, 'Prefill'), ...errorResponses(401, 404) },
  }),
  health: createRoute({
    method: 'post',
    path: '/v1/jira/connections/{id}/health-checks',
    summary: 'Run the three health checks',
    security,
    request: { params: idParam },
    responses: {
      200: jsonContent(z.object({ results: z.array(HealthCheck) }), 'Results'),
      ...errorResponses(401, 404),
    },
  }),
};

export function connectionRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/jira/connections', requireTeam);
  app.use('/v1/jira/connections/*', requireTeam);

  app.openapi(routes.startManaged, async (c) => {
    const started = await startManagedConnection(
      c.var.services,
      c.var.teamId,
      c.req.valid('json'),
      c.var.actorKeyId,
    );
    setBrowserBinding(c, c.var.services, started.browserBinding);
    return c.json({ authorizeUrl: started.authorizeUrl }, 200);
  });
  app.openapi(routes.startCustom, async (c) => {
    const started = await startCustomConnection(
      c.var.services,
      c.var.teamId,
      c.req.valid('json'),
      c.var.actorKeyId,
    );
    setBrowserBinding(c, c.var.services, started.browserBinding);
    return c.json({ authorizeUrl: started.authorizeUrl }, 200);
  });
  app.openapi(routes.callbackUrl, (c) => c.json({ callbackUrl: callbackUrl(c.var.services) }, 200));
  app.openapi(routes.list, async (c) => {
    const connections = await listConnections(c.var.services, c.var.teamId);
    return c.json({ connections: connections.map(presentConnection) }, 200);
  });
  app.openapi(routes.get, async (c) =>
    c.json(
      presentConnection(await findConnection(c.var.services, c.var.teamId, c.req.valid('param').id)),
      200,
    ),
  );
  app.openapi(routes.remove, async (c) => {
    await deleteConnection(c.var.services, c.var.teamId, c.req.valid('param').id, c.var.actor);
    return c.body(null, 204);
  });
  app.openapi(routes.patch, async (c) => {
    const change = await setTicketSyncing(
      c.var.services,
      c.var.teamId,
      c.req.valid('param').id,
      c.req.valid('json').ticketSyncing,
      c.var.actor,
    );
    await onTicketSyncingChanged(c.var.services, change);
    return c.json(presentConnection(change.connection), 200);
  });
  app.openapi(routes.reconnect, async (c) =>
    c.json(
      reconnectPrefill(await findConnection(c.var.services, c.var.teamId, c.req.valid('param').id)),
      200,
    ),
  );
  app.openapi(routes.health, async (c) => {
    const connection = await findConnection(c.var.services, c.var.teamId, c.req.valid('param').id);
    const site = asConnectingUser(c.var.services, connection);
    return c.json({ results: await runConnectionHealthChecks(c.var.services, connection, site) }, 200);
  });

  // Atlassian sends the browser back here. Only the team that started the attempt may finish it (callback.ts).
  app.get(CALLBACK_PATH, async (c) => {
    const services = c.var.services;
    const { code, state, error } = c.req.query();
    const wantsJson = c.req.header('accept')?.includes('application/json') ?? false;
    const fail = (failure: ApiError) =>
      wantsJson
        ? errorResponse(c, failure.code, failure.message)
        : c.redirect(`/console/connections?${new URLSearchParams(callbackErrorQuery(failure))}`);
    // Atlassian's error_description is free text from the query string: it is never shown.
    if (error) return fail(new ApiError('authorization_denied', connectMessages.authorizationCancelled));
    const pending = code && state ? await pendingAuthorization(services, state) : undefined;
    if (!code || !state || !pending) {
      return fail(new ApiError('invalid_oauth_state', connectMessages.invalidOrExpiredState));
    }
    const bearer = bearerToken(c.req.header('authorization'));
    const byKey = bearer ? await findTeamByApiKey(services.db, bearer) : undefined;
    const keyTeamId = byKey?.teamId;
    const sessionToken = getCookie(c, SESSION_COOKIE);
    const session = sessionToken ? await findConsoleSession(services.db, sessionToken) : undefined;
    const signedInAs = keyTeamId ?? session?.teamId;
    // Signed in as another team: that browser did not start this attempt.
    if (signedInAs && signedInAs !== pending.teamId) {
      return fail(new ApiError('invalid_oauth_state', connectMessages.invalidOrExpiredState));
    }
    if (!signedInAs && !pending.bindsBrowser(getCookie(c, BROWSER_BINDING_COOKIE))) {
      if (wantsJson) return errorResponse(c, 'sign_in_required', callbackMessages.wrongBrowser);
      const next = `${CALLBACK_PATH}?${new URLSearchParams({ code, state })}`;
      return c.redirect(`/console/login?${new URLSearchParams({ continue: next })}`);
    }
    try {
      // Finished in a browser signed in to no team (bound by its cookie instead): the console, keyless.
      const actor = byKey ? keyActor(byKey.prefix) : session ? consoleActor(session.keyPrefix) : 'console';
      const connection = await completeAuthorization(services, {
        code,
        state,
        teamId: pending.teamId,
        actor,
      });
      deleteCookie(c, BROWSER_BINDING_COOKIE, { path: CALLBACK_PATH });
      if (wantsJson) return c.json(presentConnection(connection), 200);
      return c.redirect(`/console/connections?${new URLSearchParams({ connected: connection.id })}`);
    } catch (caught) {
      if (!(caught instanceof ApiError)) services.logger.error({ err: caught }, 'Jira OAuth callback failed');
      return fail(
        caught instanceof ApiError
          ? caught
          : new ApiError('oauth_callback_failed', connectMessages.callbackFailed),
      );
    }
  });
  return app;
}
