/**
 * A connection's sync settings: read, and saved only after checking every named value against the site's real
 * data (projects, request types, priorities, the project's workflow statuses). Nothing is guessed: a value the
 * site lacks, or a value left unmapped on either side, is refused with a message naming it.
 */
import { syncConfigMessages as copy } from '@jira-integration/shared/sync-messages';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { JiraError, jiraJson, jsmListValues } from '../atlassian/jira';
import { findConnection } from '../connections/service';
import { asConnectingUser } from '../connections/token-check';
import { ensureConnectable } from '../connections/tokens';
import type { Services } from '../context';
import {
  SYNC_STRATEGIES,
  syncConfigs,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketStatus,
} from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';

export type SyncConfig = typeof syncConfigs.$inferSelect;

const ids = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export const syncConfigInput = z.strictObject({
  projectKey: z.string().min(1).max(255),
  requestTypeId: z.string().min(1).nullable().optional(),
  priorityMapping: z.partialRecord(z.enum(TICKET_PRIORITIES), ids),
  statusMapping: z.partialRecord(z.enum(TICKET_STATUSES), ids),
  strategy: z.enum(SYNC_STRATEGIES).default('two_way'),
  reconcileIntervalMinutes: z.number().int().min(1).max(1440).default(5),
});
export type SyncConfigInput = z.infer<typeof syncConfigInput>;

interface NamedId {
  id: string;
  name: string;
}

/** What the settings form offers, read from the site. */
export interface SiteSyncOptions {
  projects: Array<{ id: string; key: string; name: string; serviceDesk: boolean }>;
  priorities: NamedId[];
  /** For the chosen project: its workflow statuses, and its request types when it is a JSM project. */
  project?: { key: string; statuses: NamedId[]; requestTypes: NamedId[] | null; issueTypeId: string };
}

interface ProjectDetail {
  id: string;
  key: string;
  projectTypeKey: string;
  issueTypes?: Array<{ id: string; name: string; subtask?: boolean; hierarchyLevel?: number }>;
}

async function readSite<T>(
  services: Services,
  connection: JiraConnection,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError || (error instanceof JiraError && error.status === 404)) throw error;
    // A 401 was checked before it reached here (token-check.ts): when it marked the connection, say so.
    if (error instanceof JiraError && error.status === 401) {
      ensureConnectable(await findConnection(services, connection.teamId, connection.id));
    }
    throw new ApiError('jira_unreachable', copy.siteUnreachable);
  }
}

/** A Jira project key (a letter, then letters, digits or underscores) or a numeric project id. */
const PROJECT_KEY_OR_ID = /^(?:[A-Za-z][A-Za-z0-9_]{0,254}|\d{1,18})$/;

async function readProject(services: Services, connection: JiraConnection, projectKey: string) {
  // Anything else names no project, and `.` or `..` would walk the request path to another resource.
  if (!PROJECT_KEY_OR_ID.test(projectKey))
    throw new ApiError('invalid_sync_config', copy.projectNotFound(projectKey));
  try {
    return await jiraJson<ProjectDetail>(
      services,
      asConnectingUser(services, connection),
      'GET',
      `/rest/api/3/project/${encodeURIComponent(projectKey)}`,
      { query: { expand: 'issueTypes' } },
    );
  } catch (error) {
    if (error instanceof JiraError && error.status === 404) {
      throw new ApiError('invalid_sync_config', copy.projectNotFound(projectKey));
    }
    throw error;
  }
}

async function readRequestTypes(services: Services, connection: JiraConnection, project: ProjectDetail) {
  const isProjectDesk = (candidate: { projectKey: string }) => candidate.projectKey === project.key;
  const site = asConnectingUser(services, connection);
  const desks = await jsmListValues<{ id: string; projectKey: string }>(
    services,
    site,
    '/rest/servicedeskapi/servicedesk',
    { limit: 100, until: isProjectDesk },
  );
  const desk = desks.find(isProjectDesk);
  if (!desk) return [];
  return jsmListValues<{ id: string; name: string; issueTypeId: string }>(
    services,
    site,
    `/rest/servicedeskapi/servicedesk/${desk.id}/requesttype`,
    { limit: 100 },
  );
}

