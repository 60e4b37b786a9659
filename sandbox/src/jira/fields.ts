/** The field catalogue (GET /field, createmeta) and the rendering of an issue's fields with `fields=` selection. */
import type { CustomFieldRecord, IssueRecord, ProjectRecord, SandboxState, SiteRecord } from '../state';
import {
  jiraDateTime,
  renderAttachment,
  renderComment,
  renderCustomFieldValue,
  renderIssueType,
  renderPriorityRef,
  renderProjectRef,
  renderStatus,
  renderStatusCategory,
  renderUser,
} from './render';
import {
  formatDuration,
  renderComponentRef,
  renderIssueLinkFor,
  renderLinkedIssue,
  renderVersion,
  renderWorklog,
} from './render-parts';

interface FieldSchema {
  type: string;
  items?: string;
  system?: string;
  custom?: string;
  customId?: number;
}

export interface FieldDefinition {
  id: string;
  name: string;
  custom: boolean;
  navigable: boolean;
  orderable: boolean;
  searchable: boolean;
  clauseNames: string[];
  schema: FieldSchema;
}

const system = (
  id: string,
  name: string,
  schema: Omit<FieldSchema, 'system'>,
  clauseNames: string[] = [id],
  flags: Partial<Pick<FieldDefinition, 'navigable' | 'orderable' | 'searchable'>> = {},
): FieldDefinition => ({
  id,
  name,
  custom: false,
  navigable: flags.navigable ?? true,
  orderable: flags.orderable ?? true,
  searchable: flags.searchable ?? true,
  clauseNames,
  schema: { ...schema, system: id },
});

export const SYSTEM_FIELDS: readonly FieldDefinition[] = [
  system('summary', 'Summary', { type: 'string' }),
  system('description', 'Description', { type: 'string' }),
  system('issuetype', 'Issue Type', { type: 'issuetype' }, ['issuetype', 'type']),
  system('project', 'Project', { type: 'project' }, ['project'], { orderable: false }),
  system('status', 'Status', { type: 'status' }, ['status'], { orderable: false }),
  system('priority', 'Priority', { type: 'priority' }),
  system('assignee', 'Assignee', { type: 'user' }),
  system('reporter', 'Reporter', { type: 'user' }),
  system('creator', 'Creator', { type: 'user' }, ['creator'], { orderable: false }),
  system('labels', 'Labels', { type: 'array', items: 'string' }, ['labels']),
  system('duedate', 'Due date', { type: 'date' }, ['due', 'duedate']),
  system('created', 'Created', { type: 'datetime' }, ['created', 'createdDate'], { orderable: false }),
  system('updated', 'Updated', { type: 'datetime' }, ['updated', 'updatedDate'], { orderable: false }),
  system(
    'statuscategorychangedate',
    'Status Category Changed',
    { type: 'datetime' },
    ['statusCategoryChangedDate'],
    {
      orderable: false,
    },
  ),
  system('resolution', 'Resolution', { type: 'resolution' }),
  system('resolutiondate', 'Resolved', { type: 'datetime' }, ['resolutiondate', 'resolved'], {
    orderable: false,
  }),
  system('comment', 'Comment', { type: 'comments-page' }, ['comment'], { navigable: false }),
  system('attachment', 'Attachment', { type: 'array', items: 'attachment' }, ['attachments']),
  system('issuelinks', 'Linked Issues', { type: 'array', items: 'issuelinks' }, ['issueLink'], {
    orderable: true,
  }),
  system('subtasks', 'Sub-tasks', { type: 'array', items: 'issuelinks' }, ['subtasks'], { orderable: false }),
  system('parent', 'Parent', { type: 'issuelink' }, ['parent'], { orderable: false }),
  system('components', 'Components', { type: 'array', items: 'component' }, ['component']),
  system('fixVersions', 'Fix versions', { type: 'array', items: 'version' }, ['fixVersion']),
  system('versions', 'Affects versions', { type: 'array', items: 'version' }, ['affectedVersion']),
  system('environment', 'Environment', { type: 'string' }),
  system('watches', 'Watchers', { type: 'watches' }, ['watcher'], { orderable: false }),
  system('votes', 'Votes', { type: 'votes' }, ['votes'], { orderable: false }),
  system('worklog', 'Log Work', { type: 'array', items: 'worklog' }, ['worklogComment'], {
    navigable: false,
  }),
  system('timetracking', 'Time tracking', { type: 'timetracking' }, [], { navigable: false }),
  system('timespent', 'Time Spent', { type: 'number' }, ['timespent'], { orderable: false }),
  system('timeoriginalestimate', 'Original estimate', { type: 'number' }, ['originalEstimate'], {
    orderable: false,
  }),
  system('timeestimate', 'Remaining Estimate', { type: 'number' }, ['remainingEstimate'], {
    orderable: false,
  }),
  system('aggregatetimespent', 'Σ Time Spent', { type: 'number' }, [], { orderable: false }),
  system('aggregatetimeoriginalestimate', 'Σ Original Estimate', { type: 'number' }, [], {
    orderable: false,
  }),
  system('aggregatetimeestimate', 'Σ Remaining Estimate', { type: 'number' }, [], { orderable: false }),
  system('progress', 'Progress', { type: 'progress' }, ['progress'], { orderable: false }),
  system('aggregateprogress', 'Σ Progress', { type: 'progress' }, [], { orderable: false }),
  system('workratio', 'Work Ratio', { type: 'number' }, ['workratio'], { orderable: false }),
  system('security', 'Security Level', { type: 'securitylevel' }, ['level']),
  system('lastViewed', 'Last Viewed', { type: 'datetime' }, ['lastViewed'], { orderable: false }),
  system('statusCategory', 'Status Category', { type: 'statusCategory' }, ['statusCategory'], {
    orderable: false,
  }),
];

