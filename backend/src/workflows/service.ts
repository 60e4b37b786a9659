/**
 * Workflows and their runs: the team's workflow list (definitions in code plus ingested JSM request types),
 * policy changes, starting runs, approvals, and executing a run exactly once on the queue.
 *
 * Every state change is one guarded UPDATE (`… WHERE state = <expected>`), so two workers, a double click or a
 * redelivered job can never move a run twice; a run only ever calls Jira after it was claimed queued → running.
 */

import { randomUUID } from 'node:crypto';
import {
  APPROVAL_EXPIRY_DAYS,
  type ApprovalPolicy,
  type RunState,
  workflowMessages,
} from '@jira-integration/shared/workflow-messages';
import { and, asc, desc, eq, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { findConnection } from '../connections/service';
import type { Services } from '../context';
import { apiKeys, auditLog, jiraConnections, workflowRunSteps, workflowRuns, workflows } from '../db/schema';
import { ApiError } from '../http/errors';
import { writeWorkflowAudit } from './audit';
import { runRequestType } from './catalog/run';
import { type RunContext, WorkflowError } from './definition';
import { JiraSteps } from './jira-steps';
import { type Heartbeat, RUN_LEASE_MS, renewRunLease } from './lease';
import { definitionFor, WORKFLOW_DEFINITIONS } from './registry';
import { validateInput } from './validation';

export type Workflow = typeof workflows.$inferSelect;
export type WorkflowRun = typeof workflowRuns.$inferSelect;
export type WorkflowRunStep = typeof workflowRunSteps.$inferSelect;

export const WORKFLOW_RUN_JOB = 'workflows.run';
const APPROVAL_EXPIRY_MS = APPROVAL_EXPIRY_DAYS * 86_400_000;
/** The actor of what the platform does by itself (expiry). */
export const SYSTEM_ACTOR = 'system';

const audit = writeWorkflowAudit;

/** The definitions in code become rows of the team (keeping each row's enabled state and policy). */
export async function ensureTeamWorkflows(services: Services, teamId: string): Promise<void> {
  const now = services.clock.now();
  // One statement: new definitions are added, changed texts and schemas follow the code.
  await services.db
    .insert(workflows)
    .values(
      WORKFLOW_DEFINITIONS.map((definition) => ({
        id: randomUUID(),
        teamId,
        kind: definition.kind,
        key: definition.key,
        name: definition.name,
        description: definition.description,
        inputSchema: definition.inputSchema,
        approval: definition.defaultApproval,
        enabled: true,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [workflows.teamId, workflows.key],
      set: {
        name: sql`excluded.name`,
        description: sql`excluded.description`,
        inputSchema: sql`excluded.input_schema`,
      },
    });
}

export async function listWorkflows(
  services: Services,
  teamId: string,
  filter: { kind?: Workflow['kind']; connectionId?: string; includeRetired?: boolean } = {},
): Promise<Workflow[]> {
  await ensureTeamWorkflows(services, teamId);
  return services.db
    .select()
    .from(workflows)
    .where(
      and(
        eq(workflows.teamId, teamId),
        filter.kind ? eq(workflows.kind, filter.kind) : undefined,
        filter.connectionId ? eq(workflows.connectionId, filter.connectionId) : undefined,
        filter.includeRetired ? undefined : isNull(workflows.retiredAt),
      ),
    )
    .orderBy(
      asc(sql`case ${workflows.kind} when 'prebuilt' then 0 when 'action' then 1 else 2 end`),
      asc(workflows.name),
    );
}

/** By id, or by a definition's key (`read-jira-issue-details`); another team's workflow is not found. */
export async function findWorkflow(services: Services, teamId: string, idOrKey: string): Promise<Workflow> {
  if (definitionFor(idOrKey)) await ensureTeamWorkflows(services, teamId);
  const [row] = await services.db
    .select()
    .from(workflows)
    .where(and(eq(workflows.teamId, teamId), or(eq(workflows.id, idOrKey), eq(workflows.key, idOrKey))))
    .limit(1);
  if (!row) throw new ApiError('workflow_not_found', workflowMessages.workflowNotFound);
  return row;
}

const APPROVAL_STRICTNESS: Record<ApprovalPolicy, number> = {
  'no-approval': 0,
  'team-approval': 1,
  'installer-approval': 2,
};

/**
 * Loosening a policy takes the authority that approves under it: leaving installer approval, the key that made
 * every connection of the team whose maker is recorded (a console session acts as its key); leaving team
 * approval, any key of the team. Otherwise a key that may not approve a run could simply switch approval off.
 */
async function requireLooseningAuthority(
  services: Services,
  teamId: string,
  from: ApprovalPolicy,
  actorKeyId: string,
): Promise<void> {
  const isKey = actorKeyId !== 'console';
  if (from === 'team-approval') {
    if (!isKey) throw new ApiError('approval_forbidden', workflowMessages.looseningNeedsAdmin);
    return;
  }
  const makers = await services.db
    .select({ createdByKeyId: jiraConnections.createdByKeyId })
    .from(jiraConnections)
    .where(eq(jiraConnections.teamId, teamId));
  const recorded = makers.map((maker) => maker.createdByKeyId).filter((id): id is string => Boolean(id));
  if (!isKey || recorded.length === 0 || recorded.some((id) => id !== actorKeyId))
    throw new ApiError('approval_forbidden', workflowMessages.looseningNeedsInstaller);
}

/** An admin pauses/enables a workflow or changes its approval policy; the change and its author are audited. */
export async function updateWorkflow(
  services: Services,
  teamId: string,
  idOrKey: string,
  change: { enabled?: boolean; approval?: ApprovalPolicy },
  actor: string,
): Promise<Workflow> {
  if (change.enabled === undefined && change.approval === undefined) {
    throw new ApiError('invalid_request', workflowMessages.nothingToChange);
  }
  const workflow = await findWorkflow(services, teamId, idOrKey);
  if (change.approval && APPROVAL_STRICTNESS[change.approval] < APPROVAL_STRICTNESS[workflow.approval])
    await requireLooseningAuthority(services, teamId, workflow.approval, actor);
  return services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflows)
      .set({
        ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
        ...(change.approval === undefined ? {} : { approval: change.approval }),
        updatedAt: services.clock.now(),
      })
      .where(eq(workflows.id, workflow.id))
      .returning();
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (change.enabled !== undefined && change.enabled !== workflow.enabled) {
      changes.enabled = { from: workflow.enabled, to: change.enabled };
    }
    if (change.approval !== undefined && change.approval !== workflow.approval) {
      changes.approval = { from: workflow.approval, to: change.approval };
    }
    if (Object.keys(changes).length) {
      await audit(tx, {
        teamId,
        action: 'workflow.updated',
        target: workflow.id,
        detail: { actor, workflow: workflow.name, changes },
      });
    }
    return row;
  });
}

