/** Jira REST v3 representations of the parts around issues: components, versions, links, worklogs, changelogs. */
import type {
  ComponentRecord,
  HistoryRecord,
  IssueLinkRecord,
  IssueRecord,
  RemoteLinkRecord,
  SandboxState,
  SiteRecord,
  VersionRecord,
  WorklogRecord,
} from '../state';
import {
  jiraDateTime,
  renderIssueType,
  renderPriorityRef,
  renderStatus,
  renderUser,
  renderUserDetails,
} from './render';

/** Link types every site has (Jira's defaults). */
export const LINK_TYPES = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
] as const;

export const RESOLUTIONS = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: "This issue won't be actioned." },
  { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
  { id: '10003', name: 'Cannot Reproduce', description: 'All attempts at reproducing this issue failed.' },
] as const;

export function renderLinkType(site: SiteRecord, type: (typeof LINK_TYPES)[number]) {
  return { ...type, self: `${site.apiUrl}/rest/api/3/issueLinkType/${type.id}` };
}

export function renderResolution(site: SiteRecord, resolution: (typeof RESOLUTIONS)[number]) {
  return { ...resolution, self: `${site.apiUrl}/rest/api/3/resolution/${resolution.id}` };
}

export function renderComponent(state: SandboxState, site: SiteRecord, component: ComponentRecord) {
  const project = state.projects.get(component.projectId);
  const lead = component.leadAccountId ? state.users.get(component.leadAccountId) : undefined;
  return {
    self: `${site.apiUrl}/rest/api/3/component/${component.id}`,
    id: component.id,
    name: component.name,
    description: component.description,
    ...(lead ? { lead: renderUser(site, lead), leadAccountId: lead.accountId } : {}),
    assigneeType: 'PROJECT_DEFAULT',
    realAssigneeType: 'PROJECT_DEFAULT',
    isAssigneeTypeValid: false,
    project: project?.key ?? '',
    projectId: Number(component.projectId),
  };
}

/** Short form inside issue fields. */
export function renderComponentRef(site: SiteRecord, component: ComponentRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/component/${component.id}`,
    id: component.id,
    name: component.name,
    description: component.description,
  };
}

export function renderVersion(site: SiteRecord, version: VersionRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/version/${version.id}`,
    id: version.id,
    name: version.name,
    description: version.description,
    archived: version.archived,
    released: version.released,
    ...(version.releaseDate ? { releaseDate: version.releaseDate } : {}),
    ...(version.startDate ? { startDate: version.startDate } : {}),
    projectId: Number(version.projectId),
  };
}

/** An issue as the other end of a link (`LinkedIssue`). */
export function renderLinkedIssue(state: SandboxState, site: SiteRecord, issue: IssueRecord) {
  const status = state.statuses.get(issue.statusId);
  const priority = state.priorities.get(issue.priorityId);
  const type = state.issueTypes.get(issue.issueTypeId);
  return {
    id: issue.id,
    key: issue.key,
    self: `${site.apiUrl}/rest/api/3/issue/${issue.id}`,
    fields: {
      summary: issue.summary,
      ...(status ? { status: renderStatus(site, status) } : {}),
      ...(priority ? { priority: renderPriorityRef(site, priority) } : {}),
      ...(type ? { issuetype: renderIssueType(site, type) } : {}),
    },
  };
}

/** A link from one issue's point of view (the `issuelinks` field): only the other end is shown. */
export function renderIssueLinkFor(
  state: SandboxState,
  site: SiteRecord,
  link: IssueLinkRecord,
  issueId: string,
) {
  const type = LINK_TYPES.find((t) => t.id === link.typeId) ?? LINK_TYPES[3];
  const outward = link.inwardIssueId === issueId;
  const other = state.issues.get(outward ? link.outwardIssueId : link.inwardIssueId);
  return {
    id: link.id,
    self: `${site.apiUrl}/rest/api/3/issueLink/${link.id}`,
    type: renderLinkType(site, type),
    ...(other
      ? outward
        ? { outwardIssue: renderLinkedIssue(state, site, other) }
        : { inwardIssue: renderLinkedIssue(state, site, other) }
      : {}),
  };
}

export function renderIssueLink(state: SandboxState, site: SiteRecord, link: IssueLinkRecord) {
  const type = LINK_TYPES.find((t) => t.id === link.typeId) ?? LINK_TYPES[3];
  const inward = state.issues.get(link.inwardIssueId);
  const outward = state.issues.get(link.outwardIssueId);
  return {
    id: link.id,
    self: `${site.apiUrl}/rest/api/3/issueLink/${link.id}`,
    type: renderLinkType(site, type),
    ...(inward ? { inwardIssue: renderLinkedIssue(state, site, inward) } : {}),
    ...(outward ? { outwardIssue: renderLinkedIssue(state, site, outward) } : {}),
  };
}

export function renderRemoteLink(site: SiteRecord, issue: IssueRecord, link: RemoteLinkRecord) {
  return {
    id: link.id,
    self: `${site.apiUrl}/rest/api/3/issue/${issue.key}/remotelink/${link.id}`,
    ...(link.globalId ? { globalId: link.globalId } : {}),
    ...(link.application ? { application: link.application } : {}),
    ...(link.relationship ? { relationship: link.relationship } : {}),
    object: link.object,
  };
}

/** `3h 20m` from seconds, as Jira writes time spent. */
export function formatDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['w', 5 * 8 * 3600],
    ['d', 8 * 3600],
    ['h', 3600],
    ['m', 60],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ') || '0m';
}

/** `2d 4h 30m` → seconds (a working day is 8h, a week 5d), or null when it does not parse. */
export function parseDuration(text: string): number | null {
  const sizes: Record<string, number> = { w: 5 * 8 * 3600, d: 8 * 3600, h: 3600, m: 60 };
  const parts = text.trim().split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)([wdhm])$/.exec(part);
    if (!match) return null;
    total += Number(match[1]) * sizes[match[2]];
  }
  return parts.length > 0 ? Math.round(total) : null;
}

export function renderWorklog(state: SandboxState, site: SiteRecord, worklog: WorklogRecord) {
  const author = state.users.get(worklog.authorId);
  const updater = state.users.get(worklog.updateAuthorId);
  return {
    self: `${site.apiUrl}/rest/api/3/issue/${worklog.issueId}/worklog/${worklog.id}`,
    id: worklog.id,
    issueId: worklog.issueId,
    ...(author ? { author: renderUserDetails(site, author) } : {}),
    ...(updater ? { updateAuthor: renderUserDetails(site, updater) } : {}),
    ...(worklog.comment ? { comment: worklog.comment } : {}),
    created: jiraDateTime(worklog.created),
    updated: jiraDateTime(worklog.updated),
    started: jiraDateTime(worklog.started),
    timeSpent: formatDuration(worklog.timeSpentSeconds),
    timeSpentSeconds: worklog.timeSpentSeconds,
  };
}

export function renderHistory(state: SandboxState, site: SiteRecord, history: HistoryRecord) {
  const author = state.users.get(history.authorId);
  return {
    id: history.id,
    ...(author ? { author: renderUserDetails(site, author) } : {}),
    created: jiraDateTime(history.created),
    // `ChangeDetails` leaves out what an entry does not have (no nulls).
    items: history.items.map((item) =>
      Object.fromEntries(Object.entries(item).filter(([, value]) => value !== null && value !== undefined)),
    ),
  };
}
