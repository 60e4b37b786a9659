import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { syncConfigMessages } from '@jira-integration/shared/sync-messages';
import { requireTeam } from '../auth/middleware';
import { findConnection } from '../connections/service';
import type { AppEnv } from '../context';
import { SYNC_STRATEGIES, TICKET_PRIORITIES, TICKET_STATUSES } from '../db/schema';
import { ApiError } from '../http/errors';
import { errorResponses, idParam, jsonBody, jsonContent } from '../http/openapi';
import { findTicket } from '../tickets/service';
import {
  findSyncConfig,
  presentSyncConfig,
  readSiteSyncOptions,
  saveSyncConfig,
  syncConfigInput,
} from './config';
import { syncReadiness } from './readiness';
import { backfillProgress, onSyncConfigSaved, startBackfill } from './reconcile';
import { ticketSyncStatus } from './status';

const security = [{ teamApiKey: [] }];

const Readiness = z.object({
  ready: z.boolean(),
  reason: z.string().nullable(),
  checks: z.array(z.object({ key: z.string(), name: z.string(), ok: z.boolean(), fix: z.string() })),
});
const Progress = z.object({
  state: z.enum(['not_started', 'running', 'finished']),
  done: z.number().int(),
  total: z.number().int().nullable(),
  ratePerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  summary: z.string(),
});
const Config = z.object({
  projectKey: z.string(),
  projectId: z.string(),
  issueTypeId: z.string(),
  requestTypeId: z.string().nullable(),
  priorityMapping: z.record(z.enum(TICKET_PRIORITIES), z.array(z.string())),
  statusMapping: z.record(z.enum(TICKET_STATUSES), z.array(z.string())),
  strategy: z.enum(SYNC_STRATEGIES),
  reconcileIntervalMinutes: z.number().int(),
  updatedAt: z.string(),
});
const SyncConfigAnswer = z
  .object({
    config: Config.nullable(),
    readiness: Readiness,
    backfill: Progress.nullable(),
    lastReconciledAt: z.string().nullable(),
    lastReconcileError: z.string().nullable(),
  })
  .openapi('SyncConfig');
const NamedId = z.object({ id: z.string(), name: z.string() });
const SiteOptions = z
  .object({
    projects: z.array(
      z.object({ id: z.string(), key: z.string(), name: z.string(), serviceDesk: z.boolean() }),
    ),
    priorities: z.array(NamedId),
    project: z
      .object({
        key: z.string(),
        statuses: z.array(NamedId),
        requestTypes: z.array(NamedId).nullable(),
        issueTypeId: z.string(),
      })
      .optional(),
  })
  .openapi('SyncSiteOptions');

const SyncStatusSchema = z
  .object({
    ticketId: z.string(),
    state: z.enum(['not_linked', 'pending', 'synced', 'error']),
    ready: z.boolean(),
    reason: z.string().nullable(),
    issueKey: z.string().nullable(),
    issueUrl: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    queuedChanges: z.number().int(),
  })
  .openapi('TicketSyncStatus');

const routes = {
  sync: createRoute({
    method: 'get',
    path: '/v1/tickets/{id}/sync',
    summary: "The ticket's sync status: link, state, last sync, last error, queued changes",
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(SyncStatusSchema, 'Sync status'), ...errorResponses(401, 404) },
  }),

  get: createRoute({
    method: 'get',
    path: '/v1/jira/connections/{id}/sync-config',
    summary: 'Sync settings, readiness (which condition fails) and backfill progress',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(SyncConfigAnswer, 'Sync settings'), ...errorResponses(401, 404) },
  }),
  put: createRoute({
    method: 'put',
    path: '/v1/jira/connections/{id}/sync-config',
    summary:
      "Save sync settings, checked against the site's projects, request types, priorities and statuses",
    security,
    request: { params: idParam, ...jsonBody(syncConfigInput) },
    responses: { 200: jsonContent(SyncConfigAnswer, 'Saved'), ...errorResponses(400, 401, 404, 409, 502) },
  }),
  options: createRoute({
    method: 'get',
    path: '/v1/jira/connections/{id}/sync-options',
    summary:
      "The site's projects and priorities, and a project's statuses and request types, for the settings form",
    security,
    request: { params: idParam, query: z.object({ projectKey: z.string().max(255).optional() }) },
    responses: { 200: jsonContent(SiteOptions, 'Options'), ...errorResponses(400, 401, 404, 409, 502) },
  }),
  backfill: createRoute({
    method: 'post',
    path: '/v1/jira/connections/{id}/sync-backfill',
    summary: 'Read every issue of the configured project again (progress in GET sync-config)',
    security,
    request: { params: idParam },
    responses: { 202: jsonContent(SyncConfigAnswer, 'Started'), ...errorResponses(401, 404, 409) },
  }),
};

export function syncRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/jira/connections/:id/sync-config', requireTeam);
  app.use('/v1/jira/connections/:id/sync-options', requireTeam);
  app.use('/v1/jira/connections/:id/sync-backfill', requireTeam);
  app.use('/v1/tickets/:id/sync', requireTeam);

  async function answer(services: AppEnv['Variables']['services'], teamId: string, id: string) {
    const connection = await findConnection(services, teamId, id);
    const config = await findSyncConfig(services, id);
    const readiness = await syncReadiness(services, connection);
    return {
      config: config ? presentSyncConfig(config) : null,
      readiness,
      backfill: config?.backfillStartedAt ? backfillProgress(config, services.clock.now()) : null,
      lastReconciledAt: config?.lastReconciledAt?.toISOString() ?? null,
      lastReconcileError: config?.lastReconcileError ?? null,
    };
  }

  app.openapi(routes.get, async (c) =>
    c.json(await answer(c.var.services, c.var.teamId, c.req.valid('param').id), 200),
  );
  app.openapi(routes.put, async (c) => {
    const { services } = c.var;
    const connection = await findConnection(services, c.var.teamId, c.req.valid('param').id);
    const before = await findSyncConfig(services, connection.id);
    const saved = await saveSyncConfig(services, connection, c.req.valid('json'));
    await onSyncConfigSaved(services, connection, before, saved);
    return c.json(await answer(services, c.var.teamId, connection.id), 200);
  });
  app.openapi(routes.options, async (c) => {
    const connection = await findConnection(c.var.services, c.var.teamId, c.req.valid('param').id);
    return c.json(
      await readSiteSyncOptions(c.var.services, connection, c.req.valid('query').projectKey),
      200,
    );
  });
  app.openapi(routes.backfill, async (c) => {
    const { services } = c.var;
    const connection = await findConnection(services, c.var.teamId, c.req.valid('param').id);
    const readiness = await syncReadiness(services, connection);
    if (!readiness.ready) {
      const message = readiness.reason ?? syncConfigMessages.notConfigured;
      throw new ApiError('sync_not_ready', message);
    }
    await startBackfill(services, connection.id);
    return c.json(await answer(services, c.var.teamId, connection.id), 202);
  });
  app.openapi(routes.sync, async (c) => {
    const ticket = await findTicket(c.var.services, c.var.teamId, c.req.valid('param').id);
    return c.json(await ticketSyncStatus(c.var.services, ticket), 200);
  });
  return app;
}