export interface StartRunRequest {
  connectionId?: string;
  input?: Record<string, unknown>;
  useServiceAccount?: boolean;
  asJiraUser?: string;
}

export async function startRun(
  services: Services,
  teamId: string,
  workflowIdOrKey: string,
  request: StartRunRequest,
  actor: string,
): Promise<WorkflowRun> {
  const workflow = await findWorkflow(services, teamId, workflowIdOrKey);
  // A catalog workflow runs on the connection it came from unless told otherwise.
  const connectionId = request.connectionId ?? workflow.connectionId;
  if (!connectionId) throw new ApiError('invalid_request', workflowMessages.connectionRequired);
  const connection = await findConnection(services, teamId, connectionId);
  if (workflow.retiredAt)
    throw new ApiError('workflow_retired', workflowMessages.workflowRetired(workflow.name));
  if (!workflow.enabled)
    throw new ApiError('workflow_paused', workflowMessages.workflowPaused(workflow.name));
  if (workflow.connectionId && workflow.connectionId !== connection.id) {
    throw new ApiError('wrong_connection', workflowMessages.wrongConnection);
  }
  const input = structuredClone(request.input ?? {});
  const problems = validateInput(workflow.id, workflow.inputSchema, input);
  if (problems) throw new ApiError('invalid_input', workflowMessages.invalidInput(problems));

  const now = services.clock.now();
  const needsApproval = workflow.approval !== 'no-approval';
  const run = await services.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workflowRuns)
      .values({
        id: randomUUID(),
        teamId,
        workflowId: workflow.id,
        connectionId: connection.id,
        input,
        state: needsApproval ? 'awaiting_approval' : 'queued',
        approval: workflow.approval,
        useServiceAccount: request.useServiceAccount === true,
        asJiraUser: request.asJiraUser?.trim() || null,
        startedBy: actor,
        approvalExpiresAt: needsApproval ? new Date(now.getTime() + APPROVAL_EXPIRY_MS) : null,
        createdAt: now,
      })
      .returning();
    await audit(tx, {
      teamId,
      action: 'workflow.run.started',
      target: row.id,
      detail: { actor, workflowId: workflow.id, workflow: workflow.name, approval: workflow.approval },
    });
    return row;
  });
  if (run.state === 'queued') await enqueueRun(services, run.id);
  return run;
}

