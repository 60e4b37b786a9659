import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { APPROVAL_POLICIES, RUN_STATES } from '@jira-integration/shared/workflow-messages';
import { requireTeam } from '../auth/middleware';
import type { AppEnv } from '../context';
import { idempotencyHeader, idempotent } from '../http/idempotency';
import { errorResponses, idParam, jsonBody, jsonContent } from '../http/openapi';
import { findIngestion, presentIngestion, startIngestion } from './catalog/service';
import {
  actorNames,
  decideRun,
  findRun,
  findWorkflow,
  listRuns,
  listWorkflows,
  presentRun,
  presentStep,
  presentWorkflow,
  runHistory,
  runSteps,
  startRun,
  updateWorkflow,
} from './service';

const security = [{ teamApiKey: [] }];
const Loose = z.record(z.string(), z.unknown());

const Workflow = z
  .object({
    id: z.string(),
    key: z.string(),
    kind: z.enum(['prebuilt', 'action', 'jsm_request_type']),
    name: z.string(),
    description: z.string(),
    inputSchema: Loose,
    approval: z.enum(APPROVAL_POLICIES),
    enabled: z.boolean(),
    connectionId: z.string().nullable(),
    source: Loose.nullable(),
    retiredAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Workflow');
const Actor = z.object({ id: z.string(), name: z.string() }).nullable();
const Run = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    connectionId: z.string(),
    state: z.enum(RUN_STATES),
    approval: z.enum(APPROVAL_POLICIES),
    input: Loose,
    output: z.unknown(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    requestKey: z.string().nullable(),
    useServiceAccount: z.boolean(),
    asJiraUser: z.string().nullable(),
    startedBy: Actor,
    decidedBy: Actor,
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    approvalExpiresAt: z.string().nullable(),
    attempts: z.number(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('WorkflowRun');
const Step = z
  .object({
    name: z.string(),
    method: z.string(),
    path: z.string(),
    status: z.number().nullable(),
    durationMs: z.number().nullable(),
    identity: z.string(),
    asJiraUser: z.string().nullable(),
    attempt: z.number(),
    startedAt: z.string(),
  })
  .openapi('WorkflowRunStep');
const HistoryEntry = z.object({ action: z.string(), detail: Loose, at: z.string() });
const RunDetail = Run.extend({ steps: z.array(Step), history: z.array(HistoryEntry) }).openapi(
  'WorkflowRunDetail',
);
const StartRun = z
  .strictObject({
    connectionId: z.string().optional(),
    input: Loose.optional(),
    useServiceAccount: z.boolean().optional(),
    asJiraUser: z.string().max(128).optional(),
  })
  .openapi('StartWorkflowRun');
const Decision = z.strictObject({ reason: z.string().max(1_000).optional() }).openapi('WorkflowRunDecision');
const Ingestion = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'failed']),
    serviceDesks: z.object({ done: z.number(), total: z.number().nullable() }),
    requestTypes: z.object({ done: z.number(), total: z.number().nullable() }),
    created: z.number(),
    updated: z.number(),
    retired: z.number(),
    error: z.string().nullable(),
    attempts: z
      .number()
      .openapi({ description: 'Workers that took it up; above 1, a lost worker’s ingestion was resumed' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('CatalogIngestion');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/workflows',
    summary: 'Prebuilt workflows, common Jira actions and ingested JSM request types',
    security,
    request: {
      query: z.object({
        kind: z.enum(['prebuilt', 'action', 'jsm_request_type']).optional(),
        connectionId: z.string().optional(),
        includeRetired: z.enum(['true', 'false']).optional(),
      }),
    },
    responses: {
      200: jsonContent(z.object({ workflows: z.array(Workflow) }), 'Workflows'),
      ...errorResponses(401),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/workflows/{id}',
    summary: 'One workflow (by id or key)',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(Workflow, 'The workflow'), ...errorResponses(401, 404) },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/v1/workflows/{id}',
    summary: 'Enable or pause a workflow, or change its approval policy (audited)',
    security,
    request: {
      params: idParam,
      ...jsonBody(
        z.strictObject({
          enabled: z.boolean().optional(),
          approval: z.enum(APPROVAL_POLICIES).optional(),
        }),
      ),
    },
    responses: { 200: jsonContent(Workflow, 'The workflow'), ...errorResponses(400, 401, 404) },
  }),
  start: createRoute({
    method: 'post',
    path: '/v1/workflows/{id}/runs',
    summary: 'Start a run (it waits for approval unless the policy is no-approval)',
    security,
    middleware: [idempotent],
    request: { params: idParam, headers: idempotencyHeader, ...jsonBody(StartRun) },
    responses: { 202: jsonContent(Run, 'The run'), ...errorResponses(400, 401, 404, 409) },
  }),
  runs: createRoute({
    method: 'get',
    path: '/v1/workflow-runs',
    summary: 'Run history, newest first',
    security,
    request: {
      query: z.object({
        workflowId: z.string().optional(),
        state: z.enum(RUN_STATES).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
      }),
    },
    responses: { 200: jsonContent(z.object({ runs: z.array(Run) }), 'Runs'), ...errorResponses(401) },
  }),
  run: createRoute({
    method: 'get',
    path: '/v1/workflow-runs/{id}',
    summary: 'A run with its Jira calls and its audit history',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(RunDetail, 'The run'), ...errorResponses(401, 404) },
  }),
  approve: createRoute({
    method: 'post',
    path: '/v1/workflow-runs/{id}/approve',
    summary: 'Approve a run that awaits approval',
    security,
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: Decision } }, required: false },
    },
    responses: { 200: jsonContent(Run, 'The run, now queued'), ...errorResponses(401, 403, 404, 409) },
  }),
  reject: createRoute({
    method: 'post',
    path: '/v1/workflow-runs/{id}/reject',
    summary: 'Reject a run that awaits approval (it never calls Jira)',
    security,
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: Decision } }, required: false },
    },
    responses: { 200: jsonContent(Run, 'The run, now rejected'), ...errorResponses(401, 403, 404, 409) },
  }),
  ingest: createRoute({
    method: 'post',
    path: '/v1/jira/connections/{id}/catalog/ingest',
    summary: 'Import the JSM request types of every service desk as workflows (paused); runs as a job',
    security,
    request: { params: idParam },
    responses: { 202: jsonContent(Ingestion, 'The ingestion and its progress'), ...errorResponses(401, 404) },
  }),
  ingestion: createRoute({
    method: 'get',
    path: '/v1/catalog-ingestions/{id}',
    summary: 'Progress of a catalog ingestion',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(Ingestion, 'The ingestion'), ...errorResponses(401, 404) },
  }),
};

