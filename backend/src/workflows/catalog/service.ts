/**
 * JSM catalog ingestion: every service desk's request types become workflows of the team (paused until an admin
 * enables them). It runs as a job with a progress row; re-ingesting updates what changed, keeps each workflow's
 * enabled state and policy, retires what disappeared, and never makes a duplicate (one row per request type key).
 */
import { randomUUID } from 'node:crypto';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { AtlassianUnavailableError } from '../../atlassian/http';
import { JiraError, jiraJson, jsmListValues } from '../../atlassian/jira';
import { findConnection } from '../../connections/service';
import { asConnectingUser } from '../../connections/token-check';
import type { Services } from '../../context';
import { catalogIngestions, workflows } from '../../db/schema';
import { ApiError } from '../../http/errors';
import type { JiraConnection } from '../../model/connection';
import { writeWorkflowAudit } from '../audit';
import { jiraErrorText } from '../jira-steps';
import type { RequestTypeSource } from './run';
import { type RequestTypeField, requestTypeInputSchema } from './schema';

export const CATALOG_INGEST_JOB = 'workflows.catalog-ingest';
export type CatalogIngestion = typeof catalogIngestions.$inferSelect;

interface ServiceDesk {
  id: string;
  projectKey?: string;
  projectName?: string;
}
interface RequestType {
  id: string;
  name: string;
  description?: string;
  helpText?: string;
  fields?: { requestTypeFields: RequestTypeField[] };
}

const PAGE = 50;
/**
 * A worker holds a running ingestion this long and renews it with every bit of progress (each request type, each
 * service desk), so only a worker that stopped lets it lapse; the sweep then resumes the ingestion elsewhere.
 */
export const INGESTION_LEASE_MS = 2 * 60_000;
/** Workers an ingestion may lose before it is failed instead of resumed again. */
export const MAX_INGESTION_ATTEMPTS = 3;
/** A queued ingestion whose job has not started after this long lost it (a crash between insert and send). */
const LOST_JOB_MS = 60_000;
const MAX_PAGES = 200;

function everyPage<T>(services: Services, connection: JiraConnection, path: string, query = {}) {
  return jsmListValues<T>(services, asConnectingUser(services, connection), path, {
    limit: PAGE,
    query,
    maxPages: MAX_PAGES,
  });
}

/** JSON with object keys sorted: jsonb does not keep key order, so plain JSON.stringify would see changes that are not. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

export function catalogKey(connectionId: string, serviceDeskId: string, requestTypeId: string) {
  return `jsm:${connectionId}:${serviceDeskId}:${requestTypeId}`;
}

export async function startIngestion(
  services: Services,
  teamId: string,
  connectionId: string,
  actor: string,
): Promise<CatalogIngestion> {
  const connection = await findConnection(services, teamId, connectionId);
  // One ingestion per connection at a time: a second click shows the one under way.
  const [active] = await services.db
    .select()
    .from(catalogIngestions)
    .where(
      and(
        eq(catalogIngestions.connectionId, connection.id),
        inArray(catalogIngestions.state, ['queued', 'running']),
      ),
    )
    .limit(1);
  if (active) {
    // A second click shows the one under way; one whose worker was lost is resumed now, not at the next sweep.
    if (isStranded(active, services.clock.now())) await recoverIngestion(services, active);
    return findIngestion(services, teamId, active.id);
  }
  const [row] = await services.db
    .insert(catalogIngestions)
    .values({
      id: randomUUID(),
      teamId,
      connectionId: connection.id,
      state: 'queued',
      startedBy: actor,
      createdAt: services.clock.now(),
    })
    .returning();
  await services.queue.send(CATALOG_INGEST_JOB, { ingestionId: row.id }, { singletonKey: row.id });
  return row;
}

export async function findIngestion(services: Services, teamId: string, id: string) {
  const [row] = await services.db
    .select()
    .from(catalogIngestions)
    .where(and(eq(catalogIngestions.id, id), eq(catalogIngestions.teamId, teamId)));
  if (!row) throw new ApiError('ingestion_not_found', workflowMessages.ingestionNotFound);
  return row;
}

export async function latestIngestion(services: Services, teamId: string, connectionId: string) {
  const rows = await services.db
    .select()
    .from(catalogIngestions)
    .where(and(eq(catalogIngestions.teamId, teamId), eq(catalogIngestions.connectionId, connectionId)));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/** A running ingestion whose worker's lease ran out (or that has none, from before leases). */
const leaseLapsed = (now: Date) =>
  and(
    eq(catalogIngestions.state, 'running'),
    or(isNull(catalogIngestions.leaseExpiresAt), lt(catalogIngestions.leaseExpiresAt, now)),
  );

/** Its worker's lease ran out, or its job never started. */
function isStranded(row: CatalogIngestion, now: Date): boolean {
  if (row.state === 'running') return !row.leaseExpiresAt || row.leaseExpiresAt < now;
  return row.state === 'queued' && now.getTime() - row.createdAt.getTime() > LOST_JOB_MS;
}

