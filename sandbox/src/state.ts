/** The sandbox's in-memory state: plain maps, built from a seed and rebuilt on reset. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Adf, textToAdf } from './adf';
import type {
  ProjectPermission,
  SandboxSeed,
  SeedCustomField,
  SeedIssueType,
  SeedOAuthClient,
  SeedPriority,
  SeedRequestType,
  SeedStatus,
  SeedWorkflow,
} from './seed-types';

export interface SiteRecord {
  cloudId: string;
  name: string;
  /** The site's own address (browse links, accessible-resources). */
  url: string;
  /**
   * Where API links point: answers to OAuth 2.0 (3LO) and Forge calls carry `self`, `nextPage` and attachment
   * `content` links on `https://api.atlassian.com/ex/jira/{cloudId}`, here `${sandbox.url}/ex/jira/{cloudId}`.
   */
  apiUrl: string;
  avatarUrl: string;
}

export interface UserRecord {
  accountId: string;
  displayName: string;
  email: string | null;
  /** `customer`: a JSM portal-only account (created through the customer API). */
  accountType: 'atlassian' | 'app' | 'customer';
  siteIds: string[];
  appAccess: boolean;
  /** Sites where the user holds the global ADMINISTER ("Administer Jira") permission. */
  administerSiteIds: string[];
  timeZone: string;
  locale: string;
  /** Per project key; a project absent here grants every permission. */
  projectPermissions: Record<string, ProjectPermission[]>;
  groups: string[];
}

/** Whether the user holds Jira's global ADMINISTER ("Administer Jira") permission on the site (seed `administers`). */
export function isJiraAdmin(user: UserRecord, cloudId: string): boolean {
  return user.administerSiteIds.includes(cloudId);
}

export type IssueTypeRecord = Required<Omit<SeedIssueType, 'description'>> & { description: string };
export type StatusRecord = Required<Omit<SeedStatus, 'description'>> & { description: string };
export type PriorityRecord = Required<Omit<SeedPriority, 'description'>> & { description: string };
export type CustomFieldRecord = SeedCustomField;

export interface ProjectRecord {
  id: string;
  key: string;
  name: string;
  cloudId: string;
  projectTypeKey: 'software' | 'service_desk' | 'business';
  leadAccountId: string;
  description: string;
  issueTypeIds: string[];
  workflow: SeedWorkflow;
  serviceDesk: {
    id: string;
    requestTypes: SeedRequestType[];
    customerIds: string[];
    organizationIds: string[];
  } | null;
  nextIssueNumber: number;
  properties: Map<string, unknown>;
}

export interface ComponentRecord {
  id: string;
  projectId: string;
  name: string;
  description: string;
  leadAccountId: string | null;
}

export interface VersionRecord {
  id: string;
  projectId: string;
  name: string;
  description: string;
  released: boolean;
  archived: boolean;
  releaseDate: string | null;
  startDate: string | null;
}

/** One changelog entry (Jira's `ChangelogHistory`), kept per issue in order. */
export interface HistoryRecord {
  id: string;
  authorId: string;
  created: number;
  items: Array<Record<string, string | null>>;
}

export interface WorklogRecord {
  id: string;
  issueId: string;
  authorId: string;
  updateAuthorId: string;
  comment: Adf | null;
  started: number;
  timeSpentSeconds: number;
  created: number;
  updated: number;
}

export interface IssueLinkRecord {
  id: string;
  typeId: string;
  inwardIssueId: string;
  outwardIssueId: string;
}

export interface RemoteLinkRecord {
  id: number;
  globalId: string | null;
  application: Record<string, unknown> | null;
  relationship: string | null;
  object: Record<string, unknown>;
}

export interface ApprovalRecord {
  id: string;
  name: string;
  approverIds: string[];
  /** Per approver: `approved`, `declined` or `pending`. */
  decisions: Record<string, 'approved' | 'declined' | 'pending'>;
  created: number;
  completed: number | null;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  memberIds: string[];
  properties: Map<string, unknown>;
}

/** A dynamic webhook registered through the REST API by an OAuth app (per app and site). */
export interface WebhookRecord {
  id: number;
  appKey: string;
  /** The account that registered it: its JQL filter runs as that account. */
  accountId: string;
  cloudId: string;
  url: string;
  jqlFilter: string;
  events: string[];
  fieldIdsFilter: string[] | null;
  issuePropertyKeysFilter: string[] | null;
  expirationDate: number;
}

