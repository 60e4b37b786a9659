/**
 * Users, groups, permissions and the people on an issue: user get/bulk/picker/search, assignable users,
 * groups (bulk, members, pickers), `mypermissions`, `permissions`, assign, watchers and votes.
 */
import { createHash } from 'node:crypto';
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  bodyRecord,
  isRecord,
  listParam,
  offsetPage,
  platform,
} from '../api/context';
import { jiraError } from '../api/errors';
import type { ProjectPermission } from '../seed-types';
import { isJiraAdmin, type ProjectRecord, type SiteRecord, type UserRecord } from '../state';
import { editIssue } from './issue-write';
import { visibleIssue, visibleProject } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { renderUser, renderUserDetails } from './render';

/** Jira's permission catalogue, for the keys the sandbox models (plus ADMINISTER, a global one). */
const PERMISSIONS: Record<
  string,
  { id: string; name: string; type: 'GLOBAL' | 'PROJECT'; description: string }
> = {
  ADMINISTER: {
    id: '0',
    name: 'Administer Jira',
    type: 'GLOBAL',
    description:
      'Create and administer projects, issue types, fields, workflows, and schemes for all projects.',
  },
  BROWSE_PROJECTS: {
    id: '10',
    name: 'Browse Projects',
    type: 'PROJECT',
    description: 'Ability to browse projects and the issues within them.',
  },
  CREATE_ISSUES: {
    id: '11',
    name: 'Create Issues',
    type: 'PROJECT',
    description: 'Ability to create issues.',
  },
  EDIT_ISSUES: { id: '12', name: 'Edit Issues', type: 'PROJECT', description: 'Ability to edit issues.' },
  TRANSITION_ISSUES: {
    id: '46',
    name: 'Transition Issues',
    type: 'PROJECT',
    description: 'Ability to transition issues.',
  },
  DELETE_ISSUES: {
    id: '16',
    name: 'Delete Issues',
    type: 'PROJECT',
    description: 'Ability to delete issues.',
  },
  ADD_COMMENTS: {
    id: '15',
    name: 'Add Comments',
    type: 'PROJECT',
    description: 'Ability to comment on issues.',
  },
  ASSIGNABLE_USER: {
    id: '17',
    name: 'Assignable User',
    type: 'PROJECT',
    description: 'Users with this permission may be assigned to issues.',
  },
  ASSIGN_ISSUES: {
    id: '13',
    name: 'Assign Issues',
    type: 'PROJECT',
    description: 'Ability to assign issues to other people.',
  },
  MANAGE_WATCHERS: {
    id: '32',
    name: 'Manage Watchers',
    type: 'PROJECT',
    description: 'Ability to manage the watchers of an issue.',
  },
};

/** How the sandbox's six project permissions stand in for Jira's others. */
const STANDS_FOR: Record<string, ProjectPermission> = {
  ASSIGNABLE_USER: 'EDIT_ISSUES',
  ASSIGN_ISSUES: 'EDIT_ISSUES',
  MANAGE_WATCHERS: 'EDIT_ISSUES',
};

export function holdsPermission(user: UserRecord, project: ProjectRecord | null, key: string): boolean {
  if (!project) return false;
  if (key === 'ADMINISTER') return isJiraAdmin(user, project.cloudId);
  const permission = (STANDS_FOR[key] ?? key) as ProjectPermission;
  if (!user.siteIds.includes(project.cloudId)) return false;
  const granted = user.projectPermissions[project.key];
  return granted === undefined || granted.includes(permission);
}

