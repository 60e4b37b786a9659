/** Issue create / get / edit / delete and workflow transitions. */
import {
  type ApiActor,
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  isRecord,
  listParam,
} from '../api/context';
import { API_MESSAGES, jiraError } from '../api/errors';
import { type IssueRecord, projectByKeyOrId } from '../state';
import { fieldSelector } from './fields';
import { renderIssue } from './issue-view';
import { createIssue, deleteIssue, editIssue, foldUpdate, hasSchemaInvalidAdf } from './issue-write';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { propertyProblem } from './properties';
import { availableTransitions, renderTransition } from './workflow';

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Reads `{id}` / `{key}` / `{name}` references. */
function ref(value: unknown): { id?: string; key?: string; name?: string } | null {
  if (!isRecord(value)) return null;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return { id: text(value.id), key: text(value.key), name: text(value.name) };
}

function issueNotFound(c: ApiContext) {
  return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
}

export function issueRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  return [
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/issue',
      handler: (c) => {
        const actor = c.get('actor');
        const result = createFromRequest(services, actor, c.get('body'));
        if ('status' in result) return jiraError(c, result.status, result.errorMessages, result.errors);
        const { issue } = result;
        return c.json(
          { id: issue.id, key: issue.key, self: `${actor.site.apiUrl}/rest/api/3/issue/${issue.id}` },
          201,
        );
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        c.set('returnedObjects', 1);
        return c.json(
          renderIssue(state, actor.site, found.issue, {
            fields: fieldSelector(listParam(c, 'fields'), 'all'),
            properties: listParam(c, 'properties'),
            expand: new Set(listParam(c, 'expand') ?? []),
            viewerId: actor.user.accountId,
          }),
        );
      },
    },
    {
      api: 'platform',
      method: 'PUT',
      path: '/rest/api/3/issue/{issueIdOrKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const body = c.get('body');
        if (!isRecord(body)) return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
        if (!actorCan(actor, found.project, 'EDIT_ISSUES'))
          return jiraError(c, 403, [JIRA_MESSAGES.noEditPermission]);
        const fields = record(body.fields);
        if (hasSchemaInvalidAdf(body.fields, body.update))
          return jiraError(c, 400, [JIRA_MESSAGES.invalidAdfInput]);
        if ('project' in fields)
          return jiraError(c, 400, [], { project: JIRA_MESSAGES.fieldNotSettable('project') });
        const result = editIssue(services, actor, found.project, found.issue, fields, body.update);
        if ('errors' in result) return jiraError(c, 400, [], result.errors);
        if (c.req.query('returnIssue') === 'true') {
          c.set('returnedObjects', 1);
          return c.json(
            renderIssue(state, actor.site, found.issue, { fields: fieldSelector(undefined, 'all') }),
          );
        }
        return c.body(null, 204);
      },
    },
    {
      api: 'platform',
      method: 'DELETE',
      path: '/rest/api/3/issue/{issueIdOrKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        if (!actorCan(actor, found.project, 'DELETE_ISSUES')) {
          return jiraError(c, 403, [JIRA_MESSAGES.noDeletePermission]);
        }
        deleteIssue(services, actor, found.issue);
        return c.body(null, 204);
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/{issueIdOrKey}/transitions',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const withFields = (listParam(c, 'expand') ?? []).includes('transitions.fields');
        const only = c.req.query('transitionId');
        // Without the permission Jira lists nothing rather than refusing.
        const transitions = actorCan(actor, found.project, 'TRANSITION_ISSUES')
          ? availableTransitions(found.project, found.issue).filter(
              (t) => only === undefined || t.id === only,
            )
          : [];
        c.set('returnedObjects', transitions.length);
        return c.json({
          expand: 'transitions',
          transitions: transitions.map((t) => renderTransition(state, actor.site, t, withFields)),
        });
      },
    },
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/issue/{issueIdOrKey}/transitions',
      handler: (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return issueNotFound(c);
        const body = c.get('body');
        const transitionId = isRecord(body) ? ref(body.transition)?.id : undefined;
        if (!isRecord(body) || transitionId === undefined) {
          return jiraError(c, 400, [JIRA_MESSAGES.transitionRequired]);
        }
        const transition = actorCan(actor, found.project, 'TRANSITION_ISSUES')
          ? availableTransitions(found.project, found.issue).find((t) => t.id === transitionId)
          : undefined;
        if (!transition) return jiraError(c, 400, [JIRA_MESSAGES.transitionInvalid(transitionId)]);
        if (hasSchemaInvalidAdf(body.fields, body.update))
          return jiraError(c, 400, [JIRA_MESSAGES.invalidAdfInput]);
        const result = editIssue(
          services,
          actor,
          found.project,
          found.issue,
          record(body.fields),
          body.update,
          transition.to,
        );
        if ('errors' in result) return jiraError(c, 400, [], result.errors);
        return c.body(null, 204);
      },
    },
  ];
}

export type CreateOutcome =
  | { issue: IssueRecord }
  | { status: 400 | 403; errorMessages: string[]; errors: Record<string, string> };

/** `POST /issue` for one request body (also each entry of `POST /issue/bulk`). */
export function createFromRequest(services: ApiServices, actor: ApiActor, body: unknown): CreateOutcome {
  const { state } = services;
  const fail = (status: 400 | 403, errorMessages: string[], errors: Record<string, string> = {}) => ({
    status,
    errorMessages,
    errors,
  });
  if (!isRecord(body)) return fail(400, [API_MESSAGES.invalidPayload]);
  const fields = record(body.fields);
  if (hasSchemaInvalidAdf(body.fields, body.update)) return fail(400, [JIRA_MESSAGES.invalidAdfInput]);
  const errors: Record<string, string> = {};
  const projectRef = ref(fields.project);
  const projectKey = projectRef?.id ?? projectRef?.key;
  const project = projectKey ? projectByKeyOrId(state, actor.site.cloudId, projectKey) : undefined;
  const browsable = project && actorCan(actor, project, 'BROWSE_PROJECTS') ? project : undefined;
  if (!browsable) errors.project = JIRA_MESSAGES.specifyProject;
  const typeRef = ref(fields.issuetype);
  const issueTypeId = browsable?.issueTypeIds.find((id) =>
    typeRef?.id !== undefined ? id === typeRef.id : state.issueTypes.get(id)?.name === typeRef?.name,
  );
  if (!typeRef) errors.issuetype = JIRA_MESSAGES.specifyIssueType;
  else if (browsable && !issueTypeId) errors.issuetype = JIRA_MESSAGES.issueTypeNotFound;
  if (!browsable || !issueTypeId) return fail(400, [], errors);
  if (!actorCan(actor, browsable, 'CREATE_ISSUES')) return fail(403, [JIRA_MESSAGES.noCreatePermission]);
  const properties = Array.isArray(body.properties) ? body.properties : [];
  for (const property of properties) {
    const problem = isRecord(property)
      ? propertyProblem(String(property.key ?? ''), property.value)
      : JIRA_MESSAGES.propertyValueRequired;
    if (problem) return fail(400, [problem]);
  }
  const folded = foldUpdate([], fields, body.update);
  const result = createIssue(
    services,
    actor,
    browsable,
    issueTypeId,
    folded.fields,
    properties as Array<{ key: string; value: unknown }>,
  );
  if ('errors' in result) return fail(400, [], { ...folded.errors, ...result.errors });
  return result;
}
