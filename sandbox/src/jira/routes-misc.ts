/**
 * Smaller parts of the platform API: entity properties of issue types, users and worklogs (one generic set of
 * four routes each), preferences and locale, project key/name validation, issue events, bulk watching checks,
 * JQL autocomplete data, and issue type alternatives.
 */
import { type ApiContext, type ApiRoute, type ApiServices, bodyRecord, platform } from '../api/context';
import { jiraError } from '../api/errors';
import { isJiraAdmin, type SandboxState } from '../state';
import { allFieldDefinitions } from './fields';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { propertyProblem } from './properties';
import { renderIssueType } from './render';

interface PropertyOwner {
  properties: Map<string, unknown>;
  /** `self` of the owner's property list. */
  self: string;
  mayWrite: boolean;
}

/** GET keys, GET one, PUT and DELETE of an entity's properties under `${path}/{propertyKey}`. */
function propertyRoutes(
  path: string,
  owner: (c: ApiContext) => PropertyOwner | null,
  notFound: (c: ApiContext) => Response,
): ApiRoute[] {
  const one = `${path}/{propertyKey}`;
  return [
    platform('GET', path, (c) => {
      const found = owner(c);
      if (!found) return notFound(c);
      return c.json({
        keys: [...found.properties.keys()].map((key) => ({
          self: `${found.self}/${encodeURIComponent(key)}`,
          key,
        })),
      });
    }),
    platform('GET', one, (c) => {
      const found = owner(c);
      if (!found) return notFound(c);
      const key = c.req.param('propertyKey') ?? '';
      if (!found.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      return c.json({ key, value: found.properties.get(key) });
    }),
    platform('PUT', one, (c) => {
      const found = owner(c);
      if (!found) return notFound(c);
      if (!found.mayWrite) return jiraError(c, 403, [JIRA_MESSAGES.noPropertyPermission]);
      const key = c.req.param('propertyKey') ?? '';
      const problem = propertyProblem(key, c.get('body'));
      if (problem) return jiraError(c, 400, [problem]);
      const existed = found.properties.has(key);
      found.properties.set(key, c.get('body'));
      return c.body(null, existed ? 200 : 201);
    }),
    platform('DELETE', one, (c) => {
      const found = owner(c);
      if (!found) return notFound(c);
      const key = c.req.param('propertyKey') ?? '';
      if (!found.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      if (!found.mayWrite) return jiraError(c, 403, [JIRA_MESSAGES.noPropertyPermission]);
      found.properties.delete(key);
      return c.body(null, 204);
    }),
  ];
}

function propertiesOf(state: SandboxState, key: string): Map<string, unknown> {
  let properties = state.entityProperties.get(key);
  if (!properties) {
    properties = new Map();
    state.entityProperties.set(key, properties);
  }
  return properties;
}

const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;

export function miscRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const api = (c: ApiContext) => c.get('actor').site.apiUrl;
  const preferences = (c: ApiContext) => propertiesOf(state, `preferences:${c.get('actor').user.accountId}`);

  return [
    ...propertyRoutes(
      '/rest/api/3/issuetype/{issueTypeId}/properties',
      (c) => {
        const id = c.req.param('issueTypeId') ?? '';
        if (!state.issueTypes.has(id)) return null;
        return {
          properties: propertiesOf(state, `issuetype:${id}`),
          self: `${api(c)}/rest/api/3/issuetype/${id}/properties`,
          mayWrite: isJiraAdmin(c.get('actor').user, c.get('actor').site.cloudId),
        };
      },
      (c) => jiraError(c, 404, [JIRA_MESSAGES.issueTypeIdNotFound(c.req.param('issueTypeId') ?? '')]),
    ),
    ...propertyRoutes(
      '/rest/api/3/user/properties',
      (c) => {
        const actor = c.get('actor');
        const accountId = c.req.query('accountId') ?? actor.user.accountId;
        const user = state.users.get(accountId);
        if (!user?.siteIds.includes(actor.site.cloudId)) return null;
        return {
          properties: propertiesOf(state, `user:${accountId}`),
          self: `${api(c)}/rest/api/3/user/properties`,
          mayWrite: accountId === actor.user.accountId || isJiraAdmin(actor.user, actor.site.cloudId),
        };
      },
      (c) => jiraError(c, 404, [JIRA_MESSAGES.userNotFound(c.req.query('accountId') ?? '')]),
    ),
    ...propertyRoutes(
      '/rest/api/3/issue/{issueIdOrKey}/worklog/{worklogId}/properties',
      (c) => {
        const actor = c.get('actor');
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        const worklog = state.worklogs.get(c.req.param('worklogId') ?? '');
        if (!found || !worklog || worklog.issueId !== found.issue.id) return null;
        return {
          properties: propertiesOf(state, `worklog:${worklog.id}`),
          self: `${api(c)}/rest/api/3/issue/${found.issue.id}/worklog/${worklog.id}/properties`,
          mayWrite: worklog.authorId === actor.user.accountId || isJiraAdmin(actor.user, actor.site.cloudId),
        };
      },
      (c) => jiraError(c, 404, [JIRA_MESSAGES.worklogNotFound(c.req.param('worklogId') ?? '')]),
    ),
    platform('GET', '/rest/api/3/mypreferences', (c) => {
      const key = c.req.query('key') ?? '';
      const value = preferences(c).get(key);
      if (value === undefined) return jiraError(c, 404, [JIRA_MESSAGES.preferenceNotFound(key)]);
      return c.text(String(value));
    }),
    platform('PUT', '/rest/api/3/mypreferences', (c) => {
      const key = c.req.query('key');
      if (!key) return jiraError(c, 400, [JIRA_MESSAGES.preferenceKeyRequired]);
      preferences(c).set(
        key,
        typeof c.get('body') === 'string' ? c.get('body') : JSON.stringify(c.get('body')),
      );
      return c.body(null, 204);
    }),
    platform('DELETE', '/rest/api/3/mypreferences', (c) => {
      const key = c.req.query('key') ?? '';
      if (!preferences(c).delete(key)) return jiraError(c, 404, [JIRA_MESSAGES.preferenceNotFound(key)]);
      return c.body(null, 204);
    }),
    platform('PUT', '/rest/api/3/mypreferences/locale', (c) => {
      const locale = bodyRecord(c).locale;
      if (typeof locale !== 'string' || !/^[a-z]{2}_[A-Z]{2}$/.test(locale))
        return jiraError(c, 400, [JIRA_MESSAGES.localeInvalid]);
      c.get('actor').user.locale = locale;
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/projectvalidate/key', (c) => {
      const key = c.req.query('key') ?? '';
      const errors: Record<string, string> = {};
      if (!PROJECT_KEY.test(key)) errors.projectKey = JIRA_MESSAGES.projectKeyInvalid;
      else if (
        [...state.projects.values()].some((p) => p.key === key && p.cloudId === c.get('actor').site.cloudId)
      )
        errors.projectKey = JIRA_MESSAGES.projectKeyTaken(key);
      return c.json({ errorMessages: [], errors });
    }),
    platform('GET', '/rest/api/3/projectvalidate/validProjectKey', (c) => {
      const wanted = (c.req.query('key') ?? '')
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .replace(/^[0-9]+/, '');
      const taken = new Set([...state.projects.values()].map((p) => p.key));
      let candidate = (wanted || 'PROJ').slice(0, 10);
      for (let n = 1; taken.has(candidate) || candidate.length < 2; n++)
        candidate = `${(wanted || 'PROJ').slice(0, 9)}${n}`;
      return c.json(candidate);
    }),
    platform('GET', '/rest/api/3/projectvalidate/validProjectName', (c) => {
      const name = c.req.query('name') ?? '';
      const taken = new Set([...state.projects.values()].map((p) => p.name));
      let candidate = name;
      for (let n = 2; taken.has(candidate); n++) candidate = `${name} ${n}`;
      return c.json(candidate);
    }),
    platform('GET', '/rest/api/3/events', (c) =>
      c.json(
        [
          ['1', 'Issue Created'],
          ['2', 'Issue Updated'],
          ['3', 'Issue Assigned'],
          ['4', 'Issue Resolved'],
          ['6', 'Issue Commented'],
          ['8', 'Issue Deleted'],
          ['13', 'Generic Event'],
          ['14', 'Issue Comment Edited'],
          ['15', 'Issue Worklog Updated'],
          ['16', 'Issue Worklog Deleted'],
          ['17', 'Issue Comment Deleted'],
        ].map(([id, name]) => ({ id: Number(id), name })),
      ),
    ),
    platform('POST', '/rest/api/3/issue/watching', (c) => {
      const actor = c.get('actor');
      const ids = bodyRecord(c).issueIds;
      if (!Array.isArray(ids) || ids.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.issueIdsRequired]);
      const issuesIsWatching: Record<string, boolean> = {};
      for (const id of ids.map(String)) {
        const found = visibleIssue(services, actor, id);
        if (found) issuesIsWatching[found.issue.id] = found.issue.watcherIds.includes(actor.user.accountId);
      }
      return c.json({ issuesIsWatching });
    }),
    platform('GET', '/rest/api/3/jql/autocompletedata', (c) => {
      const fields = allFieldDefinitions(state).filter((f) => f.searchable && f.clauseNames.length > 0);
      return c.json({
        visibleFieldNames: fields.map((f) => ({
          value: f.custom ? f.clauseNames[0] : f.id,
          displayName: f.custom ? `${f.name} - ${f.clauseNames[0]}` : f.name,
          orderable: String(f.orderable),
          searchable: String(f.searchable),
          cfid: f.custom ? f.clauseNames[0] : undefined,
          operators: ['=', '!=', 'in', 'not in', 'is', 'is not'],
          types: [f.schema.type],
        })),
        visibleFunctionNames: [
          'currentUser()',
          'now()',
          'startOfDay()',
          'endOfDay()',
          'startOfWeek()',
          'endOfWeek()',
          'startOfMonth()',
          'endOfMonth()',
          'startOfYear()',
          'endOfYear()',
        ].map((value) => ({ value, displayName: value, types: ['java.util.Date'] })),
        jqlReservedWords: [
          'and',
          'or',
          'not',
          'empty',
          'null',
          'order',
          'by',
          'asc',
          'desc',
          'in',
          'is',
          'was',
          'changed',
        ],
      });
    }),
    platform('GET', '/rest/api/3/issuetype/{id}/alternatives', (c) => {
      const type = state.issueTypes.get(c.req.param('id') ?? '');
      if (!type) return jiraError(c, 404, [JIRA_MESSAGES.issueTypeIdNotFound(c.req.param('id') ?? '')]);
      const alternatives = [...state.issueTypes.values()].filter(
        (t) => t.id !== type.id && t.subtask === type.subtask,
      );
      return c.json(alternatives.map((t) => renderIssueType(c.get('actor').site, t)));
    }),
  ];
}
