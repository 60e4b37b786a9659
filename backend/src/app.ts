import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { genericMessages } from '@jira-integration/shared';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { Scalar } from '@scalar/hono-api-reference';
import { sql } from 'drizzle-orm';
import { HTTPException } from 'hono/http-exception';
import { auditRoutes } from './audit/routes';
import { connectionRoutes } from './connections/routes';
import { consoleRoutes } from './console/routes';
import type { AppEnv, Services } from './context';
import { isConnectionLost, refusedValue, retryOnConnectionLoss } from './db/client';
import { forgeRoutes } from './forge/routes';
import { operationsRoutes } from './health/routes';
import { acceptsGzip, compressAnswers, gzipped } from './http/compression';
import { ApiError, errorBody, errorCodeForStatus, errorResponse } from './http/errors';
import { limitBodies, requestShapeGate } from './http/limits';
import { organizeDocument } from './http/openapi-document';
import { requestIdFrom, withRequestId } from './http/request-context';
import { securityHeaders } from './http/security-headers';
import { proxyRoutes } from './proxy/routes';
import { syncRoutes } from './sync/routes';
import { teamRoutes } from './teams/routes';
import { ticketRoutes } from './tickets/routes';
import { workflowRoutes } from './workflows/routes';

let scalarBundle: Promise<{ raw: Buffer; gzip: Buffer }> | undefined;
/** The reference page's script (4.35 MB), read and gzipped once per process: 1.26 MB on the wire. */
function readScalarBundle() {
  // The package does not export its browser bundle, so find it beside the package's entry point.
  const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
  scalarBundle ??= readFile(
    path.join(entry.slice(0, entry.lastIndexOf('/dist/')), 'dist/browser/standalone.js'),
  ).then(async (raw) => ({ raw, gzip: await gzipped(raw) }));
  return scalarBundle;
}

/**
 * The pattern of the handler that answered (not the path, which would make one series per id); after the chain
 * has run, Hono's routePath names the last handler that ran. 'unmatched' when only the catch-all ran (404s).
 */
function routePattern(routePath: string): string {
  return routePath === '/*' || routePath === '*' ? 'unmatched' : routePath;
}

/** Builds the HTTP app from capability sub-apps. No route calls another route. */
export function buildApp(services: Services) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        if (issue?.code === 'unrecognized_keys')
          return errorResponse(c, 'invalid_request', limitMessages.unknownFields(issue.path, issue.keys));
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return errorResponse(c, 'invalid_request', `${where}${issue?.message ?? 'Invalid request'}`);
      }
    },
  });

  app.use(async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    c.set('services', services);
    c.set('requestId', requestId);
    const started = performance.now();
    await withRequestId(requestId, next);
    c.res.headers.set('x-request-id', requestId);
    const seconds = (performance.now() - started) / 1000;
    services.state.metrics.recordRequest(c.req.method, routePattern(c.req.routePath), c.res.status, seconds);
  });
  app.use(securityHeaders);
  app.use(compressAnswers);
  app.use(limitBodies);
  app.use(requestShapeGate);

  app.get('/healthz', async (c) => {
    try {
      // A pooled connection the server just closed is not an outage: a fresh one answers the retry.
      await retryOnConnectionLoss(() => services.db.execute(sql`select 1`));
      return c.json({ status: 'ok', database: services.database.kind });
    } catch (error) {
      services.logger.error({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'unavailable', database: services.database.kind }, 503);
    }
  });

  // Built once, on first request: every route is registered by then.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= organizeDocument(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: `${services.config.productName} Jira integration API`,
          version: '1.0.0',
          description:
            'Connect Jira Cloud sites, proxy Jira REST calls, run Jira workflows and sync tickets.',
        },
      }),
      services.config.publicUrl,
    );
    return c.json(document);
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'teamApiKey', { type: 'http', scheme: 'bearer' });
  // The reference page's script is served from our own origin: no CDN is reachable from every install.
  app.get(
    '/docs',
    // Offline and quiet: no web fonts, no cloud client, AI agent, toolbar or telemetry; requests go to our own
    // server, with the team API key as the one way to authenticate.
    Scalar({
      url: '/openapi.json',
      pageTitle: 'API reference',
      cdn: '/docs/assets/scalar.js',
      withDefaultFonts: false,
      hideClientButton: true,
      showDeveloperTools: 'never',
      telemetry: false,
      mcp: { disabled: true },
      agent: { disabled: true },
      authentication: { preferredSecurityScheme: 'teamApiKey' },
      servers: [{ url: services.config.publicUrl }],
    }),
  );
  app.get('/docs/assets/scalar.js', async (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    c.header('vary', 'Accept-Encoding');
    const bundle = await readScalarBundle();
    if (!acceptsGzip(c.req.header('accept-encoding'))) return c.body(new Uint8Array(bundle.raw));
    c.header('content-encoding', 'gzip');
    return c.body(new Uint8Array(bundle.gzip));
  });

  app.route('/', operationsRoutes());
  app.route('/', teamRoutes());
  app.route('/', auditRoutes());
  // Before connectionRoutes: its `/v1/jira/connections/*` key check would otherwise run (a query) before the proxy's cached one.
  app.route('/', proxyRoutes());
  app.route('/', workflowRoutes());
  app.route('/', connectionRoutes());
  app.route('/', syncRoutes());
  app.route('/', ticketRoutes());
  app.route('/', consoleRoutes());
  app.route('/', forgeRoutes());

  app.notFound((c) => errorResponse(c, 'not_found', genericMessages.notFound));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error.code, error.message);
    if (error instanceof HTTPException) {
      return c.json(
        errorBody(errorCodeForStatus(error.status), error.message || 'Request failed'),
        error.status,
      );
    }
    const refused = refusedValue(error);
    if (refused) {
      // Every value should have been checked before it reached the database: this is a validation gap, told
      // to the caller as a 400 and logged (without the value) so it gets closed.
      services.logger.warn({ path: c.req.path, ...refused }, 'database refused a value from the request');
      return errorResponse(c, 'invalid_request', limitMessages.unstorableValue(refused.column ?? 'body'));
    }
    if (isConnectionLost(error)) {
      // A failover or a terminated session: the pool reconnects, the caller may simply retry.
      services.logger.warn({ err: error, path: c.req.path }, 'database connection lost during the request');
      return errorResponse(c, 'database_unavailable', genericMessages.databaseUnavailable);
    }
    // The logger's `err` serializer drops a failed query's SQL and parameters (logger.ts).
    services.logger.error({ err: error, path: c.req.path }, 'unhandled error');
    return errorResponse(c, 'internal_error', genericMessages.internal);
  });
  return app;
}

export type App = ReturnType<typeof buildApp>;