/** The issue type the sync creates: the request type's for JSM, else the project's first standard type. */
function defaultIssueTypeId(project: ProjectDetail): string {
  const standard = (project.issueTypes ?? []).filter((type) => !type.subtask);
  return (standard.find((type) => type.name === 'Task') ?? standard[0])?.id ?? '';
}

async function readWorkflowStatuses(
  services: Services,
  connection: JiraConnection,
  projectKey: string,
  issueTypeId: string,
): Promise<NamedId[]> {
  const byType = await jiraJson<Array<{ id: string; statuses: NamedId[] }>>(
    services,
    asConnectingUser(services, connection),
    'GET',
    `/rest/api/3/project/${encodeURIComponent(projectKey)}/statuses`,
  );
  const statuses = byType.find((type) => type.id === issueTypeId)?.statuses ?? byType[0]?.statuses ?? [];
  return statuses.map((status) => ({ id: status.id, name: status.name }));
}

async function readPriorities(services: Services, connection: JiraConnection): Promise<NamedId[]> {
  const priorities = await jiraJson<NamedId[]>(
    services,
    asConnectingUser(services, connection),
    'GET',
    '/rest/api/3/priority',
  );
  return priorities.map((priority) => ({ id: priority.id, name: priority.name }));
}

/** Every project the connection sees, page by page (a site may have far more than one page of 100). */
async function readProjects(services: Services, connection: JiraConnection) {
  const projects: Array<{ id: string; key: string; name: string; projectTypeKey: string }> = [];
  for (let startAt = 0; ; ) {
    const page = await jiraJson<{ values: typeof projects; isLast?: boolean }>(
      services,
      asConnectingUser(services, connection),
      'GET',
      '/rest/api/3/project/search',
      { query: { startAt, maxResults: 100 } },
    );
    projects.push(...page.values);
    if (page.isLast !== false || page.values.length === 0) return projects;
    startAt += page.values.length;
  }
}

export async function readSiteSyncOptions(
  services: Services,
  connection: JiraConnection,
  projectKey?: string,
): Promise<SiteSyncOptions> {
  return readSite(services, connection, async () => {
    const projects = await readProjects(services, connection);
    const priorities = await readPriorities(services, connection);
    const options: SiteSyncOptions = {
      projects: projects.map((project) => ({
        id: project.id,
        key: project.key,
        name: project.name,
        serviceDesk: project.projectTypeKey === 'service_desk',
      })),
      priorities,
    };
    if (!projectKey) return options;
    const project = await readProject(services, connection, projectKey);
    const requestTypes =
      project.projectTypeKey === 'service_desk'
        ? await readRequestTypes(services, connection, project)
        : null;
    const issueTypeId = requestTypes?.[0]?.issueTypeId ?? defaultIssueTypeId(project);
    options.project = {
      key: project.key,
      statuses: await readWorkflowStatuses(services, connection, project.key, issueTypeId),
      requestTypes: requestTypes?.map((type) => ({ id: type.id, name: type.name })) ?? null,
      issueTypeId,
    };
    return options;
  });
}