/**
 * A stranded ingestion goes back on the queue (the next worker resumes it: every item is written by its key, so
 * nothing is made twice), or, once MAX_INGESTION_ATTEMPTS workers were lost on it, ends failed.
 */
async function recoverIngestion(services: Services, row: CatalogIngestion): Promise<'resumed' | 'failed'> {
  if (row.attempts >= MAX_INGESTION_ATTEMPTS) {
    await services.db
      .update(catalogIngestions)
      .set({
        state: 'failed',
        error: workflowMessages.ingestionAbandoned(row.attempts),
        finishedAt: services.clock.now(),
        leaseExpiresAt: null,
      })
      .where(
        and(
          eq(catalogIngestions.id, row.id),
          eq(catalogIngestions.attempts, row.attempts),
          row.state === 'running'
            ? leaseLapsed(services.clock.now())
            : eq(catalogIngestions.state, row.state),
        ),
      );
    return 'failed';
  }
  await services.queue.send(CATALOG_INGEST_JOB, { ingestionId: row.id }, { singletonKey: row.id });
  return 'resumed';
}

/**
 * The sweep's part: ingestions whose worker or job was lost are resumed (or failed after too many losses).
 * Answers their ids.
 */
export async function recoverStrandedIngestions(services: Services): Promise<string[]> {
  const now = services.clock.now();
  const stranded = await services.db
    .select()
    .from(catalogIngestions)
    .where(
      or(
        and(
          eq(catalogIngestions.state, 'queued'),
          lt(catalogIngestions.createdAt, new Date(now.getTime() - LOST_JOB_MS)),
        ),
        leaseLapsed(now),
      ),
    )
    .limit(100);
  for (const row of stranded) await recoverIngestion(services, row);
  return stranded.map((row) => row.id);
}