function groupId(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function renderGroup(site: SiteRecord, name: string) {
  return {
    name,
    groupId: groupId(name),
    self: `${site.apiUrl}/rest/api/3/group?groupId=${groupId(name)}`,
  };
}

/** Jira matches a user query against the start of the display name's words and of the email address. */
export function userMatches(user: UserRecord, query: string): boolean {
  const q = query.toLowerCase();
  return (
    user.displayName
      .toLowerCase()
      .split(/\s+/)
      .some((word) => word.startsWith(q)) ||
    user.displayName.toLowerCase().startsWith(q) ||
    (user.email?.toLowerCase().startsWith(q) ?? false)
  );
}

export function peopleRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const siteUsers = (c: ApiContext) =>
    [...state.users.values()].filter((u) => u.siteIds.includes(c.get('actor').site.cloudId));
  const siteUser = (c: ApiContext, accountId: string | undefined) =>
    accountId ? siteUsers(c).find((u) => u.accountId === accountId) : undefined;
  const groupsOfSite = (c: ApiContext) => [...new Set(siteUsers(c).flatMap((u) => u.groups))].sort();
  const groupByParams = (c: ApiContext) => {
    const name = c.req.query('groupname');
    const id = c.req.query('groupId');
    return groupsOfSite(c).find((g) => g === name || groupId(g) === id);
  };
  const badPage = (c: ApiContext) => jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
  const issueNotFound = (c: ApiContext) => jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);

  const assignable = (c: ApiContext, projects: ProjectRecord[]) => {
    const query = c.req.query('query');
    const accountId = c.req.query('accountId');
    return siteUsers(c).filter(
      (u) =>
        u.accountType === 'atlassian' &&
        projects.every((p) => holdsPermission(u, p, 'ASSIGNABLE_USER')) &&
        (!query || userMatches(u, query)) &&
        (!accountId || u.accountId === accountId),
    );
  };

  return [
    platform('GET', '/rest/api/3/user', (c) => {
      const accountId = c.req.query('accountId');
      if (!accountId) return jiraError(c, 400, [JIRA_MESSAGES.accountIdRequired]);
      const user = siteUser(c, accountId);
      if (!user) return jiraError(c, 404, [JIRA_MESSAGES.userNotFound(accountId)]);
      c.set('returnedObjects', 1);
      const expand = new Set(listParam(c, 'expand') ?? []);
      return c.json({
        ...renderUser(c.get('actor').site, user),
        ...(expand.has('groups')
          ? {
              groups: {
                size: user.groups.length,
                items: user.groups.map((g) => renderGroup(c.get('actor').site, g)),
              },
            }
          : {}),
        expand: 'groups,applicationRoles',
      });
    }),
    platform('GET', '/rest/api/3/user/bulk', (c) => {
      const ids = listParam(c, 'accountId');
      if (!ids || ids.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.accountIdRequired]);
      const users = ids.flatMap((id) => siteUser(c, id) ?? []);
      const page = offsetPage(c, users, 10, 200);
      if (!page) return badPage(c);
      const site = c.get('actor').site;
      return c.json({
        self: `${site.apiUrl}/rest/api/3/user/bulk?startAt=${page.startAt}&maxResults=${page.maxResults}`,
        maxResults: page.maxResults,
        startAt: page.startAt,
        total: users.length,
        isLast: page.isLast,
        values: page.values.map((u) => renderUser(site, u)),
      });
    }),
    platform('GET', '/rest/api/3/users/search', (c) => {
      const page = offsetPage(c, siteUsers(c), 50);
      if (!page) return badPage(c);
      return c.json(page.values.map((u) => renderUser(c.get('actor').site, u)));
    }),
    platform('GET', '/rest/api/3/users', (c) => {
      const page = offsetPage(c, siteUsers(c), 50);
      if (!page) return badPage(c);
      return c.json(page.values.map((u) => renderUser(c.get('actor').site, u)));
    }),
    platform('GET', '/rest/api/3/user/picker', (c) => {
      const query = c.req.query('query') ?? '';
      const excluded = new Set(listParam(c, 'excludeAccountIds') ?? []);
      const users = siteUsers(c).filter((u) => !excluded.has(u.accountId) && userMatches(u, query));
      const max = Number(c.req.query('maxResults') ?? 50);
      const shown = users.slice(0, Number.isInteger(max) && max >= 0 ? max : 50);
      c.set('returnedObjects', shown.length);
      return c.json({
        users: shown.map((u) => ({
          accountId: u.accountId,
          accountType: u.accountType,
          displayName: u.displayName,
          html: u.displayName,
          avatarUrl: renderUser(c.get('actor').site, u).avatarUrls['16x16'],
        })),
        total: users.length,
        header: `Showing ${shown.length} of ${users.length} matching users`,
      });
    }),
    platform('GET', '/rest/api/3/user/assignable/search', (c) => {
      const actor = c.get('actor');
      const issueKey = c.req.query('issueKey') ?? c.req.query('issueId');
      const projectKey = c.req.query('project');
      let project: ProjectRecord | null = null;
      if (issueKey) {
        const found = visibleIssue(services, actor, issueKey);
        if (!found) return issueNotFound(c);
        project = found.project;
      } else if (projectKey) {
        project = visibleProject(services, actor, projectKey);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(projectKey)]);
      } else return jiraError(c, 400, [JIRA_MESSAGES.assignableScopeRequired]);
      const page = offsetPage(c, assignable(c, [project]), 50);
      if (!page) return badPage(c);
      return c.json(page.values.map((u) => renderUser(actor.site, u)));
    }),
    platform('GET', '/rest/api/3/user/assignable/multiProjectSearch', (c) => {
      const keys = listParam(c, 'projectKeys');
      if (!keys || keys.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.projectKeysRequired]);
      const projects: ProjectRecord[] = [];
      for (const key of keys) {
        const project = visibleProject(services, c.get('actor'), key);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(key)]);
        projects.push(project);
      }
      const page = offsetPage(c, assignable(c, projects), 50);
      if (!page) return badPage(c);
      return c.json(page.values.map((u) => renderUser(c.get('actor').site, u)));
    }),
    platform('GET', '/rest/api/3/user/groups', (c) => {
      const accountId = c.req.query('accountId');
      const user = siteUser(c, accountId);
      if (!user) return jiraError(c, 404, [JIRA_MESSAGES.userNotFound(accountId ?? '')]);
      c.set('returnedObjects', user.groups.length);
      return c.json(user.groups.map((g) => renderGroup(c.get('actor').site, g)));
    }),
    platform('GET', '/rest/api/3/group/bulk', (c) => {
      const names = listParam(c, 'groupName');
      const ids = listParam(c, 'groupId');
      const groups = groupsOfSite(c).filter(
        (g) => (!names && !ids) || names?.includes(g) || ids?.includes(groupId(g)),
      );
      const page = offsetPage(c, groups, 50);
      if (!page) return badPage(c);
      return c.json({
        isLast: page.isLast,
        maxResults: page.maxResults,
        startAt: page.startAt,
        total: groups.length,
        values: page.values.map((g) => ({ name: g, groupId: groupId(g) })),
      });
    }),
    platform('GET', '/rest/api/3/group/member', (c) => {
      if (!c.req.query('groupname') && !c.req.query('groupId'))
        return jiraError(c, 400, [JIRA_MESSAGES.groupNameRequired]);
      if (!isJiraAdmin(c.get('actor').user, c.get('actor').site.cloudId))
        return jiraError(c, 403, [JIRA_MESSAGES.adminRequired]);
      const group = groupByParams(c);
      if (!group) return jiraError(c, 404, [JIRA_MESSAGES.groupNotFound(c.req.query('groupname') ?? '')]);
      const members = siteUsers(c).filter((u) => u.groups.includes(group));
      const page = offsetPage(c, members, 50);
      if (!page) return badPage(c);
      const site = c.get('actor').site;
      return c.json({
        self: `${site.apiUrl}/rest/api/3/group/member?groupId=${groupId(group)}&startAt=${page.startAt}&maxResults=${page.maxResults}`,
        ...(page.isLast
          ? {}
          : {
              nextPage: `${site.apiUrl}/rest/api/3/group/member?groupId=${groupId(group)}&startAt=${page.startAt + page.values.length}&maxResults=${page.maxResults}`,
            }),
        isLast: page.isLast,
        maxResults: page.maxResults,
        startAt: page.startAt,
        total: members.length,
        values: page.values.map((u) => renderUserDetails(site, u)),
      });
    }),
    platform('GET', '/rest/api/3/groups/picker', (c) => {
      const query = (c.req.query('query') ?? '').toLowerCase();
      const excluded = new Set(listParam(c, 'exclude') ?? []);
      const groups = groupsOfSite(c).filter((g) => g.toLowerCase().includes(query) && !excluded.has(g));
      c.set('returnedObjects', groups.length);
      return c.json({
        header: `Showing ${groups.length} of ${groups.length} matching groups`,
        total: groups.length,
        groups: groups.map((g) => ({ name: g, html: g, groupId: groupId(g), labels: [] })),
      });
    }),
    platform('GET', '/rest/api/3/groupuserpicker', (c) => {
      const query = c.req.query('query');
      if (query === undefined) return jiraError(c, 400, [JIRA_MESSAGES.queryRequired]);
      const users = siteUsers(c).filter((u) => userMatches(u, query));
      const groups = groupsOfSite(c).filter((g) => g.toLowerCase().includes(query.toLowerCase()));
      c.set('returnedObjects', users.length + groups.length);
      const site = c.get('actor').site;
      return c.json({
        users: {
          header: `Showing ${users.length} of ${users.length} matching users`,
          total: users.length,
          users: users.map((u) => ({
            accountId: u.accountId,
            accountType: u.accountType,
            displayName: u.displayName,
            html: u.displayName,
            avatarUrl: renderUser(site, u).avatarUrls['16x16'],
          })),
        },
        groups: {
          header: `Showing ${groups.length} of ${groups.length} matching groups`,
          total: groups.length,
          groups: groups.map((g) => ({ name: g, html: g, groupId: groupId(g), labels: [] })),
        },
      });
    }),
    platform('GET', '/rest/api/3/mypermissions', (c) => {
      const actor = c.get('actor');
      const keys = listParam(c, 'permissions');
      if (!keys || keys.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.permissionsRequired]);
      const unknown = keys.find((k) => !(k in PERMISSIONS));
      if (unknown) return jiraError(c, 400, [JIRA_MESSAGES.unknownPermission(unknown)]);
      let project: ProjectRecord | null = null;
      const issueRef = c.req.query('issueKey') ?? c.req.query('issueId');
      const projectRef = c.req.query('projectKey') ?? c.req.query('projectId');
      if (issueRef) {
        const found = visibleIssue(services, actor, issueRef);
        if (!found) return issueNotFound(c);
        project = found.project;
      } else if (projectRef) {
        project = visibleProject(services, actor, projectRef);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(projectRef)]);
      }
      c.set('returnedObjects', keys.length);
      /** Without a project, a project permission counts when the user holds it in any project of the site. */
      const holds = (key: string) =>
        project
          ? holdsPermission(actor.user, project, key)
          : key === 'ADMINISTER'
            ? isJiraAdmin(actor.user, actor.site.cloudId)
            : [...state.projects.values()].some(
                (p) => p.cloudId === actor.site.cloudId && holdsPermission(actor.user, p, key),
              );
      return c.json({
        permissions: Object.fromEntries(
          keys.map((key) => [key, { ...PERMISSIONS[key], key, havePermission: holds(key) }]),
        ),
      });
    }),
    platform('GET', '/rest/api/3/permissions', (c) => {
      c.set('returnedObjects', Object.keys(PERMISSIONS).length);
      return c.json({
        permissions: Object.fromEntries(
          Object.entries(PERMISSIONS).map(([key, p]) => [
            key,
            { key, name: p.name, type: p.type, description: p.description },
          ]),
        ),
      });
    }),
    platform('PUT', '/rest/api/3/issue/{issueIdOrKey}/assignee', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      const body = c.get('body');
      if (!isRecord(body) || !('accountId' in body))
        return jiraError(c, 400, [JIRA_MESSAGES.accountIdRequired]);
      if (!holdsPermission(actor.user, found.project, 'ASSIGN_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noAssignPermission]);
      // `-1` is Jira's "automatic" assignee: the project lead here.
      const accountId = body.accountId === '-1' ? found.project.leadAccountId : body.accountId;
      if (accountId !== null) {
        const user = typeof accountId === 'string' ? siteUser(c, accountId) : undefined;
        if (!user || !holdsPermission(user, found.project, 'ASSIGNABLE_USER'))
          return jiraError(c, 400, [], { assignee: JIRA_MESSAGES.userNotAssignable(String(accountId)) });
      }
      editIssue(services, actor, found.project, found.issue, { assignee: { accountId } }, undefined);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/watchers', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      const watchers = found.issue.watcherIds.flatMap((id) => state.users.get(id) ?? []);
      c.set('returnedObjects', watchers.length);
      return c.json({
        self: `${actor.site.apiUrl}/rest/api/3/issue/${found.issue.key}/watchers`,
        isWatching: found.issue.watcherIds.includes(actor.user.accountId),
        watchCount: watchers.length,
        watchers: watchers.map((u) => renderUserDetails(actor.site, u)),
      });
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/watchers', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      // The body is a bare JSON string; without one the caller watches.
      const body = c.get('body');
      const accountId = body === undefined ? actor.user.accountId : body;
      if (typeof accountId !== 'string') return jiraError(c, 400, [JIRA_MESSAGES.accountIdRequired]);
      const user = siteUser(c, accountId);
      if (!user || !holdsPermission(user, found.project, 'BROWSE_PROJECTS'))
        return jiraError(c, 404, [JIRA_MESSAGES.userNotFound(accountId)]);
      if (
        accountId !== actor.user.accountId &&
        !holdsPermission(actor.user, found.project, 'MANAGE_WATCHERS')
      )
        return jiraError(c, 403, [JIRA_MESSAGES.noWatcherPermission]);
      if (!found.issue.watcherIds.includes(accountId)) found.issue.watcherIds.push(accountId);
      return c.body(null, 204);
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/watchers', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      const accountId = c.req.query('accountId');
      if (!accountId) return jiraError(c, 400, [JIRA_MESSAGES.accountIdRequired]);
      if (!siteUser(c, accountId)) return jiraError(c, 404, [JIRA_MESSAGES.userNotFound(accountId)]);
      if (
        accountId !== actor.user.accountId &&
        !holdsPermission(actor.user, found.project, 'MANAGE_WATCHERS')
      )
        return jiraError(c, 403, [JIRA_MESSAGES.noWatcherPermission]);
      found.issue.watcherIds = found.issue.watcherIds.filter((id) => id !== accountId);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/votes', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      const voters = found.issue.voterIds.flatMap((id) => state.users.get(id) ?? []);
      c.set('returnedObjects', 1);
      return c.json({
        self: `${actor.site.apiUrl}/rest/api/3/issue/${found.issue.key}/votes`,
        votes: voters.length,
        hasVoted: found.issue.voterIds.includes(actor.user.accountId),
        voters: voters.map((u) => renderUser(actor.site, u)),
      });
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/votes', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      if (found.issue.reporterId === actor.user.accountId)
        return jiraError(c, 400, [JIRA_MESSAGES.cannotVoteOwnIssue]);
      if (!found.issue.voterIds.includes(actor.user.accountId))
        found.issue.voterIds.push(actor.user.accountId);
      return c.body(null, 204);
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/votes', (c) => {
      const actor = c.get('actor');
      const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      found.issue.voterIds = found.issue.voterIds.filter((id) => id !== actor.user.accountId);
      return c.body(null, 204);
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/notify', (c) => {
      const found = visibleIssue(services, c.get('actor'), c.req.param('issueIdOrKey') ?? '');
      if (!found) return issueNotFound(c);
      const body = bodyRecord(c);
      if (body.htmlBody === undefined && body.textBody === undefined && body.subject === undefined)
        return jiraError(c, 400, [JIRA_MESSAGES.notificationEmpty]);
      // Mail is not sent; the notification is accepted as Jira queues it.
      return c.body(null, 204);
    }),
  ];
}