export interface IssueRecord {
  id: string;
  key: string;
  cloudId: string;
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: Adf | null;
  statusId: string;
  priorityId: string;
  assigneeId: string | null;
  reporterId: string;
  creatorId: string;
  labels: string[];
  duedate: string | null;
  created: number;
  updated: number;
  statusChanged: number;
  resolutionDate: number | null;
  customFields: Record<string, unknown>;
  requestTypeId: string | null;
  commentIds: string[];
  attachmentIds: string[];
  properties: Map<string, unknown>;
  watcherIds: string[];
  voterIds: string[];
  worklogIds: string[];
  histories: HistoryRecord[];
  remoteLinks: RemoteLinkRecord[];
  componentIds: string[];
  fixVersionIds: string[];
  versionIds: string[];
  environment: Adf | null;
  parentId: string | null;
  /** JSM. */
  participantIds: string[];
  approvals: ApprovalRecord[];
  /** JSM status changes, oldest first (for request status history). */
  statusHistory: Array<{ statusId: string; at: number }>;
  /** JSM customer satisfaction feedback. */
  feedback?: { rating: number; comment: string | null };
}

export interface CommentRecord {
  id: string;
  issueId: string;
  authorId: string;
  body: Adf;
  created: number;
  updated: number;
  /** JSM: public (customer-visible) or internal. */
  jsdPublic: boolean;
  updateAuthorId: string;
  /** Comment properties other than `sd.public.comment`, which mirrors `jsdPublic`. */
  properties: Map<string, unknown>;
}

export interface AttachmentRecord {
  id: string;
  issueId: string;
  filename: string;
  mimeType: string;
  size: number;
  authorId: string;
  created: number;
  /** Uploaded bytes; seeded attachments have none and their content is generated. */
  content?: Uint8Array;
}

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  callbackUrls: string[];
  name: string;
  distribution: 'managed' | 'custom';
}

/** One grant per (OAuth client, account); consenting to more sites adds them to it, as Atlassian does. */
export interface GrantRecord {
  clientId: string;
  accountId: string;
  cloudIds: string[];
  scopes: string[];
  consentedAt: number;
}

export interface SandboxState {
  sites: Map<string, SiteRecord>;
  users: Map<string, UserRecord>;
  issueTypes: Map<string, IssueTypeRecord>;
  statuses: Map<string, StatusRecord>;
  priorities: Map<string, PriorityRecord>;
  customFields: Map<string, CustomFieldRecord>;
  /** By project id. */
  projects: Map<string, ProjectRecord>;
  /** By issue id. */
  issues: Map<string, IssueRecord>;
  /** Issue key → issue id (keys are unique across the sandbox). */
  issueKeys: Map<string, string>;
  comments: Map<string, CommentRecord>;
  attachments: Map<string, AttachmentRecord>;
  clients: Map<string, OAuthClientRecord>;
  /** By `${clientId} ${accountId}`. */
  grants: Map<string, GrantRecord>;
  components: Map<string, ComponentRecord>;
  versions: Map<string, VersionRecord>;
  worklogs: Map<string, WorklogRecord>;
  issueLinks: Map<string, IssueLinkRecord>;
  organizations: Map<string, OrganizationRecord>;
  webhooks: Map<number, WebhookRecord>;
  /** Properties of entities without a record of their own (issue types, users, worklogs, preferences), by `kind:id`. */
  entityProperties: Map<string, Map<string, unknown>>;
  /** JSM request type properties, by `${serviceDeskId}/${requestTypeId}`. */
  requestTypeProperties: Map<string, Map<string, unknown>>;
  /** Deleted worklogs, for `worklog/deleted`. */
  deletedWorklogs: Array<{ worklogId: number; updatedTime: number; properties: [] }>;
  counters: {
    issueId: number;
    commentId: number;
    /** Shared by changelogs, worklogs, links, attachments, components, versions, approvals, organizations. */
    objectId: number;
    webhookId: number;
  };
}

export function nextId(state: SandboxState): string {
  return String(state.counters.objectId++);
}

export const DEFAULT_SEED_PATH = fileURLToPath(new URL('../seed/default.json', import.meta.url));

