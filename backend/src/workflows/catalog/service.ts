/**
 * JSM catalog ingestion: every service desk's request types become workflows of the team (paused until an admin
 * enables them). It runs as a job with a progress row; re-ingesting updates what changed, keeps each workflow's
 * enabled state and policy, retires what disappeared, and never makes a duplicate (one row per request type key).
 */
import { randomUUID } from 'node:crypto';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { AtlassianUnavailableError } from '../../atlassian/http';
import { JiraError, jiraJson } from '../../atlassian/jira';
import { writeAudit } from '../../audit/log';
import { findConnection } from '../../connections/service';
import { asConnectingUser } from '../../connections/token-check';
import type { Services } from '../../context';
import { catalogIngestions, workflows } from '../../db/schema';
import { ApiError } from '../../http/errors';
import type { JiraConnection } from '../../model/connection';
import { jiraErrorText } from '../jira-steps';
import type { RequestTypeSource } from './run';
import { type RequestTypeField, requestTypeInputSchema } from './schema';

export const CATALOG_INGEST_JOB = 'workflows.catalog-ingest';
export type CatalogIngestion = typeof catalogIngestions.$inferSelect;

interface Paged<T> {
  isLastPage?: boolean;
  values: T[];
}
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
/** An ingestion still unfinished after this long lost its worker. */
const STALE_INGESTION_MS = 30 * 60_000;
const MAX_PAGES = 200;

async function everyPage<T>(services: Services, connection: JiraConnection, path: string, query = {}) {
  const all: T[] = [];
  for (let page = 0, start = 0; page < MAX_PAGES; page += 1) {
    const answer = await jiraJson<Paged<T>>(services, asConnectingUser(services, connection), 'GET', path, {
      query: { ...query, start, limit: PAGE },
    });
    all.push(...answer.values);
    start += answer.values.length;
    if (answer.isLastPage !== false || answer.values.length === 0) break;
  }
  return all;
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
  if (active && services.clock.now().getTime() - active.createdAt.getTime() < STALE_INGESTION_MS)
    return active;
  if (active) {
    // Its worker is long gone (a crash): close it so a new one can start.
    await services.db
      .update(catalogIngestions)
      .set({
        state: 'failed',
        error: workflowMessages.ingestionInterrupted,
        finishedAt: services.clock.now(),
      })
      .where(eq(catalogIngestions.id, active.id));
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
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** The job: claims the ingestion (queued → running, once), walks the catalog, records progress as it goes. */
export async function runIngestion(
  services: Services,
  ingestionId: string,
): Promise<CatalogIngestion | undefined> {
  const [claimed] = await services.db
    .update(catalogIngestions)
    .set({ state: 'running' })
    .where(and(eq(catalogIngestions.id, ingestionId), eq(catalogIngestions.state, 'queued')))
    .returning();
  if (!claimed) return undefined;
  const progress = (values: Partial<typeof catalogIngestions.$inferInsert>) =>
    services.db.update(catalogIngestions).set(values).where(eq(catalogIngestions.id, ingestionId));
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
    let created = 0;
    let updated = 0;
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
        .set({ state: 'succeeded', retired: gone.length, finishedAt: now })
        .where(eq(catalogIngestions.id, ingestionId))
        .returning();
      await writeAudit(tx, {
        teamId: claimed.teamId,
        action: 'jsm.catalog.ingested',
        target: connection.id,
        detail: { actor: claimed.startedBy, ingestionId, created, updated, retired: gone.length },
      });
      return row;
    });
  } catch (error) {
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
      .set({ state: 'failed', error: message, finishedAt: services.clock.now() })
      .where(eq(catalogIngestions.id, ingestionId))
      .returning();
    return row;
  }
}
