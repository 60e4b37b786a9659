/** A project's components and versions (list, create, get, update, delete) and project properties. */
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  bodyRecord,
  platform,
} from '../api/context';
import { jiraError } from '../api/errors';
import { type ComponentRecord, nextId, type ProjectRecord, type VersionRecord } from '../state';
import { visibleProject } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { pageBean } from './paging';
import { propertyProblem } from './properties';
import { renderComponent, renderVersion } from './render-parts';
import { holdsPermission } from './routes-people';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function projectPartRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const project = (c: ApiContext, ref: string | undefined) =>
    visibleProject(services, c.get('actor'), ref ?? '');
  const projectNotFound = (c: ApiContext, ref: string | undefined) =>
    jiraError(c, 404, [JIRA_MESSAGES.projectNotFound(ref ?? '')]);
  /** Creating and changing components and versions takes project administration (Jira admins here). */
  const administers = (c: ApiContext, p: ProjectRecord) =>
    holdsPermission(c.get('actor').user, p, 'ADMINISTER') ||
    p.leadAccountId === c.get('actor').user.accountId;
  const components = (p: ProjectRecord) => [...state.components.values()].filter((x) => x.projectId === p.id);
  const versions = (p: ProjectRecord) => [...state.versions.values()].filter((x) => x.projectId === p.id);
  const visibleComponent = (c: ApiContext) => {
    const component = state.components.get(c.req.param('id') ?? '');
    const p = component ? state.projects.get(component.projectId) : undefined;
    return component && p && actorCan(c.get('actor'), p, 'BROWSE_PROJECTS')
      ? { component, project: p }
      : null;
  };
  const visibleVersion = (c: ApiContext) => {
    const version = state.versions.get(c.req.param('id') ?? '');
    const p = version ? state.projects.get(version.projectId) : undefined;
    return version && p && actorCan(c.get('actor'), p, 'BROWSE_PROJECTS') ? { version, project: p } : null;
  };
  const componentNotFound = (c: ApiContext) =>
    jiraError(c, 404, [JIRA_MESSAGES.componentNotFound(c.req.param('id') ?? '')]);
  const versionNotFound = (c: ApiContext) =>
    jiraError(c, 404, [JIRA_MESSAGES.versionNotFound(c.req.param('id') ?? '')]);

  /** Applies component fields from a body; returns Jira's per-field errors. */
  const applyComponent = (
    c: ApiContext,
    target: ComponentRecord,
    p: ProjectRecord,
  ): Record<string, string> => {
    const body = bodyRecord(c);
    const errors: Record<string, string> = {};
    if (body.name !== undefined) {
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (!name) errors.name = JIRA_MESSAGES.componentNameRequired;
      else if (components(p).some((x) => x.id !== target.id && x.name.toLowerCase() === name.toLowerCase()))
        errors.name = JIRA_MESSAGES.componentNameTaken(name);
      else target.name = name;
    }
    if (typeof body.description === 'string') target.description = body.description;
    if (body.leadAccountId !== undefined) {
      const lead = typeof body.leadAccountId === 'string' ? state.users.get(body.leadAccountId) : undefined;
      if (body.leadAccountId === null) target.leadAccountId = null;
      else if (!lead) errors.leadAccountId = JIRA_MESSAGES.userNotFound(String(body.leadAccountId));
      else target.leadAccountId = lead.accountId;
    }
    return errors;
  };
  const applyVersion = (c: ApiContext, target: VersionRecord, p: ProjectRecord): Record<string, string> => {
    const body = bodyRecord(c);
    const errors: Record<string, string> = {};
    if (body.name !== undefined) {
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (!name) errors.name = JIRA_MESSAGES.versionNameRequired;
      else if (versions(p).some((x) => x.id !== target.id && x.name.toLowerCase() === name.toLowerCase()))
        errors.name = JIRA_MESSAGES.versionNameTaken(name);
      else target.name = name;
    }
    if (typeof body.description === 'string') target.description = body.description;
    if (typeof body.released === 'boolean') target.released = body.released;
    if (typeof body.archived === 'boolean') target.archived = body.archived;
    for (const key of ['releaseDate', 'startDate'] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (value === null) target[key] = null;
      else if (typeof value !== 'string' || !DATE.test(value))
        errors[key] = JIRA_MESSAGES.invalidDate(String(value));
      else target[key] = value;
    }
    return errors;
  };

  return [
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/components', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const all = components(p);
      c.set('returnedObjects', all.length);
      return c.json(all.map((x) => renderComponent(state, c.get('actor').site, x)));
    }),
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/component', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const query = c.req.query('query')?.toLowerCase();
      const all = components(p).filter((x) => !query || x.name.toLowerCase().includes(query));
      return pageBean(c, all, (x) => {
        // `ComponentWithIssueCount` has no leadAccountId.
        const { leadAccountId: _lead, ...component } = renderComponent(state, c.get('actor').site, x);
        return { ...component, issueCount: countIssues('componentIds', x.id) };
      });
    }),
    platform('POST', '/rest/api/3/component', (c) => {
      const body = bodyRecord(c);
      const p = project(c, typeof body.project === 'string' ? body.project : String(body.projectId ?? ''));
      if (!p) return jiraError(c, 400, [], { project: JIRA_MESSAGES.specifyProject });
      if (!administers(c, p)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      if (typeof body.name !== 'string')
        return jiraError(c, 400, [], { name: JIRA_MESSAGES.componentNameRequired });
      const component: ComponentRecord = {
        id: nextId(state),
        projectId: p.id,
        name: '',
        description: '',
        leadAccountId: null,
      };
      const errors = applyComponent(c, component, p);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      state.components.set(component.id, component);
      return c.json(renderComponent(state, c.get('actor').site, component), 201);
    }),
    platform('GET', '/rest/api/3/component/{id}', (c) => {
      const found = visibleComponent(c);
      if (!found) return componentNotFound(c);
      c.set('returnedObjects', 1);
      return c.json(renderComponent(state, c.get('actor').site, found.component));
    }),
    platform('PUT', '/rest/api/3/component/{id}', (c) => {
      const found = visibleComponent(c);
      if (!found) return componentNotFound(c);
      if (!administers(c, found.project)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      const draft = { ...found.component };
      const errors = applyComponent(c, draft, found.project);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      Object.assign(found.component, draft);
      return c.json(renderComponent(state, c.get('actor').site, found.component));
    }),
    platform('DELETE', '/rest/api/3/component/{id}', (c) => {
      const found = visibleComponent(c);
      if (!found) return componentNotFound(c);
      if (!administers(c, found.project)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      const moveTo = c.req.query('moveIssuesTo');
      for (const issue of state.issues.values()) {
        if (!issue.componentIds.includes(found.component.id)) continue;
        issue.componentIds = issue.componentIds.filter((id) => id !== found.component.id);
        if (moveTo && state.components.has(moveTo) && !issue.componentIds.includes(moveTo))
          issue.componentIds.push(moveTo);
      }
      state.components.delete(found.component.id);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/component/{id}/relatedIssueCounts', (c) => {
      const found = visibleComponent(c);
      if (!found) return componentNotFound(c);
      return c.json({
        self: `${c.get('actor').site.apiUrl}/rest/api/3/component/${found.component.id}`,
        issueCount: countIssues('componentIds', found.component.id),
      });
    }),
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/versions', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const all = versions(p);
      c.set('returnedObjects', all.length);
      return c.json(all.map((v) => renderVersion(c.get('actor').site, v)));
    }),
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/version', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const query = c.req.query('query')?.toLowerCase();
      const statuses = c.req.query('status')?.split(',');
      const all = versions(p).filter(
        (v) =>
          (!query || v.name.toLowerCase().includes(query) || v.description.toLowerCase().includes(query)) &&
          (!statuses || statuses.includes(v.archived ? 'archived' : v.released ? 'released' : 'unreleased')),
      );
      return pageBean(c, all, (v) => renderVersion(c.get('actor').site, v));
    }),
    platform('POST', '/rest/api/3/version', (c) => {
      const body = bodyRecord(c);
      const p = project(
        c,
        body.projectId !== undefined ? String(body.projectId) : String(body.project ?? ''),
      );
      if (!p) return jiraError(c, 400, [], { project: JIRA_MESSAGES.specifyProject });
      if (!administers(c, p)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      if (typeof body.name !== 'string')
        return jiraError(c, 400, [], { name: JIRA_MESSAGES.versionNameRequired });
      const version: VersionRecord = {
        id: nextId(state),
        projectId: p.id,
        name: '',
        description: '',
        released: false,
        archived: false,
        releaseDate: null,
        startDate: null,
      };
      const errors = applyVersion(c, version, p);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      state.versions.set(version.id, version);
      return c.json(renderVersion(c.get('actor').site, version), 201);
    }),
    platform('GET', '/rest/api/3/version/{id}', (c) => {
      const found = visibleVersion(c);
      if (!found) return versionNotFound(c);
      c.set('returnedObjects', 1);
      return c.json(renderVersion(c.get('actor').site, found.version));
    }),
    platform('PUT', '/rest/api/3/version/{id}', (c) => {
      const found = visibleVersion(c);
      if (!found) return versionNotFound(c);
      if (!administers(c, found.project)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      const draft = { ...found.version };
      const errors = applyVersion(c, draft, found.project);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      Object.assign(found.version, draft);
      return c.json(renderVersion(c.get('actor').site, found.version));
    }),
    platform('DELETE', '/rest/api/3/version/{id}', (c) => {
      const found = visibleVersion(c);
      if (!found) return versionNotFound(c);
      if (!administers(c, found.project)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      for (const issue of state.issues.values()) {
        issue.fixVersionIds = issue.fixVersionIds.filter((id) => id !== found.version.id);
        issue.versionIds = issue.versionIds.filter((id) => id !== found.version.id);
      }
      state.versions.delete(found.version.id);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/version/{id}/relatedIssueCounts', (c) => {
      const found = visibleVersion(c);
      if (!found) return versionNotFound(c);
      return c.json({
        self: `${c.get('actor').site.apiUrl}/rest/api/3/version/${found.version.id}`,
        issuesFixedCount: countIssues('fixVersionIds', found.version.id),
        issuesAffectedCount: countIssues('versionIds', found.version.id),
        issueCountWithCustomFieldsShowingVersion: 0,
      });
    }),
    platform('GET', '/rest/api/3/version/{id}/unresolvedIssueCount', (c) => {
      const found = visibleVersion(c);
      if (!found) return versionNotFound(c);
      const fixed = [...state.issues.values()].filter((i) => i.fixVersionIds.includes(found.version.id));
      return c.json({
        self: `${c.get('actor').site.apiUrl}/rest/api/3/version/${found.version.id}`,
        issuesCount: fixed.length,
        issuesUnresolvedCount: fixed.filter((i) => i.resolutionDate === null).length,
      });
    }),
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/properties', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const keys = [...p.properties.keys()];
      c.set('returnedObjects', keys.length);
      return c.json({
        keys: keys.map((key) => ({
          self: `${c.get('actor').site.apiUrl}/rest/api/3/project/${p.id}/properties/${encodeURIComponent(key)}`,
          key,
        })),
      });
    }),
    platform('GET', '/rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const key = c.req.param('propertyKey') ?? '';
      if (!p.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      c.set('returnedObjects', 1);
      return c.json({ key, value: p.properties.get(key) });
    }),
    platform('PUT', '/rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      if (!administers(c, p)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      const key = c.req.param('propertyKey') ?? '';
      const problem = propertyProblem(key, c.get('body'));
      if (problem) return jiraError(c, 400, [problem]);
      const existed = p.properties.has(key);
      p.properties.set(key, c.get('body'));
      return c.body(null, existed ? 200 : 201);
    }),
    platform('DELETE', '/rest/api/3/project/{projectIdOrKey}/properties/{propertyKey}', (c) => {
      const p = project(c, c.req.param('projectIdOrKey'));
      if (!p) return projectNotFound(c, c.req.param('projectIdOrKey'));
      const key = c.req.param('propertyKey') ?? '';
      if (!p.properties.has(key)) return jiraError(c, 404, [JIRA_MESSAGES.propertyNotFound(key)]);
      if (!administers(c, p)) return jiraError(c, 403, [JIRA_MESSAGES.projectAdminRequired]);
      p.properties.delete(key);
      return c.body(null, 204);
    }),
  ];

  function countIssues(field: 'componentIds' | 'fixVersionIds' | 'versionIds', id: string): number {
    let count = 0;
    for (const issue of state.issues.values()) if (issue[field].includes(id)) count++;
    return count;
  }
}