function refuse(message: string): never {
  throw new ApiError('invalid_sync_config', message);
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** Every platform value mapped, every id real, every Jira value mapped back: else the first problem, named. */
export function checkMapping<P extends string>(
  kind: 'priority' | 'status',
  platformValues: readonly P[],
  mapping: Partial<Record<P, string | string[]>>,
  jiraValues: NamedId[],
  where: string,
): Record<P, string[]> {
  const known = new Set(jiraValues.map((value) => value.id));
  const result = {} as Record<P, string[]>;
  for (const value of platformValues) {
    const named = mapping[value];
    if (named === undefined) refuse(copy.platformValueUnmapped(kind, value));
    const list = [...new Set(asList(named))];
    for (const id of list) if (!known.has(id)) refuse(copy.jiraValueMissing(kind, id, where));
    result[value] = list;
  }
  const mapped = new Set(Object.values<string[]>(result).flat());
  const unmapped = jiraValues.find((value) => !mapped.has(value.id));
  if (unmapped) refuse(copy.jiraValueUnmapped(kind, unmapped.name));
  return result;
}

export async function findSyncConfig(services: Services, connectionId: string): Promise<SyncConfig | null> {
  const [row] = await services.db
    .select()
    .from(syncConfigs)
    .where(eq(syncConfigs.connectionId, connectionId));
  return row ?? null;
}

export async function saveSyncConfig(
  services: Services,
  connection: JiraConnection,
  input: SyncConfigInput,
): Promise<SyncConfig> {
  const checked = await readSite(services, connection, async () => {
    const project = await readProject(services, connection, input.projectKey);
    let issueTypeId = defaultIssueTypeId(project);
    let requestTypeId: string | null = null;
    if (project.projectTypeKey === 'service_desk') {
      if (!input.requestTypeId) refuse(copy.requestTypeRequired(project.key));
      const types = await readRequestTypes(services, connection, project);
      const type = types.find((candidate) => candidate.id === input.requestTypeId);
      if (!type) refuse(copy.requestTypeNotFound(input.requestTypeId, project.key));
      issueTypeId = type.issueTypeId;
      requestTypeId = type.id;
    } else if (input.requestTypeId) {
      refuse(copy.requestTypeNotApplicable(project.key));
    }
    const priorities = await readPriorities(services, connection);
    const statuses = await readWorkflowStatuses(services, connection, project.key, issueTypeId);
    return {
      project,
      issueTypeId,
      requestTypeId,
      priorityMapping: checkMapping(
        'priority',
        TICKET_PRIORITIES,
        input.priorityMapping,
        priorities,
        'on this site',
      ),
      statusMapping: checkMapping(
        'status',
        TICKET_STATUSES,
        input.statusMapping,
        statuses,
        `in the workflow of project '${project.key}'`,
      ),
    };
  });
  const now = services.clock.now();
  const values = {
    teamId: connection.teamId,
    projectId: checked.project.id,
    projectKey: checked.project.key,
    issueTypeId: checked.issueTypeId,
    requestTypeId: checked.requestTypeId,
    priorityMapping: checked.priorityMapping as Record<TicketPriority, string[]>,
    statusMapping: checked.statusMapping as Record<TicketStatus, string[]>,
    strategy: input.strategy,
    reconcileIntervalMinutes: input.reconcileIntervalMinutes,
    updatedAt: now,
  };
  const [row] = await services.db
    .insert(syncConfigs)
    .values({ connectionId: connection.id, ...values })
    .onConflictDoUpdate({ target: syncConfigs.connectionId, set: values })
    .returning();
  return row;
}

/** The config as the API shows it. */
export function presentSyncConfig(config: SyncConfig) {
  return {
    projectKey: config.projectKey,
    projectId: config.projectId,
    issueTypeId: config.issueTypeId,
    requestTypeId: config.requestTypeId,
    priorityMapping: config.priorityMapping,
    statusMapping: config.statusMapping,
    strategy: config.strategy,
    reconcileIntervalMinutes: config.reconcileIntervalMinutes,
    updatedAt: config.updatedAt.toISOString(),
  };
}

/** Jira → platform allowed by the strategy? */
export const pullsFromJira = (config: Pick<SyncConfig, 'strategy'>) => config.strategy !== 'platform_to_jira';
/** Platform → Jira allowed by the strategy? */
export const pushesToJira = (config: Pick<SyncConfig, 'strategy'>) => config.strategy !== 'jira_to_platform';