const CUSTOM_TYPES: Record<CustomFieldRecord['type'], { type: string; plugin: string }> = {
  select: { type: 'option', plugin: 'select' },
  radio: { type: 'option', plugin: 'radiobuttons' },
  text: { type: 'string', plugin: 'textfield' },
  textarea: { type: 'string', plugin: 'textarea' },
  date: { type: 'date', plugin: 'datepicker' },
};

export function customFieldDefinition(field: CustomFieldRecord): FieldDefinition {
  const customId = Number(field.id.replace('customfield_', ''));
  const kind = CUSTOM_TYPES[field.type];
  return {
    id: field.id,
    name: field.name,
    custom: true,
    navigable: true,
    orderable: true,
    searchable: true,
    clauseNames: [`cf[${customId}]`, field.name],
    schema: {
      type: kind.type,
      custom: `com.atlassian.jira.plugin.system.customfieldtypes:${kind.plugin}`,
      customId,
    },
  };
}

export function allFieldDefinitions(state: SandboxState): FieldDefinition[] {
  return [...SYSTEM_FIELDS, ...[...state.customFields.values()].map(customFieldDefinition)];
}

/** The `FieldDetails` representation (GET /field). */
export function renderFieldDetails(field: FieldDefinition) {
  return { ...field, key: field.id };
}

/** Custom fields a project uses: those on its service desk's request types. */
export function projectCustomFields(state: SandboxState, project: ProjectRecord): CustomFieldRecord[] {
  const ids = new Set(
    (project.serviceDesk?.requestTypes ?? []).flatMap((rt) => rt.fields.map((f) => f.fieldId)),
  );
  return [...state.customFields.values()].filter((f) => ids.has(f.id));
}

/**
 * Which fields to include, from Jira's `fields` parameter: names, `*all`, `*navigable`, and `-name` exclusions.
 * Without the parameter, `whenAbsent` decides (GET issue shows all; search shows none).
 */
export function fieldSelector(
  requested: string[] | undefined,
  whenAbsent: 'all' | 'none',
): (field: FieldDefinition) => boolean {
  if (requested === undefined || requested.length === 0) return () => whenAbsent === 'all';
  const include = new Set<string>();
  const exclude = new Set<string>();
  let all = false;
  let navigable = false;
  for (const entry of requested) {
    if (entry === '*all') all = true;
    else if (entry === '*navigable') navigable = true;
    else if (entry.startsWith('-')) exclude.add(entry.slice(1));
    else include.add(entry);
  }
  return (field) =>
    !exclude.has(field.id) && (all || (navigable && field.navigable) || include.has(field.id));
}