export function presentIngestion(row: CatalogIngestion) {
  return {
    id: row.id,
    connectionId: row.connectionId,
    state: row.state,
    serviceDesks: { done: row.serviceDesksDone, total: row.serviceDesksTotal },
    requestTypes: { done: row.requestTypesDone, total: row.requestTypesTotal },
    created: row.created,
    updated: row.updated,
    retired: row.retired,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export interface IngestionOptions {
  /** Called after each progress write (tests stop a worker here, as a crash would). */
  afterProgress?: (row: CatalogIngestion) => Promise<void>;
}

/** The worker lost its lease to another (it was thought dead): it stops without writing anything more. */
class LeaseLost extends Error {}

/**
 * The job: claims the ingestion (queued → running, or a running one whose worker's lease ran out: it resumes),
 * walks the catalog and records progress as it goes, renewing its lease with each write. Every write is guarded
 * by the attempt number, so a worker that lost its lease cannot overwrite what its successor does.
 */
export async function runIngestion(
  services: Services,
  ingestionId: string,
  options: IngestionOptions = {},
): Promise<CatalogIngestion | undefined> {
  const claimedAt = services.clock.now();
  const [claimed] = await services.db
    .update(catalogIngestions)
    .set({
      state: 'running',
      attempts: sql`${catalogIngestions.attempts} + 1`,
      leaseExpiresAt: new Date(claimedAt.getTime() + INGESTION_LEASE_MS),
      serviceDesksDone: 0,
      requestTypesDone: 0,
    })
    .where(
      and(
        eq(catalogIngestions.id, ingestionId),
        lt(catalogIngestions.attempts, MAX_INGESTION_ATTEMPTS),
        or(eq(catalogIngestions.state, 'queued'), leaseLapsed(claimedAt)),
      ),
    )
    .returning();
  if (!claimed) return undefined;
  const attempt = claimed.attempts;
  const mine = and(
    eq(catalogIngestions.id, ingestionId),
    eq(catalogIngestions.state, 'running'),
    eq(catalogIngestions.attempts, attempt),
  );
  const progress = async (values: Partial<typeof catalogIngestions.$inferInsert>) => {
    const leaseExpiresAt = new Date(services.clock.now().getTime() + INGESTION_LEASE_MS);
    const [row] = await services.db
      .update(catalogIngestions)
      .set({ ...values, leaseExpiresAt })
      .where(mine)
      .returning();
    if (!row) throw new LeaseLost();
    await options.afterProgress?.(row);
  };
  try {
    const connection = await findConnection(services, claimed.teamId, claimed.connectionId);
    const desks = await everyPage<ServiceDesk>(services, connection, 'rest/servicedeskapi/servicedesk');
    await progress({ serviceDesksTotal: desks.length });
    const perDesk: Array<{ desk: ServiceDesk; types: RequestType[] }> = [];
    for (const [index, desk] of desks.entries()) {
      const types = await everyPage<RequestType>(
        services,
        connection,
        `rest/servicedeskapi/servicedesk/${encodeURIComponent(desk.id)}/requesttype`,
        { expand: 'field' },
      );
      perDesk.push({ desk, types });
      await progress({ serviceDesksDone: index + 1 });
    }
    const total = perDesk.reduce((sum, entry) => sum + entry.types.length, 0);
    await progress({ requestTypesTotal: total });

    const existing = await services.db
      .select()
      .from(workflows)
      .where(and(eq(workflows.teamId, claimed.teamId), eq(workflows.connectionId, connection.id)));
    const byKey = new Map(existing.map((row) => [row.key, row]));
    const seen = new Set<string>();
    let done = 0;
    // A resumed ingestion keeps what the lost worker already counted: what it made is found unchanged now.
    let created = claimed.created;
    let updated = claimed.updated;
    for (const { desk, types } of perDesk) {
      for (const type of types) {
        const fields =
          type.fields?.requestTypeFields ??
          (
            await jiraJson<{ requestTypeFields: RequestTypeField[] }>(
              services,
              asConnectingUser(services, connection),
              'GET',
              `rest/servicedeskapi/servicedesk/${encodeURIComponent(desk.id)}/requesttype/${encodeURIComponent(type.id)}/field`,
            )
          ).requestTypeFields;
        const key = catalogKey(connection.id, desk.id, type.id);
        seen.add(key);
        const source: RequestTypeSource = {
          serviceDeskId: desk.id,
          requestTypeId: type.id,
          projectKey: desk.projectKey,
          fields: fields.map((field) => ({
            fieldId: field.fieldId,
            name: field.name,
            description: field.description,
            required: field.required,
            validValues: (field.validValues ?? []).map((option) => ({
              value: option.value,
              label: option.label,
            })),
            jiraSchema: field.jiraSchema,
          })),
        };
        const definition = {
          name: type.name,
          description: [type.description, type.helpText].filter(Boolean).join('\n\n'),
          inputSchema: requestTypeInputSchema(source.fields),
          source: { ...source, projectName: desk.projectName } as Record<string, unknown>,
        };
        const now = services.clock.now();
        const previous = byKey.get(key);
        if (!previous) {
          await services.db
            .insert(workflows)
            .values({
              id: randomUUID(),
              teamId: claimed.teamId,
              kind: 'jsm_request_type',
              key,
              ...definition,
              approval: 'installer-approval',
              // Catalog items arrive paused: they run only after an admin enables them.
              enabled: false,
              connectionId: connection.id,
              createdAt: now,
              updatedAt: now,
            })
            .onConflictDoNothing();
          created += 1;
        } else if (
          previous.retiredAt ||
          previous.name !== definition.name ||
          previous.description !== definition.description ||
          stableJson(previous.inputSchema) !== stableJson(definition.inputSchema) ||
          stableJson(previous.source) !== stableJson(definition.source)
        ) {
          // Enabled state and approval policy are the admin's: kept as they are.
          await services.db
            .update(workflows)
            .set({ ...definition, retiredAt: null, updatedAt: now })
            .where(eq(workflows.id, previous.id));
          updated += 1;
        }
        done += 1;
        await progress({ requestTypesDone: done, created, updated });
      }
    }
    const gone = existing.filter((row) => !seen.has(row.key) && !row.retiredAt).map((row) => row.id);
    const now = services.clock.now();
    if (gone.length) {
      await services.db
        .update(workflows)
        .set({ retiredAt: now, updatedAt: now })
        .where(and(inArray(workflows.id, gone), isNull(workflows.retiredAt)));
    }
    return await services.db.transaction(async (tx) => {
      const [row] = await tx
        .update(catalogIngestions)
        .set({ state: 'succeeded', retired: gone.length, finishedAt: now, leaseExpiresAt: null })
        .where(mine)
        .returning();
      if (!row) throw new LeaseLost();
      await writeWorkflowAudit(tx, {
        teamId: claimed.teamId,
        action: 'jsm.catalog.ingested',
        target: connection.id,
        detail: { actor: claimed.startedBy, ingestionId, created, updated, retired: gone.length },
      });
      return row;
    });
  } catch (error) {
    if (error instanceof LeaseLost) return undefined;
    const message =
      error instanceof JiraError
        ? workflowMessages.jiraFailed(error.status, jiraErrorText(error.body))
        : error instanceof AtlassianUnavailableError
          ? workflowMessages.jiraUnavailable
          : error instanceof ApiError
            ? error.message
            : 'The ingestion failed unexpectedly.';
    if (
      !(error instanceof JiraError || error instanceof AtlassianUnavailableError || error instanceof ApiError)
    ) {
      services.logger.error({ err: error, ingestionId }, 'catalog ingestion failed');
    }
    const [row] = await services.db
      .update(catalogIngestions)
      .set({ state: 'failed', error: message, finishedAt: services.clock.now(), leaseExpiresAt: null })
      .where(mine)
      .returning();
    return row;
  }
}