/** The acting API key; a console session without one can read but not approve. */
function actorOf(c: { var: { actorKeyId?: string } }): string {
  return c.var.actorKeyId ?? 'console';
}

export function workflowRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/workflows', requireTeam);
  app.use('/v1/workflows/*', requireTeam);
  app.use('/v1/workflow-runs', requireTeam);
  app.use('/v1/workflow-runs/*', requireTeam);
  app.use('/v1/catalog-ingestions/*', requireTeam);
  app.use('/v1/jira/connections/:id/catalog/*', requireTeam);

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const rows = await listWorkflows(c.var.services, c.var.teamId, {
      kind: query.kind,
      connectionId: query.connectionId,
      includeRetired: query.includeRetired === 'true',
    });
    return c.json({ workflows: rows.map(presentWorkflow) }, 200);
  });
  app.openapi(routes.get, async (c) =>
    c.json(presentWorkflow(await findWorkflow(c.var.services, c.var.teamId, c.req.valid('param').id)), 200),
  );
  app.openapi(routes.patch, async (c) => {
    const updated = await updateWorkflow(
      c.var.services,
      c.var.teamId,
      c.req.valid('param').id,
      c.req.valid('json'),
      actorOf(c),
    );
    return c.json(presentWorkflow(updated), 200);
  });
  app.openapi(routes.start, async (c) => {
    const { services, teamId } = c.var;
    const run = await startRun(services, teamId, c.req.valid('param').id, c.req.valid('json'), actorOf(c));
    return c.json(presentRun(run, await actorNames(services, teamId)), 202);
  });
  app.openapi(routes.runs, async (c) => {
    const { services, teamId } = c.var;
    const runs = await listRuns(services, teamId, c.req.valid('query'));
    const names = await actorNames(services, teamId);
    return c.json({ runs: runs.map((run) => presentRun(run, names)) }, 200);
  });
  app.openapi(routes.run, async (c) => {
    const { services, teamId } = c.var;
    const run = await findRun(services, teamId, c.req.valid('param').id);
    const [steps, history, names] = await Promise.all([
      runSteps(services, run.id),
      runHistory(services, teamId, run.id),
      actorNames(services, teamId),
    ]);
    return c.json(
      {
        ...presentRun(run, names),
        steps: steps.map(presentStep),
        history: history.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
      },
      200,
    );
  });
  for (const decision of ['approve', 'reject'] as const) {
    app.openapi(routes[decision], async (c) => {
      const { services, teamId } = c.var;
      // The body is optional: without one, the validator leaves nothing.
      const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason;
      const run = await decideRun(
        services,
        teamId,
        c.req.valid('param').id,
        decision,
        c.var.actorKeyId,
        reason,
      );
      return c.json(presentRun(run, await actorNames(services, teamId)), 200);
    });
  }
  app.openapi(routes.ingest, async (c) => {
    const ingestion = await startIngestion(c.var.services, c.var.teamId, c.req.valid('param').id, actorOf(c));
    return c.json(presentIngestion(ingestion), 202);
  });
  app.openapi(routes.ingestion, async (c) =>
    c.json(presentIngestion(await findIngestion(c.var.services, c.var.teamId, c.req.valid('param').id)), 200),
  );
  return app;
}
