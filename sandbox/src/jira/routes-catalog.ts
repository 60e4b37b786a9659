/**
 * Site-wide reference data: issue types, resolutions, priorities, statuses and categories, labels, project types,
 * the project list and recent projects, paginated fields, server info, configuration, locale, and the issue picker.
 */
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  listParam,
  platform,
} from '../api/context';
import { jiraError } from '../api/errors';
import type { ProjectRecord } from '../state';
import { allFieldDefinitions, renderFieldDetails } from './fields';
import { visibleProject } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { pageBean } from './paging';
import { renderIssueType, renderPriority, renderProject, renderStatus, renderStatusCategory } from './render';
import { RESOLUTIONS, renderResolution } from './render-parts';

const PROJECT_TYPES = [
  {
    key: 'software',
    formattedKey: 'Software',
    color: '#F5A623',
    descriptionI18nKey: 'jira.project.type.software.description',
  },
  {
    key: 'service_desk',
    formattedKey: 'Service Desk',
    color: '#67AB49',
    descriptionI18nKey: 'jira.project.type.servicedesk.description.jsm',
  },
  {
    key: 'business',
    formattedKey: 'Business',
    color: '#1D8832',
    descriptionI18nKey: 'jira.project.type.business.description',
  },
];

/** Jira's build the sandbox claims to be (a recent Cloud build). */
const SERVER_VERSION = { version: '1001.0.0-SNAPSHOT', versionNumbers: [1001, 0, 0], buildNumber: 100254 };