export async function enqueueRun(services: Services, runId: string): Promise<void> {
  // The run row is the source of truth; a duplicate job finds it claimed and does nothing.
  await services.queue.send(WORKFLOW_RUN_JOB, { runId }, { singletonKey: runId });
}

export async function findRun(services: Services, teamId: string, id: string): Promise<WorkflowRun> {
  const [row] = await services.db
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.id, id), eq(workflowRuns.teamId, teamId)));
  if (!row) throw new ApiError('run_not_found', workflowMessages.runNotFound);
  return row;
}

export async function listRuns(
  services: Services,
  teamId: string,
  filter: { workflowId?: string; state?: RunState; limit?: number } = {},
): Promise<WorkflowRun[]> {
  return services.db
    .select()
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.teamId, teamId),
        filter.workflowId ? eq(workflowRuns.workflowId, filter.workflowId) : undefined,
        filter.state ? eq(workflowRuns.state, filter.state) : undefined,
      ),
    )
    .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
    .limit(Math.min(filter.limit ?? 50, 200));
}

export async function runSteps(services: Services, runId: string): Promise<WorkflowRunStep[]> {
  return services.db
    .select()
    .from(workflowRunSteps)
    .where(eq(workflowRunSteps.runId, runId))
    .orderBy(asc(workflowRunSteps.id));
}

export async function runHistory(services: Services, teamId: string, runId: string) {
  return services.db
    .select({ action: auditLog.action, detail: auditLog.detail, at: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.teamId, teamId), eq(auditLog.target, runId)))
    .orderBy(asc(auditLog.id));
}

/** Readable names for actors (API key ids): "name (jik_abc…)". */
export async function actorNames(services: Services, teamId: string): Promise<Map<string, string>> {
  const keys = await services.db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(eq(apiKeys.teamId, teamId));
  return new Map(keys.map((key) => [key.id, `${key.name} (${key.prefix}…)`]));
}

/**
 * Approve or reject a run that awaits approval. `installer-approval` accepts only the API key that made the
 * connection; `team-approval` any admin of the team (every API key of the team, and console sessions).
 */
export async function decideRun(
  services: Services,
  teamId: string,
  runId: string,
  decision: 'approve' | 'reject',
  actor: string | undefined,
  reason: string | undefined,
): Promise<WorkflowRun> {
  const run = await findRun(services, teamId, runId);
  await expireOverdueRuns(services, runId);
  if (!actor) throw new ApiError('approval_forbidden', workflowMessages.noActor);
  if (run.approval === 'installer-approval') {
    const [connection] = await services.db
      .select({ createdByKeyId: jiraConnections.createdByKeyId })
      .from(jiraConnections)
      .where(eq(jiraConnections.id, run.connectionId));
    if (!connection?.createdByKeyId) {
      throw new ApiError('approval_forbidden', workflowMessages.noInstallerRecorded);
    }
    if (connection.createdByKeyId !== actor) {
      throw new ApiError('approval_forbidden', workflowMessages.notInstaller);
    }
  }
  const now = services.clock.now();
  const decided = await services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflowRuns)
      .set({
        state: decision === 'approve' ? 'queued' : 'rejected',
        decidedBy: actor,
        decidedAt: now,
        decisionReason: reason?.trim() || null,
        ...(decision === 'reject' ? { finishedAt: now } : {}),
      })
      .where(and(eq(workflowRuns.id, run.id), eq(workflowRuns.state, 'awaiting_approval')))
      .returning();
    if (!row) return undefined;
    await audit(tx, {
      teamId,
      action: decision === 'approve' ? 'workflow.run.approved' : 'workflow.run.rejected',
      target: run.id,
      detail: { actor, reason: reason?.trim() || null },
    });
    return row;
  });
  if (!decided) {
    const current = await findRun(services, teamId, runId);
    if (current.state === 'rejected' && current.decidedBy === SYSTEM_ACTOR) {
      throw new ApiError('approval_expired', workflowMessages.approvalExpired(APPROVAL_EXPIRY_DAYS));
    }
    throw new ApiError('not_awaiting_approval', workflowMessages.notAwaitingApproval(current.state));
  }
  if (decided.state === 'queued') await enqueueRun(services, decided.id);
  return decided;
}