export function loadSeed(seed: SandboxSeed | string | undefined): SandboxSeed {
  if (seed === undefined) return JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as SandboxSeed;
  if (typeof seed === 'string') return JSON.parse(readFileSync(seed, 'utf8')) as SandboxSeed;
  // A deep copy, so that state changes never leak into the caller's object (and reset stays exact).
  return structuredClone(seed);
}

export function clientRecord(c: SeedOAuthClient): OAuthClientRecord {
  return {
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    callbackUrls: [...c.callbackUrls],
    name: c.name ?? c.clientId,
    distribution: c.distribution ?? 'custom',
  };
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`seed: ${what} has an invalid date "${value}"`);
  return ms;
}

/** Builds fresh state from a seed, checking every reference so that a typo fails loudly at start. */
export function buildState(input: SandboxSeed, apiBase = 'https://api.atlassian.com'): SandboxState {
  const seed = structuredClone(input);
  const sites = new Map<string, SiteRecord>();
  for (const s of seed.sites) {
    sites.set(s.cloudId, {
      cloudId: s.cloudId,
      name: s.name,
      url: s.url.replace(/\/$/, ''),
      apiUrl: `${apiBase}/ex/jira/${s.cloudId}`,
      avatarUrl: s.avatarUrl ?? 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/site.png',
    });
  }
  const siteId = (ref: string, what: string): string => {
    if (sites.has(ref)) return ref;
    for (const site of sites.values()) if (site.name === ref) return site.cloudId;
    throw new Error(`seed: ${what} refers to unknown site "${ref}"`);
  };

  const users = new Map<string, UserRecord>();
  for (const u of seed.users) {
    users.set(u.accountId, {
      accountId: u.accountId,
      displayName: u.displayName,
      email: u.email ?? null,
      accountType: u.accountType ?? 'atlassian',
      siteIds: u.sites.map((s) => siteId(s, `user ${u.accountId}`)),
      appAccess: u.appAccess ?? true,
      administerSiteIds: (u.administers ?? []).map((s) => siteId(s, `user ${u.accountId}`)),
      timeZone: u.timeZone ?? 'UTC',
      locale: u.locale ?? 'en_US',
      projectPermissions: u.projectPermissions ?? {},
      groups: u.groups ?? ['jira-software-users'],
    });
  }
  const userId = (ref: string | undefined, what: string): string => {
    if (ref === undefined || !users.has(ref))
      throw new Error(`seed: ${what} refers to unknown user "${ref}"`);
    return ref;
  };

  const issueTypes = new Map(
    seed.issueTypes.map((t) => [
      t.id,
      {
        id: t.id,
        name: t.name,
        description: t.description ?? '',
        subtask: t.subtask ?? false,
        hierarchyLevel: t.hierarchyLevel ?? 0,
      },
    ]),
  );
  const statuses = new Map(
    seed.statuses.map((s) => [
      s.id,
      { id: s.id, name: s.name, description: s.description ?? '', category: s.category },
    ]),
  );
  const priorities = new Map(
    seed.priorities.map((p) => [
      p.id,
      {
        id: p.id,
        name: p.name,
        description: p.description ?? '',
        statusColor: p.statusColor,
        isDefault: p.isDefault ?? false,
      },
    ]),
  );
  const customFields = new Map(seed.customFields.map((f) => [f.id, f]));

  const projects = new Map<string, ProjectRecord>();
  const projectByKey = new Map<string, ProjectRecord>();
  for (const p of seed.projects) {
    if (projectByKey.has(p.key)) throw new Error(`seed: duplicate project key ${p.key}`);
    for (const id of p.issueTypeIds) {
      if (!issueTypes.has(id)) throw new Error(`seed: project ${p.key} refers to unknown issue type ${id}`);
    }
    for (const id of [...p.workflow.statuses, ...p.workflow.transitions.map((t) => t.to)]) {
      if (!statuses.has(id))
        throw new Error(`seed: project ${p.key} workflow refers to unknown status ${id}`);
    }
    const record: ProjectRecord = {
      id: p.id,
      key: p.key,
      name: p.name,
      cloudId: siteId(p.site, `project ${p.key}`),
      projectTypeKey: p.projectTypeKey,
      leadAccountId: userId(p.leadAccountId, `project ${p.key} lead`),
      description: p.description ?? '',
      issueTypeIds: p.issueTypeIds,
      workflow: p.workflow,
      serviceDesk: p.serviceDesk
        ? {
            id: p.serviceDesk.id,
            requestTypes: p.serviceDesk.requestTypes,
            customerIds: [],
            organizationIds: [],
          }
        : null,
      nextIssueNumber: 1,
      properties: new Map(),
    };
    projects.set(p.id, record);
    projectByKey.set(p.key, record);
  }

  const state: SandboxState = {
    sites,
    users,
    issueTypes,
    statuses,
    priorities,
    customFields,
    projects,
    issues: new Map(),
    issueKeys: new Map(),
    comments: new Map(),
    attachments: new Map(),
    clients: new Map((seed.oauthClients ?? []).map((c) => [c.clientId, clientRecord(c)])),
    grants: new Map(),
    components: new Map(),
    versions: new Map(),
    worklogs: new Map(),
    issueLinks: new Map(),
    organizations: new Map(),
    webhooks: new Map(),
    deletedWorklogs: [],
    requestTypeProperties: new Map(),
    entityProperties: new Map(),
    counters: { issueId: 10000, commentId: 10000, objectId: 20000, webhookId: 1 },
  };
  for (const p of seed.projects) {
    const project = projectByKey.get(p.key) as ProjectRecord;
    for (const c of p.components ?? []) {
      state.components.set(c.id, {
        id: c.id,
        projectId: project.id,
        name: c.name,
        description: c.description ?? '',
        leadAccountId: c.leadAccountId ? userId(c.leadAccountId, `component ${c.name}`) : null,
      });
    }
    for (const v of p.versions ?? []) {
      state.versions.set(v.id, {
        id: v.id,
        projectId: project.id,
        name: v.name,
        description: v.description ?? '',
        released: v.released ?? false,
        archived: false,
        releaseDate: v.releaseDate ?? null,
        startDate: null,
      });
    }
  }

  for (const i of seed.issues) {
    const projectKey = i.key.split('-')[0];
    const project = projectByKey.get(projectKey);
    if (!project) throw new Error(`seed: issue ${i.key} is in unknown project ${projectKey}`);
    if (!project.issueTypeIds.includes(i.issueTypeId)) {
      throw new Error(`seed: issue ${i.key} has issue type ${i.issueTypeId}, not used by ${project.key}`);
    }
    if (!project.workflow.statuses.includes(i.statusId)) {
      throw new Error(`seed: issue ${i.key} has status ${i.statusId}, not in ${project.key}'s workflow`);
    }
    if (!priorities.has(i.priorityId)) throw new Error(`seed: issue ${i.key} has unknown priority`);
    const created = parseTime(i.created, `issue ${i.key}`);
    const updated = parseTime(i.updated, `issue ${i.key}`);
    const issue: IssueRecord = {
      id: i.id,
      key: i.key,
      cloudId: project.cloudId,
      projectId: project.id,
      issueTypeId: i.issueTypeId,
      summary: i.summary,
      description: i.description === undefined ? null : toAdf(i.description),
      statusId: i.statusId,
      priorityId: i.priorityId,
      assigneeId: i.assignee ? userId(i.assignee, `issue ${i.key} assignee`) : null,
      reporterId: userId(i.reporter, `issue ${i.key} reporter`),
      creatorId: i.reporter,
      labels: i.labels ?? [],
      duedate: i.duedate ?? null,
      created,
      updated,
      statusChanged: updated,
      resolutionDate: statuses.get(i.statusId)?.category === 'done' ? updated : null,
      customFields: i.customFields ?? {},
      requestTypeId: i.requestTypeId ?? null,
      commentIds: [],
      attachmentIds: [],
      properties: new Map(Object.entries(i.properties ?? {})),
      watcherIds: [
        ...new Set([i.reporter, ...(i.watchers ?? []).map((w) => userId(w, `issue ${i.key} watcher`))]),
      ],
      voterIds: [],
      worklogIds: [],
      histories: [],
      remoteLinks: [],
      componentIds: (i.componentIds ?? []).filter((id) => state.components.get(id)?.projectId === project.id),
      fixVersionIds: (i.fixVersionIds ?? []).filter((id) => state.versions.get(id)?.projectId === project.id),
      versionIds: [],
      environment: null,
      parentId: null,
      participantIds: (i.participants ?? []).map((p) => userId(p, `issue ${i.key} participant`)),
      approvals: i.approvers
        ? [
            {
              id: String(state.counters.objectId++),
              name: 'Manager approval',
              approverIds: i.approvers.map((a) => userId(a, `issue ${i.key} approver`)),
              decisions: Object.fromEntries(i.approvers.map((a) => [a, 'pending' as const])),
              created: created,
              completed: null,
            },
          ]
        : [],
      statusHistory: [{ statusId: i.statusId, at: updated }],
    };
    state.issues.set(issue.id, issue);
    state.issueKeys.set(issue.key, issue.id);
    state.counters.issueId = Math.max(state.counters.issueId, Number(issue.id) + 1);
    project.nextIssueNumber = Math.max(project.nextIssueNumber, Number(i.key.split('-')[1]) + 1);
    for (const c of i.comments ?? []) {
      const id = String(state.counters.commentId++);
      const at = parseTime(c.created, `comment on ${i.key}`);
      state.comments.set(id, {
        id,
        issueId: issue.id,
        authorId: userId(c.author, `comment on ${i.key}`),
        body: toAdf(c.body),
        created: at,
        updated: at,
        jsdPublic: c.public ?? true,
        updateAuthorId: c.author,
        properties: new Map(),
      });
      issue.commentIds.push(id);
    }
    for (const a of i.attachments ?? []) {
      state.attachments.set(a.id, {
        id: a.id,
        issueId: issue.id,
        filename: a.filename,
        mimeType: a.mimeType,
        size: a.size,
        authorId: userId(a.author, `attachment ${a.id}`),
        created: parseTime(a.created, `attachment ${a.id}`),
      });
      issue.attachmentIds.push(a.id);
    }
  }
  for (const i of seed.issues) {
    for (const key of i.blocks ?? []) {
      const target = state.issueKeys.get(key);
      if (!target) throw new Error(`seed: issue ${i.key} blocks unknown issue ${key}`);
      const id = String(state.counters.objectId++);
      // Blocks: the outward issue "blocks", the inward one "is blocked by".
      state.issueLinks.set(id, { id, typeId: '10000', outwardIssueId: target, inwardIssueId: i.id });
    }
  }
  // A service desk's customers: whoever raised a request there (organizations add theirs below).
  for (const issue of state.issues.values()) {
    const desk = projects.get(issue.projectId)?.serviceDesk;
    if (desk && issue.requestTypeId && !desk.customerIds.includes(issue.reporterId))
      desk.customerIds.push(issue.reporterId);
  }
  for (const o of seed.organizations ?? []) {
    state.organizations.set(o.id, {
      id: o.id,
      name: o.name,
      memberIds: o.members.map((m) => userId(m, `organization ${o.name}`)),
      properties: new Map(),
    });
    for (const deskId of o.serviceDeskIds) {
      const desk = [...projects.values()].find((p) => p.serviceDesk?.id === deskId)?.serviceDesk;
      if (!desk) throw new Error(`seed: organization ${o.name} refers to unknown service desk ${deskId}`);
      desk.organizationIds.push(o.id);
    }
  }
  return state;
}

function toAdf(value: string | Adf): Adf {
  return typeof value === 'string' ? textToAdf(value) : value;
}

export function projectByKeyOrId(
  state: SandboxState,
  cloudId: string,
  keyOrId: string,
): ProjectRecord | undefined {
  const byId = state.projects.get(keyOrId);
  if (byId && byId.cloudId === cloudId) return byId;
  const upper = keyOrId.toUpperCase();
  for (const p of state.projects.values()) if (p.cloudId === cloudId && p.key === upper) return p;
  return undefined;
}

export function issueByKeyOrId(
  state: SandboxState,
  cloudId: string,
  keyOrId: string,
): IssueRecord | undefined {
  const id = state.issueKeys.get(keyOrId.toUpperCase()) ?? keyOrId;
  const issue = state.issues.get(id);
  return issue && issue.cloudId === cloudId ? issue : undefined;
}

/** Jira's project permission check: site access first, then the per-project list (absent = all). */
export function userCan(user: UserRecord, project: ProjectRecord, permission: ProjectPermission): boolean {
  if (!user.siteIds.includes(project.cloudId)) return false;
  const granted = user.projectPermissions[project.key];
  return granted === undefined || granted.includes(permission);
}