export function catalogRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const browsable = (c: ApiContext) => {
    const actor = c.get('actor');
    return [...state.projects.values()].filter(
      (p) => p.cloudId === actor.site.cloudId && actorCan(actor, p, 'BROWSE_PROJECTS'),
    );
  };
  /** Issue types of the projects the caller can browse (Jira shows only those). */
  const visibleTypes = (c: ApiContext, projects: ProjectRecord[] = browsable(c)) => {
    const ids = new Set(projects.flatMap((p) => p.issueTypeIds));
    return [...state.issueTypes.values()].filter((t) => ids.has(t.id));
  };
  const statusCategoryKeys = ['new', 'indeterminate', 'done'] as const;
  const categoryIds: Record<string, string> = { new: '2', indeterminate: '4', done: '3' };

  return [
    platform('GET', '/rest/api/3/issuetype', (c) => {
      const types = visibleTypes(c);
      c.set('returnedObjects', types.length);
      return c.json(types.map((t) => renderIssueType(c.get('actor').site, t)));
    }),
    platform('GET', '/rest/api/3/issuetype/project', (c) => {
      const id = c.req.query('projectId');
      if (!id) return jiraError(c, 400, [JIRA_MESSAGES.projectIdRequired]);
      const project = visibleProject(services, c.get('actor'), id);
      if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(id)]);
      const types = visibleTypes(c, [project]);
      c.set('returnedObjects', types.length);
      return c.json(types.map((t) => renderIssueType(c.get('actor').site, t)));
    }),
    platform('GET', '/rest/api/3/issuetype/{id}', (c) => {
      const type = visibleTypes(c).find((t) => t.id === c.req.param('id'));
      if (!type) return jiraError(c, 404, [JIRA_MESSAGES.issueTypeIdNotFound(c.req.param('id') ?? '')]);
      c.set('returnedObjects', 1);
      return c.json(renderIssueType(c.get('actor').site, type));
    }),
    platform('GET', '/rest/api/3/resolution', (c) => {
      c.set('returnedObjects', RESOLUTIONS.length);
      return c.json(RESOLUTIONS.map((r) => renderResolution(c.get('actor').site, r)));
    }),
    platform('GET', '/rest/api/3/resolution/search', (c) => {
      const ids = listParam(c, 'id');
      const all = RESOLUTIONS.filter((r) => !ids || ids.includes(r.id));
      const onlyDefault = c.req.query('onlyDefault') === 'true';
      return pageBean(c, onlyDefault ? all.slice(0, 1) : all, (r) =>
        renderResolution(c.get('actor').site, r),
      );
    }),
    platform('GET', '/rest/api/3/resolution/{id}', (c) => {
      const resolution = RESOLUTIONS.find((r) => r.id === c.req.param('id'));
      if (!resolution) return jiraError(c, 404, [JIRA_MESSAGES.resolutionNotFound(c.req.param('id') ?? '')]);
      return c.json(renderResolution(c.get('actor').site, resolution));
    }),
    platform('GET', '/rest/api/3/priority/search', (c) => {
      const ids = listParam(c, 'id');
      const name = c.req.query('priorityName')?.toLowerCase();
      const onlyDefault = c.req.query('onlyDefault') === 'true';
      const all = [...state.priorities.values()].filter(
        (p) =>
          (!ids || ids.includes(p.id)) &&
          (!name || p.name.toLowerCase().includes(name)) &&
          (!onlyDefault || p.isDefault),
      );
      return pageBean(c, all, (p) => ({ ...renderPriority(c.get('actor').site, p), schemes: undefined }));
    }),
    platform('GET', '/rest/api/3/priority/{id}', (c) => {
      const priority = state.priorities.get(c.req.param('id') ?? '');
      if (!priority) return jiraError(c, 404, [JIRA_MESSAGES.priorityNotFound(c.req.param('id') ?? '')]);
      return c.json(renderPriority(c.get('actor').site, priority));
    }),
    platform('GET', '/rest/api/3/status/{idOrName}', (c) => {
      const ref = (c.req.param('idOrName') ?? '').toLowerCase();
      const status = [...state.statuses.values()].find((s) => s.id === ref || s.name.toLowerCase() === ref);
      if (!status) return jiraError(c, 404, [JIRA_MESSAGES.statusNotFound(c.req.param('idOrName') ?? '')]);
      c.set('returnedObjects', 1);
      return c.json(renderStatus(c.get('actor').site, status));
    }),
    platform('GET', '/rest/api/3/statuscategory', (c) =>
      c.json(statusCategoryKeys.map((k) => renderStatusCategory(c.get('actor').site, k))),
    ),
    platform('GET', '/rest/api/3/statuscategory/{idOrKey}', (c) => {
      const ref = c.req.param('idOrKey') ?? '';
      const key = statusCategoryKeys.find((k) => k === ref || categoryIds[k] === ref);
      if (!key) return jiraError(c, 404, [JIRA_MESSAGES.statusCategoryNotFound(ref)]);
      return c.json(renderStatusCategory(c.get('actor').site, key));
    }),
    platform('GET', '/rest/api/3/statuses/search', (c) => {
      const projectId = c.req.query('projectId');
      const text = c.req.query('searchString')?.toLowerCase();
      const category = c.req.query('statusCategory')?.toUpperCase();
      const inProject = projectId ? visibleProject(services, c.get('actor'), projectId) : null;
      if (projectId && !inProject) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(projectId)]);
      const all = [...state.statuses.values()].filter(
        (s) =>
          (!inProject || inProject.workflow.statuses.includes(s.id)) &&
          (!text || s.name.toLowerCase().includes(text)) &&
          (!category || { new: 'TODO', indeterminate: 'IN_PROGRESS', done: 'DONE' }[s.category] === category),
      );
      return pageBean(c, all, (s) => ({
        id: s.id,
        name: s.name,
        description: s.description,
        statusCategory: { new: 'TODO', indeterminate: 'IN_PROGRESS', done: 'DONE' }[s.category],
        scope: { type: 'GLOBAL' },
      }));
    }),
    platform('GET', '/rest/api/3/label', (c) => {
      const labels = [
        ...new Set(
          [...state.issues.values()]
            .filter((i) => i.cloudId === c.get('actor').site.cloudId)
            .flatMap((i) => i.labels),
        ),
      ].sort();
      return pageBean(c, labels, (l) => l, 1000);
    }),
    platform('GET', '/rest/api/3/project/type', (c) => c.json(PROJECT_TYPES)),
    platform('GET', '/rest/api/3/project/type/accessible', (c) => c.json(PROJECT_TYPES)),
    platform('GET', '/rest/api/3/project/type/{projectTypeKey}', (c) => {
      const type = PROJECT_TYPES.find((t) => t.key === c.req.param('projectTypeKey'));
      if (!type)
        return jiraError(c, 404, [JIRA_MESSAGES.projectTypeNotFound(c.req.param('projectTypeKey') ?? '')]);
      return c.json(type);
    }),
    platform('GET', '/rest/api/3/project/type/{projectTypeKey}/accessible', (c) => {
      const type = PROJECT_TYPES.find((t) => t.key === c.req.param('projectTypeKey'));
      if (!type)
        return jiraError(c, 404, [JIRA_MESSAGES.projectTypeNotFound(c.req.param('projectTypeKey') ?? '')]);
      return c.json(type);
    }),
    platform('GET', '/rest/api/3/project', (c) => {
      const expand = new Set(listParam(c, 'expand') ?? []);
      const projects = browsable(c);
      c.set('returnedObjects', projects.length);
      return c.json(projects.map((p) => renderProject(state, c.get('actor').site, p, expand)));
    }),
    platform('GET', '/rest/api/3/project/recent', (c) => {
      // Recent = projects of the issues the caller touched last, newest first; else every browsable project.
      const actor = c.get('actor');
      const expand = new Set(listParam(c, 'expand') ?? []);
      const projects = browsable(c).sort((a, b) => lastTouched(b) - lastTouched(a));
      function lastTouched(p: ProjectRecord): number {
        let latest = 0;
        for (const i of state.issues.values())
          if (
            i.projectId === p.id &&
            (i.reporterId === actor.user.accountId || i.assigneeId === actor.user.accountId)
          )
            latest = Math.max(latest, i.updated);
        return latest;
      }
      const recent = projects.slice(0, 20);
      c.set('returnedObjects', recent.length);
      return c.json(recent.map((p) => renderProject(state, actor.site, p, expand)));
    }),
    platform('GET', '/rest/api/3/project/{projectId}/hierarchy', (c) => {
      const project = visibleProject(services, c.get('actor'), c.req.param('projectId') ?? '');
      if (!project) return jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(c.req.param('projectId') ?? '')]);
      const types = project.issueTypeIds.flatMap((id) => state.issueTypes.get(id) ?? []);
      const levels = [...new Set(types.map((t) => (t.subtask ? -1 : t.hierarchyLevel)))].sort(
        (a, b) => b - a,
      );
      return c.json({
        projectId: Number(project.id),
        hierarchy: levels.map((level) => ({
          entityId: `00000000-0000-4000-8000-${String(1000 + level).padStart(12, '0')}`,
          level,
          name: level === -1 ? 'Subtask' : level === 0 ? 'Base' : 'Epic',
          issueTypes: types
            .filter((t) => (t.subtask ? -1 : t.hierarchyLevel) === level)
            .map((t) => ({
              id: Number(t.id),
              name: t.name,
              avatarId: Number(t.id),
            })),
        })),
      });
    }),
    platform('GET', '/rest/api/3/field/search', (c) => {
      const ids = listParam(c, 'id');
      const query = c.req.query('query')?.toLowerCase();
      const type = c.req.query('type');
      const fields = allFieldDefinitions(state).filter(
        (f) =>
          (!ids || ids.includes(f.id)) &&
          (!query || f.name.toLowerCase().includes(query) || f.id.includes(query)) &&
          (!type || (type === 'custom') === f.custom),
      );
      // The `Field` representation: no clause names or flags, but lock and screen facts.
      return pageBean(c, fields, (f) => ({
        id: f.id,
        key: renderFieldDetails(f).key,
        name: f.name,
        schema: f.schema,
        description: '',
        isLocked: !f.custom,
        isUnscreenable: false,
        ...(f.custom ? { searcherKey: `${f.schema.custom}searcher` } : {}),
        screensCount: 1,
        contextsCount: 1,
        projectsCount: 0,
      }));
    }),
    platform('GET', '/rest/api/3/serverInfo', (c) => {
      const site = c.get('actor').site;
      return c.json({
        baseUrl: site.url,
        displayUrl: site.url,
        ...SERVER_VERSION,
        deploymentType: 'Cloud',
        buildDate: '2026-11-01T00:00:00.000+0000',
        serverTime: new Date(services.now()).toISOString().replace('Z', '+0000'),
        scmInfo: 'sandbox',
        serverTitle: 'Jira',
        serverTimeZone: 'Etc/UTC',
      });
    }),
    platform('GET', '/rest/api/3/configuration', (c) =>
      c.json({
        attachmentsEnabled: true,
        issueLinkingEnabled: true,
        subTasksEnabled: true,
        timeTrackingEnabled: true,
        unassignedIssuesAllowed: true,
        votingEnabled: true,
        watchingEnabled: true,
        timeTrackingConfiguration: {
          defaultUnit: 'minute',
          timeFormat: 'pretty',
          workingDaysPerWeek: 5,
          workingHoursPerDay: 8,
        },
      }),
    ),
    platform('GET', '/rest/api/3/mypreferences/locale', (c) =>
      c.json({ locale: c.get('actor').user.locale }),
    ),
    platform('GET', '/rest/api/3/issue/picker', (c) => {
      const actor = c.get('actor');
      const query = (c.req.query('query') ?? '').toLowerCase();
      const current = c.req.query('currentIssueKey')?.toUpperCase();
      const projects = new Set(browsable(c).map((p) => p.id));
      const issues = [...state.issues.values()]
        .filter(
          (i) =>
            projects.has(i.projectId) &&
            i.key !== current &&
            (i.key.toLowerCase().includes(query) || i.summary.toLowerCase().includes(query)),
        )
        .sort((a, b) => b.updated - a.updated)
        .slice(0, 20);
      c.set('returnedObjects', issues.length);
      return c.json({
        sections: [
          {
            id: 'cs',
            label: 'Current Search',
            sub: `Showing ${issues.length} of ${issues.length} matching issues`,
            issues: issues.map((i) => ({
              id: Number(i.id),
              key: i.key,
              keyHtml: i.key,
              summary: i.summary,
              summaryText: i.summary,
              img: `${actor.site.apiUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${i.issueTypeId}?size=medium`,
            })),
          },
        ],
      });
    }),
  ];
}
