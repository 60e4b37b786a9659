/**
 * Watchers (add, list), assign, and attachment upload (multipart, `X-Atlassian-Token: no-check`), as the platform
 * spec describes them. Watchers live beside the issue record, so a reset (which rebuilds issues) clears them.
 */
import type { ApiRoute, ApiServices } from '../api/context';
import { actorCan, isRecord } from '../api/context';
import { API_MESSAGES, jiraError } from '../api/errors';
import type { IssueRecord } from '../state';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { renderAttachment, renderUserDetails } from './render';

const watchers = new WeakMap<IssueRecord, Set<string>>();

export function watchersOf(issue: IssueRecord): Set<string> {
  let set = watchers.get(issue);
  if (!set) {
    set = new Set([issue.reporterId]);
    watchers.set(issue, set);
  }
  return set;
}

export function issueActionRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const userOnSite = (accountId: unknown, cloudId: string) => {
    const user = typeof accountId === 'string' ? state.users.get(accountId) : undefined;
    return user?.siteIds.includes(cloudId) ? user : undefined;
  };
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}/watchers',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
        const people = [...watchersOf(found.issue)].flatMap((id) => state.users.get(id) ?? []);
        c.set('returnedObjects', people.length);
        return c.json({
          self: `${actor.site.url}/rest/api/3/issue/${found.issue.key}/watchers`,
          isWatching: people.some((user) => user.accountId === actor.user.accountId),
          watchCount: people.length,
          watchers: people.map((user) => renderUserDetails(actor.site, user)),
        });
      },
    },
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/issue/{issueIdOrKey}/watchers',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
        // The body is the account id as a JSON string; without one, the caller watches.
        const body = c.get('body');
        const accountId = body === undefined ? actor.user.accountId : body;
        if (typeof accountId !== 'string') return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
        const user = userOnSite(accountId, found.project.cloudId);
        if (!user) return jiraError(c, 404, [`The user with account ID ${accountId} does not exist.`]);
        if (accountId !== actor.user.accountId && !actorCan(actor, found.project, 'EDIT_ISSUES')) {
          return jiraError(c, 403, ['You do not have the permission to manage the watcher list.']);
        }
        watchersOf(found.issue).add(user.accountId);
        return c.body(null, 204);
      },
    },
    {
      api: 'platform',
      method: 'PUT',
      path: '/rest/api/3/issue/{issueIdOrKey}/assignee',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
        const body = c.get('body');
        if (!isRecord(body)) return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
        if (!actorCan(actor, found.project, 'EDIT_ISSUES')) {
          return jiraError(c, 403, [JIRA_MESSAGES.noEditPermission]);
        }
        if (body.accountId === null || body.accountId === '-1') {
          found.issue.assigneeId = null;
        } else {
          const user = userOnSite(body.accountId, found.project.cloudId);
          if (!user) return jiraError(c, 400, [], { assignee: JIRA_MESSAGES.invalidValue('assignee') });
          found.issue.assigneeId = user.accountId;
        }
        found.issue.updated = services.now();
        return c.body(null, 204);
      },
    },
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/issue/{issueIdOrKey}/attachments',
      rawBody: true,
      handler: async (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
        if (c.req.header('x-atlassian-token') !== 'no-check') {
          return jiraError(c, 403, ['XSRF check failed']);
        }
        if (!actorCan(actor, found.project, 'EDIT_ISSUES')) {
          return jiraError(c, 403, [JIRA_MESSAGES.noEditPermission]);
        }
        const form = await c.req.parseBody({ all: true }).catch(() => undefined);
        const files = [form?.file].flat().filter((value): value is File => value instanceof File);
        if (!files.length) return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
        const created = [];
        for (const file of files) {
          const id = String(Math.max(10_000, ...[...state.attachments.keys()].map(Number)) + 1);
          const record = {
            id,
            issueId: found.issue.id,
            filename: file.name,
            mimeType: file.type || 'application/octet-stream',
            size: file.size,
            authorId: actor.user.accountId,
            created: services.now(),
          };
          state.attachments.set(id, record);
          found.issue.attachmentIds.push(id);
          created.push(renderAttachment(state, actor.site, record));
        }
        c.set('returnedObjects', created.length);
        return c.json(created);
      },
    },
  ];
}
