/** Reference data: priorities, statuses, fields, and create metadata. */
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  intParam,
  listParam,
} from '../api/context';
import { jiraError } from '../api/errors';
import { projectByKeyOrId } from '../state';
import { createMetaFields, createMetaIssueType } from './createmeta';
import { allFieldDefinitions, renderFieldDetails } from './fields';
import { JIRA_MESSAGES } from './messages';
import { projectAvatarUrls, renderPriority, renderStatus } from './render';

export function metaRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const creatableProject = (c: ApiContext, key: string) => {
    const actor = c.get('actor');
    const project = projectByKeyOrId(state, actor.site.cloudId, key);
    return project && actorCan(actor, project, 'BROWSE_PROJECTS') && actorCan(actor, project, 'CREATE_ISSUES')
      ? project
      : null;
  };
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/priority',
      handler: (c) => {
        const priorities = [...state.priorities.values()];
        c.set('returnedObjects', priorities.length);
        return c.json(priorities.map((p) => renderPriority(c.get('actor').site, p)));
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/status',
      handler: (c) => {
        const statuses = [...state.statuses.values()];
        c.set('returnedObjects', statuses.length);
        return c.json(statuses.map((s) => renderStatus(c.get('actor').site, s)));
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/field',
      handler: (c) => {
        const fields = allFieldDefinitions(state);
        c.set('returnedObjects', fields.length);
        return c.json(fields.map(renderFieldDetails));
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/createmeta',
      handler: (c) => {
        const actor = c.get('actor');
        const projectIds = listParam(c, 'projectIds');
        const projectKeys = listParam(c, 'projectKeys')?.map((k) => k.toUpperCase());
        const typeIds = listParam(c, 'issuetypeIds');
        const typeNames = listParam(c, 'issuetypeNames');
        const withFields = (listParam(c, 'expand') ?? []).includes('projects.issuetypes.fields');
        const projects = [...state.projects.values()].filter(
          (p) =>
            p.cloudId === actor.site.cloudId &&
            actorCan(actor, p, 'BROWSE_PROJECTS') &&
            actorCan(actor, p, 'CREATE_ISSUES') &&
            (!projectIds || projectIds.includes(p.id)) &&
            (!projectKeys || projectKeys.includes(p.key)),
        );
        c.set('returnedObjects', projects.length);
        return c.json({
          expand: 'projects',
          projects: projects.map((p) => ({
            expand: 'issuetypes',
            self: `${actor.site.apiUrl}/rest/api/3/project/${p.id}`,
            id: p.id,
            key: p.key,
            name: p.name,
            avatarUrls: projectAvatarUrls(actor.site, p),
            issuetypes: p.issueTypeIds
              .filter(
                (id) =>
                  (!typeIds || typeIds.includes(id)) &&
                  (!typeNames || typeNames.includes(state.issueTypes.get(id)?.name ?? '')),
              )
              .flatMap((id) => createMetaIssueType(state, actor.site, p, id, withFields) ?? []),
          })),
        });
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes',
      handler: (c) => {
        const key = c.req.param('projectIdOrKey') ?? '';
        const project = creatableProject(c, key);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(key)]);
        const startAt = intParam(c, 'startAt', 0);
        const maxResults = intParam(c, 'maxResults', 50);
        if (!(startAt >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidStartAt]);
        if (!(maxResults >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
        const all = project.issueTypeIds.flatMap(
          (id) => createMetaIssueType(state, c.get('actor').site, project, id, false) ?? [],
        );
        const issueTypes = all.slice(startAt, startAt + maxResults);
        c.set('returnedObjects', issueTypes.length);
        return c.json({ maxResults, startAt, total: all.length, issueTypes });
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
      handler: (c) => {
        const key = c.req.param('projectIdOrKey') ?? '';
        const issueTypeId = c.req.param('issueTypeId') ?? '';
        const project = creatableProject(c, key);
        if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(key)]);
        if (!project.issueTypeIds.includes(issueTypeId)) {
          return jiraError(c, 404, [JIRA_MESSAGES.issueTypeNotInProject(issueTypeId, project.key)]);
        }
        const startAt = intParam(c, 'startAt', 0);
        const maxResults = intParam(c, 'maxResults', 50);
        if (!(startAt >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidStartAt]);
        if (!(maxResults >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
        const all = createMetaFields(state, c.get('actor').site, project, issueTypeId);
        const fields = all.slice(startAt, startAt + maxResults);
        c.set('returnedObjects', fields.length);
        return c.json({ maxResults, startAt, total: all.length, fields });
      },
    },
  ];
}