/** Runs that waited past their approval expiry are rejected by the system (they never call Jira). */
export async function expireOverdueRuns(services: Services, onlyRunId?: string): Promise<number> {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    const expired = await tx
      .update(workflowRuns)
      .set({
        state: 'rejected',
        decidedBy: SYSTEM_ACTOR,
        decidedAt: now,
        decisionReason: workflowMessages.approvalExpired(APPROVAL_EXPIRY_DAYS),
        finishedAt: now,
      })
      .where(
        and(
          eq(workflowRuns.state, 'awaiting_approval'),
          lte(workflowRuns.approvalExpiresAt, now),
          onlyRunId ? eq(workflowRuns.id, onlyRunId) : undefined,
        ),
      )
      .returning({ id: workflowRuns.id, teamId: workflowRuns.teamId });
    for (const run of expired) {
      await audit(tx, {
        teamId: run.teamId,
        action: 'workflow.run.expired',
        target: run.id,
        detail: { actor: SYSTEM_ACTOR, reason: workflowMessages.approvalExpired(APPROVAL_EXPIRY_DAYS) },
      });
    }
    return expired.length;
  });
}

/**
 * Queued runs whose job was lost (a crash between the insert and the send) and running runs whose worker's lease
 * ran out go back on the queue. Claiming is guarded, so a run that is in fact still running is not run twice.
 */
export async function requeueStrandedRuns(services: Services): Promise<number> {
  const now = services.clock.now();
  const stranded = await services.db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      or(
        and(eq(workflowRuns.state, 'queued'), lt(workflowRuns.createdAt, new Date(now.getTime() - 60_000))),
        and(eq(workflowRuns.state, 'running'), lt(workflowRuns.leaseExpiresAt, now)),
      ),
    )
    .limit(500);
  for (const run of stranded) await enqueueRun(services, run.id);
  return stranded.length;
}

export interface ExecuteOptions {
  /** Called after a Jira call is logged and before it leaves (tests freeze a worker here). */
  beforeJiraCall?: (step: { name: string; method: string; path: string }) => Promise<void>;
  /** Renews the run's lease while the run goes on (the job's worker: every RUN_HEARTBEAT_MS). */
  heartbeat?: Heartbeat;
}

/**
 * Executes a run once: claims it (queued → running, or a running run whose worker's lease expired), runs the
 * workflow and records the result, guarded by the attempt number so a worker that lost its lease cannot
 * overwrite what its successor did.
 */
export async function executeRun(services: Services, runId: string, options: ExecuteOptions = {}) {
  const now = services.clock.now();
  const [claimed] = await services.db
    .update(workflowRuns)
    .set({
      state: 'running',
      attempts: sql`${workflowRuns.attempts} + 1`,
      leaseExpiresAt: new Date(now.getTime() + RUN_LEASE_MS),
      startedAt: sql`coalesce(${workflowRuns.startedAt}, ${now.toISOString()}::timestamptz)`,
    })
    .where(
      and(
        eq(workflowRuns.id, runId),
        or(
          eq(workflowRuns.state, 'queued'),
          and(eq(workflowRuns.state, 'running'), lt(workflowRuns.leaseExpiresAt, now)),
        ),
      ),
    )
    .returning();
  if (!claimed) return undefined;
  const attempt = claimed.attempts;
  const [workflow] = await services.db.select().from(workflows).where(eq(workflows.id, claimed.workflowId));
  const [connection] = await services.db
    .select()
    .from(jiraConnections)
    .where(eq(jiraConnections.id, claimed.connectionId));

  let outcome: { state: 'succeeded'; output: unknown } | { state: 'failed'; code: string; message: string };
  const stopHeartbeat = options.heartbeat?.(() => {
    renewRunLease(services, runId, attempt).catch((error) =>
      services.logger.warn({ err: error, runId }, 'could not renew the workflow run’s lease'),
    );
  });
  try {
    if (attempt > 1) await refuseRepeatedWrites(services, workflow, claimed);
    const jira = new JiraSteps(
      services,
      connection,
      claimed.id,
      attempt,
      {
        useServiceAccount: claimed.useServiceAccount,
        asJiraUser: claimed.asJiraUser,
      },
      options.beforeJiraCall,
    );
    const context: RunContext = {
      services,
      connection,
      jira,
      run: { id: claimed.id, teamId: claimed.teamId, workflowId: workflow.id },
    };
    const output = await runWorkflow(context, workflow, claimed.input);
    outcome = { state: 'succeeded', output };
  } catch (error) {
    if (error instanceof WorkflowError) {
      outcome = { state: 'failed', code: error.code, message: error.message };
    } else if (error instanceof ApiError) {
      outcome = { state: 'failed', code: error.code, message: error.message };
    } else {
      services.logger.error({ err: error, runId }, 'workflow run failed unexpectedly');
      outcome = { state: 'failed', code: 'internal_error', message: 'The run failed unexpectedly.' };
    }
  } finally {
    stopHeartbeat?.();
  }
  const finishedAt = services.clock.now();
  return services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflowRuns)
      .set(
        outcome.state === 'succeeded'
          ? {
              state: 'succeeded',
              output: outcome.output,
              requestKey: requestKeyOf(outcome.output),
              finishedAt,
              leaseExpiresAt: null,
            }
          : {
              state: 'failed',
              errorCode: outcome.code,
              error: outcome.message,
              finishedAt,
              leaseExpiresAt: null,
            },
      )
      .where(
        and(
          eq(workflowRuns.id, runId),
          eq(workflowRuns.state, 'running'),
          eq(workflowRuns.attempts, attempt),
        ),
      )
      .returning();
    if (!row) return undefined;
    await audit(tx, {
      teamId: row.teamId,
      action: outcome.state === 'succeeded' ? 'workflow.run.succeeded' : 'workflow.run.failed',
      target: row.id,
      detail: outcome.state === 'succeeded' ? {} : { code: outcome.code, message: outcome.message },
    });
    return row;
  });
}

