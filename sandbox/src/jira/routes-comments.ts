/** Issue comments (ADF bodies) and issue properties. */

import type { Adf } from '../adf';
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  intParam,
  isRecord,
} from '../api/context';
import { jiraError } from '../api/errors';
import { addComment, commentProblem, hasSchemaInvalidAdf } from './issue-write';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { propertyProblem } from './properties';
import { renderComment } from './render';
import { SD_PUBLIC_COMMENT } from './routes-comment-edits';

function isInternal(properties: unknown): boolean {
  if (!Array.isArray(properties)) return false;
  return properties.some(
    (p) => isRecord(p) && p.key === SD_PUBLIC_COMMENT && isRecord(p.value) && p.value.internal === true,
  );
}

function issueNotFound(c: ApiContext) {
  return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
}

export function commentAndPropertyRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}/comment',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const startAt = intParam(c, 'startAt', 0);
        const maxResults = Math.min(intParam(c, 'maxResults', 100), 5000);
        if (!(startAt >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidStartAt]);
        if (!(maxResults >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
        const newestFirst = c.req.query('orderBy') === '-created';
        const all = found.issue.commentIds.flatMap((id) => state.comments.get(id) ?? []);
        if (newestFirst) all.reverse();
        const page = all.slice(startAt, startAt + maxResults);
        c.set('returnedObjects', page.length);
        return c.json({
          startAt,
          maxResults,
          total: all.length,
          comments: page.map((comment) => renderComment(state, actor.site, comment)),
        });
      },
    },
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/issue/{issueIdOrKey}/comment',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const body = c.get('body');
        if (isRecord(body) && hasSchemaInvalidAdf(body.body))
          return jiraError(c, 400, [JIRA_MESSAGES.invalidAdfInput]);
        const problem = commentProblem(isRecord(body) ? body.body : undefined);
        if (problem) return jiraError(c, 400, [], { comment: problem });
        if (!actorCan(actor, found.project, 'ADD_COMMENTS')) {
          return jiraError(c, 400, [JIRA_MESSAGES.noCommentPermission]);
        }
        const request = body as { body: Adf; properties?: unknown };
        const comment = addComment(
          services,
          actor,
          found.issue,
          request.body,
          !isInternal(request.properties),
        );
        return c.json(renderComment(state, actor.site, comment), 201);
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}/properties',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const keys = [...found.issue.properties.keys()];
        c.set('returnedObjects', keys.length);
        return c.json({
          keys: keys.map((key) => ({
            self: `${actor.site.apiUrl}/rest/api/3/issue/${found.issue.id}/properties/${encodeURIComponent(key)}`,
            key,
          })),
        });
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const key = c.req.param('propertyKey') ?? '';
        if (!found.issue.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
        c.set('returnedObjects', 1);
        return c.json({ key, value: found.issue.properties.get(key) });
      },
    },
    {
      api: 'platform',
      method: 'PUT',
      path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        if (!actorCan(actor, found.project, 'EDIT_ISSUES'))
          return jiraError(c, 403, [JIRA_MESSAGES.noEditPermission]);
        const key = c.req.param('propertyKey') ?? '';
        const value = c.get('body');
        const problem = propertyProblem(key, value);
        if (problem) return jiraError(c, 400, [problem]);
        const existed = found.issue.properties.has(key);
        found.issue.properties.set(key, value);
        return c.body(null, existed ? 200 : 201);
      },
    },
    {
      api: 'platform',
      method: 'DELETE',
      path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const key = c.req.param('propertyKey') ?? '';
        if (!found.issue.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
        if (!actorCan(actor, found.project, 'EDIT_ISSUES'))
          return jiraError(c, 403, [JIRA_MESSAGES.noEditPermission]);
        found.issue.properties.delete(key);
        return c.body(null, 204);
      },
    },
  ];
}