const DONE_RESOLUTION = { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' };

/** Renders the issue's fields that `wanted` selects; each value is computed only when selected. */
export function renderIssueFields(
  state: SandboxState,
  site: SiteRecord,
  issue: IssueRecord,
  wanted: (field: FieldDefinition) => boolean,
  /** The account looking, for `watches.isWatching` and `votes.hasVoted`. */
  viewerId?: string,
): Record<string, unknown> {
  const user = (accountId: string | null) => {
    const record = accountId ? state.users.get(accountId) : undefined;
    return record ? renderUser(site, record) : null;
  };
  const project = state.projects.get(issue.projectId);
  const status = state.statuses.get(issue.statusId);
  const versionRef = (id: string) => {
    const version = state.versions.get(id);
    return version ? [renderVersion(site, version)] : [];
  };
  let spentSeconds: number | undefined;
  const spentOnce = () => {
    spentSeconds ??= issue.worklogIds.reduce(
      (sum, id) => sum + (state.worklogs.get(id)?.timeSpentSeconds ?? 0),
      0,
    );
    return spentSeconds;
  };
  const values: Record<string, () => unknown> = {
    summary: () => issue.summary,
    description: () => issue.description,
    issuetype: () => {
      const type = state.issueTypes.get(issue.issueTypeId);
      return type ? renderIssueType(site, type) : null;
    },
    project: () => (project ? renderProjectRef(site, project) : null),
    status: () => (status ? renderStatus(site, status) : null),
    priority: () => {
      const priority = state.priorities.get(issue.priorityId);
      return priority ? renderPriorityRef(site, priority) : null;
    },
    assignee: () => user(issue.assigneeId),
    reporter: () => user(issue.reporterId),
    creator: () => user(issue.creatorId),
    labels: () => issue.labels,
    duedate: () => issue.duedate,
    created: () => jiraDateTime(issue.created),
    updated: () => jiraDateTime(issue.updated),
    statuscategorychangedate: () => jiraDateTime(issue.statusChanged),
    resolution: () =>
      issue.resolutionDate === null
        ? null
        : { self: `${site.apiUrl}/rest/api/3/resolution/${DONE_RESOLUTION.id}`, ...DONE_RESOLUTION },
    resolutiondate: () => (issue.resolutionDate === null ? null : jiraDateTime(issue.resolutionDate)),
    comment: () => {
      const comments = issue.commentIds.flatMap((id) => {
        const comment = state.comments.get(id);
        return comment ? [renderComment(state, site, comment)] : [];
      });
      return {
        comments,
        self: `${site.apiUrl}/rest/api/3/issue/${issue.id}/comment`,
        maxResults: comments.length,
        total: comments.length,
        startAt: 0,
      };
    },
    attachment: () =>
      issue.attachmentIds.flatMap((id) => {
        const attachment = state.attachments.get(id);
        return attachment ? [renderAttachment(state, site, attachment)] : [];
      }),
    issuelinks: () =>
      [...state.issueLinks.values()]
        .filter((l) => l.inwardIssueId === issue.id || l.outwardIssueId === issue.id)
        .map((l) => renderIssueLinkFor(state, site, l, issue.id)),
    subtasks: () =>
      [...state.issues.values()]
        .filter((i) => i.parentId === issue.id)
        .map((i) => renderLinkedIssue(state, site, i)),
    parent: () => {
      const parent = issue.parentId ? state.issues.get(issue.parentId) : undefined;
      return parent ? renderLinkedIssue(state, site, parent) : undefined;
    },
    components: () =>
      issue.componentIds.flatMap((id) => {
        const component = state.components.get(id);
        return component ? [renderComponentRef(site, component)] : [];
      }),
    fixVersions: () => issue.fixVersionIds.flatMap((id) => versionRef(id)),
    versions: () => issue.versionIds.flatMap((id) => versionRef(id)),
    environment: () => issue.environment,
    watches: () => ({
      self: `${site.apiUrl}/rest/api/3/issue/${issue.key}/watchers`,
      watchCount: issue.watcherIds.length,
      isWatching: viewerId !== undefined && issue.watcherIds.includes(viewerId),
    }),
    votes: () => ({
      self: `${site.apiUrl}/rest/api/3/issue/${issue.key}/votes`,
      votes: issue.voterIds.length,
      hasVoted: viewerId !== undefined && issue.voterIds.includes(viewerId),
    }),
    worklog: () => {
      const worklogs = issue.worklogIds.flatMap((id) => {
        const worklog = state.worklogs.get(id);
        return worklog ? [renderWorklog(state, site, worklog)] : [];
      });
      return { startAt: 0, maxResults: 20, total: worklogs.length, worklogs: worklogs.slice(0, 20) };
    },
    timetracking: () =>
      spentOnce() > 0 ? { timeSpent: formatDuration(spentOnce()), timeSpentSeconds: spentOnce() } : {},
    timespent: () => (spentOnce() > 0 ? spentOnce() : null),
    timeoriginalestimate: () => null,
    timeestimate: () => null,
    aggregatetimespent: () => (spentOnce() > 0 ? spentOnce() : null),
    aggregatetimeoriginalestimate: () => null,
    aggregatetimeestimate: () => null,
    progress: () => ({
      progress: spentOnce(),
      total: spentOnce(),
      ...(spentOnce() > 0 ? { percent: 100 } : {}),
    }),
    aggregateprogress: () => ({
      progress: spentOnce(),
      total: spentOnce(),
      ...(spentOnce() > 0 ? { percent: 100 } : {}),
    }),
    workratio: () => -1,
    security: () => null,
    lastViewed: () => null,
    statusCategory: () => (status ? renderStatusCategory(site, status.category) : null),
  };
  const fields: Record<string, unknown> = {};
  for (const field of SYSTEM_FIELDS) {
    if (!wanted(field)) continue;
    const value = values[field.id]();
    if (value !== undefined) fields[field.id] = value;
  }
  const custom = project ? projectCustomFields(state, project) : [];
  for (const field of custom) {
    if (wanted(customFieldDefinition(field))) {
      fields[field.id] = renderCustomFieldValue(site, field, issue.customFields[field.id]);
    }
  }
  return fields;
}