function requestKeyOf(output: unknown): string | null {
  const key = (output as { requestKey?: unknown } | null)?.requestKey;
  return typeof key === 'string' ? key : null;
}

async function runWorkflow(context: RunContext, workflow: Workflow, input: Record<string, unknown>) {
  if (workflow.kind === 'jsm_request_type') return runRequestType(context, workflow, input);
  const definition = definitionFor(workflow.key);
  if (!definition) throw new WorkflowError('workflow_not_found', workflowMessages.workflowNotFound);
  return definition.run(context, input);
}

/**
 * A run picked up again after its worker vanished. Read-only workflows simply run again. One that writes runs
 * again only if no write of an earlier attempt may have reached Jira; otherwise it fails, naming the call.
 */
async function refuseRepeatedWrites(services: Services, workflow: Workflow, run: WorkflowRun) {
  const writes = workflow.kind === 'jsm_request_type' || definitionFor(workflow.key)?.writes !== false;
  if (!writes) return;
  const [earlierWrite] = await services.db
    .select()
    .from(workflowRunSteps)
    .where(
      and(
        eq(workflowRunSteps.runId, run.id),
        lt(workflowRunSteps.attempt, run.attempts),
        ne(workflowRunSteps.method, 'GET'),
      ),
    )
    .orderBy(asc(workflowRunSteps.id))
    .limit(1);
  if (earlierWrite) {
    throw new WorkflowError(
      'interrupted',
      workflowMessages.interrupted(earlierWrite.method, earlierWrite.path),
    );
  }
}

/** The run as the API returns it: everything but nothing secret (there is nothing secret on a run). */
export function presentRun(run: WorkflowRun, names: Map<string, string> = new Map()) {
  const who = (actor: string | null) => (actor ? { id: actor, name: names.get(actor) ?? actor } : null);
  return {
    id: run.id,
    workflowId: run.workflowId,
    connectionId: run.connectionId,
    state: run.state,
    approval: run.approval,
    input: run.input,
    output: run.output ?? null,
    error: run.error ? { code: run.errorCode ?? 'failed', message: run.error } : null,
    requestKey: run.requestKey,
    useServiceAccount: run.useServiceAccount,
    asJiraUser: run.asJiraUser,
    startedBy: who(run.startedBy),
    decidedBy: who(run.decidedBy),
    decidedAt: run.decidedAt?.toISOString() ?? null,
    decisionReason: run.decisionReason,
    approvalExpiresAt: run.approvalExpiresAt?.toISOString() ?? null,
    attempts: run.attempts,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export function presentStep(step: WorkflowRunStep) {
  return {
    name: step.name,
    method: step.method,
    path: step.path,
    status: step.status,
    durationMs: step.durationMs,
    identity: step.identity,
    asJiraUser: step.asJiraUser,
    attempt: step.attempt,
    startedAt: step.startedAt.toISOString(),
  };
}

export function presentWorkflow(workflow: Workflow) {
  return {
    id: workflow.id,
    key: workflow.key,
    kind: workflow.kind,
    name: workflow.name,
    description: workflow.description,
    inputSchema: workflow.inputSchema,
    approval: workflow.approval,
    enabled: workflow.enabled,
    connectionId: workflow.connectionId,
    source: workflow.source ?? null,
    retiredAt: workflow.retiredAt?.toISOString() ?? null,
    updatedAt: workflow.updatedAt.toISOString(),
  };
}
