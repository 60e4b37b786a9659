/** One comment (get, update, delete), comments by id, and comment properties (with JSM's `sd.public.comment`). */
import type { Adf } from '../adf';
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  isRecord,
  platform,
} from '../api/context';
import { API_MESSAGES, jiraError } from '../api/errors';
import type { CommentRecord } from '../state';
import { commentProblem, hasSchemaInvalidAdf } from './issue-write';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { propertyProblem } from './properties';
import { renderComment } from './render';

/** JSM's switch for internal comments; its value is `{ internal: boolean }` and mirrors `jsdPublic`. */
export const SD_PUBLIC_COMMENT = 'sd.public.comment';

function commentProperties(comment: CommentRecord): Map<string, unknown> {
  const all = new Map(comment.properties);
  all.set(SD_PUBLIC_COMMENT, { internal: !comment.jsdPublic });
  return all;
}

export function commentEditRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  /** The comment on a visible issue, or null (404 for both: Jira does not tell them apart). */
  const onIssue = (c: ApiContext) => {
    const found = visibleIssue(services, c.get('actor'), c.req.param('issueIdOrKey') ?? '');
    const comment = found ? state.comments.get(c.req.param('id') ?? '') : undefined;
    return found && comment && comment.issueId === found.issue.id ? { ...found, comment } : null;
  };
  /** A comment by id alone, when the caller may see its issue. */
  const byId = (c: ApiContext) => {
    const comment = state.comments.get(c.req.param('commentId') ?? '');
    const found = comment ? visibleIssue(services, c.get('actor'), comment.issueId) : null;
    return comment && found ? { ...found, comment } : null;
  };
  /** Authors edit their own comments with the comment permission; editors may change anyone's. */
  const mayChange = (c: ApiContext, target: NonNullable<ReturnType<typeof onIssue>>) => {
    const actor = c.get('actor');
    return (
      actorCan(actor, target.project, 'EDIT_ISSUES') ||
      (target.comment.authorId === actor.user.accountId && actorCan(actor, target.project, 'ADD_COMMENTS'))
    );
  };
  const commentNotFound = (c: ApiContext) => jiraError(c, 404, [JIRA_MESSAGES.commentNotFound]);

  return [
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/comment/{id}', (c) => {
      const target = onIssue(c);
      if (!target) return commentNotFound(c);
      c.set('returnedObjects', 1);
      return c.json(renderComment(state, c.get('actor').site, target.comment));
    }),
    platform('PUT', '/rest/api/3/issue/{issueIdOrKey}/comment/{id}', (c) => {
      const target = onIssue(c);
      if (!target) return commentNotFound(c);
      const body = c.get('body');
      if (!isRecord(body)) return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
      if (hasSchemaInvalidAdf(body.body)) return jiraError(c, 400, [JIRA_MESSAGES.invalidAdfInput]);
      const problem = commentProblem(body.body);
      if (problem) return jiraError(c, 400, [], { comment: problem });
      if (!mayChange(c, target)) return jiraError(c, 400, [JIRA_MESSAGES.noCommentEditPermission]);
      const actor = c.get('actor');
      target.comment.body = body.body as Adf;
      target.comment.updated = services.now();
      target.comment.updateAuthorId = actor.user.accountId;
      if (Array.isArray(body.properties)) {
        for (const property of body.properties) {
          if (!isRecord(property) || typeof property.key !== 'string') continue;
          if (property.key === SD_PUBLIC_COMMENT)
            target.comment.jsdPublic = !(isRecord(property.value) && property.value.internal === true);
          else target.comment.properties.set(property.key, property.value);
        }
      }
      target.issue.updated = target.comment.updated;
      c.set('returnedObjects', 1);
      return c.json(renderComment(state, actor.site, target.comment));
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/comment/{id}', (c) => {
      const target = onIssue(c);
      if (!target) return commentNotFound(c);
      if (!mayChange(c, target)) return jiraError(c, 400, [JIRA_MESSAGES.noCommentDeletePermission]);
      state.comments.delete(target.comment.id);
      target.issue.commentIds = target.issue.commentIds.filter((id) => id !== target.comment.id);
      target.issue.updated = services.now();
      return c.body(null, 204);
    }),
    platform('POST', '/rest/api/3/comment/list', (c) => {
      const body = c.get('body');
      const ids = isRecord(body) && Array.isArray(body.ids) ? body.ids.map(String) : [];
      if (ids.length === 0 || ids.length > 1000) return jiraError(c, 400, [JIRA_MESSAGES.commentIdsRequired]);
      const actor = c.get('actor');
      const values = ids.flatMap((id) => {
        const comment = state.comments.get(id);
        return comment && visibleIssue(services, actor, comment.issueId)
          ? [renderComment(state, actor.site, comment)]
          : [];
      });
      c.set('returnedObjects', values.length);
      return c.json({ isLast: true, maxResults: 1000, startAt: 0, total: values.length, values });
    }),
    platform('GET', '/rest/api/3/comment/{commentId}/properties', (c) => {
      const target = byId(c);
      if (!target) return commentNotFound(c);
      const keys = [...commentProperties(target.comment).keys()];
      c.set('returnedObjects', keys.length);
      return c.json({
        keys: keys.map((key) => ({
          self: `${c.get('actor').site.apiUrl}/rest/api/3/comment/${target.comment.id}/properties/${encodeURIComponent(key)}`,
          key,
        })),
      });
    }),
    platform('GET', '/rest/api/3/comment/{commentId}/properties/{propertyKey}', (c) => {
      const target = byId(c);
      if (!target) return commentNotFound(c);
      const key = c.req.param('propertyKey') ?? '';
      const properties = commentProperties(target.comment);
      if (!properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      c.set('returnedObjects', 1);
      return c.json({ key, value: properties.get(key) });
    }),
    platform('PUT', '/rest/api/3/comment/{commentId}/properties/{propertyKey}', (c) => {
      const target = byId(c);
      if (!target) return commentNotFound(c);
      if (!mayChange(c, target)) return jiraError(c, 403, [JIRA_MESSAGES.noCommentEditPermission]);
      const key = c.req.param('propertyKey') ?? '';
      const value = c.get('body');
      const problem = propertyProblem(key, value);
      if (problem) return jiraError(c, 400, [problem]);
      if (key === SD_PUBLIC_COMMENT) {
        target.comment.jsdPublic = !(isRecord(value) && value.internal === true);
        return c.body(null, 200);
      }
      const existed = target.comment.properties.has(key);
      target.comment.properties.set(key, value);
      return c.body(null, existed ? 200 : 201);
    }),
    platform('DELETE', '/rest/api/3/comment/{commentId}/properties/{propertyKey}', (c) => {
      const target = byId(c);
      if (!target) return commentNotFound(c);
      const key = c.req.param('propertyKey') ?? '';
      if (!commentProperties(target.comment).has(key))
        return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      if (!mayChange(c, target)) return jiraError(c, 403, [JIRA_MESSAGES.noCommentEditPermission]);
      if (key === SD_PUBLIC_COMMENT) target.comment.jsdPublic = true;
      else target.comment.properties.delete(key);
      return c.body(null, 204);
    }),
  ];
}
