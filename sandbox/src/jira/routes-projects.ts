/** Project search, one project, and a project's statuses per issue type. */
import { type ApiRoute, type ApiServices, actorCan, intParam, listParam } from '../api/context';
import { jiraError } from '../api/errors';
import type { ProjectRecord } from '../state';
import { visibleProject } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { renderProject, renderStatus } from './render';

const MAX_PAGE = 100;

function projectOrder(orderBy: string): ((a: ProjectRecord, b: ProjectRecord) => number) | null {
  const descending = orderBy.startsWith('-');
  const field = orderBy.replace(/^[-+]/, '');
  if (field !== 'key' && field !== 'name') return null;
  return (a, b) => a[field].localeCompare(b[field]) * (descending ? -1 : 1);
}

export function projectRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/project/search',
      handler: (c) => {
        const actor = c.get('actor');
        const startAt = intParam(c, 'startAt', 0);
        const maxResults = Math.min(intParam(c, 'maxResults', 50), MAX_PAGE);
        if (!(startAt >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidStartAt]);
        if (!(maxResults >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
        const order = projectOrder(c.req.query('orderBy') ?? 'key') ?? projectOrder('key');
        const ids = listParam(c, 'id');
        const keys = listParam(c, 'keys')?.map((k) => k.toUpperCase());
        const typeKeys = listParam(c, 'typeKey');
        const query = c.req.query('query')?.toLowerCase();
        const permission = c.req.query('action') === 'create' ? 'CREATE_ISSUES' : 'BROWSE_PROJECTS';
        const expand = new Set(listParam(c, 'expand') ?? []);
        const matching = [...state.projects.values()]
          .filter(
            (p) =>
              p.cloudId === actor.site.cloudId &&
              actorCan(actor, p, 'BROWSE_PROJECTS') &&
              actorCan(actor, p, permission) &&
              (!ids || ids.includes(p.id)) &&
              (!keys || keys.includes(p.key)) &&
              (!typeKeys || typeKeys.includes(p.projectTypeKey)) &&
              (!query || p.key.toLowerCase().includes(query) || p.name.toLowerCase().includes(query)),
          )
          .sort(order ?? undefined);
        const values = matching.slice(startAt, startAt + maxResults);
        const isLast = startAt + values.length >= matching.length;
        const pageUrl = (from: number) =>
          `${actor.site.apiUrl}/rest/api/3/project/search?startAt=${from}&maxResults=${maxResults}`;
        c.set('returnedObjects', values.length);
        return c.json({
          self: pageUrl(startAt),
          ...(isLast ? {} : { nextPage: pageUrl(startAt + values.length) }),
          maxResults,
          startAt,
          total: matching.length,
          isLast,
          values: values.map((p) => renderProject(state, actor.site, p, expand)),
        });
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}',
      handler: (c) => {
        const actor = c.get('actor');
        const key = c.req.param('projectIdOrKey') ?? '';
        const project = visibleProject(services, actor, key);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(key)]);
        c.set('returnedObjects', 1);
        const expand = new Set([
          'description',
          'lead',
          'issueTypes',
          'url',
          ...(listParam(c, 'expand') ?? []),
        ]);
        return c.json(renderProject(state, actor.site, project, expand));
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}/statuses',
      handler: (c) => {
        const actor = c.get('actor');
        const key = c.req.param('projectIdOrKey') ?? '';
        const project = visibleProject(services, actor, key);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(key)]);
        const statuses = project.workflow.statuses.flatMap((id) => {
          const status = state.statuses.get(id);
          return status ? [renderStatus(actor.site, status)] : [];
        });
        const types = project.issueTypeIds.flatMap((id) => {
          const type = state.issueTypes.get(id);
          return type
            ? [
                {
                  self: `${actor.site.apiUrl}/rest/api/3/issueType/${type.id}`,
                  id: type.id,
                  name: type.name,
                  subtask: type.subtask,
                  statuses,
                },
              ]
            : [];
        });
        c.set('returnedObjects', types.length);
        return c.json(types);
      },
    },
  ];
}
