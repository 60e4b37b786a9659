/**
 * JSM administration a sync or workflow engine uses: customers (create, list, add, remove), organizations (with
 * members and properties) and their service desks, queues and their issues, all request types, request type
 * groups and request type properties. Managing customers takes an agent (or a Jira admin for site-wide ones).
 */
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  bodyRecord,
  jsm,
  listParam,
} from '../api/context';
import { fieldSelector } from '../jira/fields';
import { renderIssue } from '../jira/issue-view';
import { compileJql, parseJql } from '../jira/jql';
import { propertyProblem } from '../jira/properties';
import { isJiraAdmin, nextId, type OrganizationRecord, type ProjectRecord, type UserRecord } from '../state';
import { JSM_MESSAGES } from './messages';
import { pagedDto, requestTypeDto, userDto } from './render';
import { fail, isAgent, jsmLookups, paging } from './routes';

/** The queues every desk has here, as JQL (JSM's default queues). */
const QUEUES = [
  { id: '1', name: 'All open', jql: 'statusCategory != Done ORDER BY created DESC' },
  {
    id: '2',
    name: 'Assigned to me',
    jql: 'assignee = currentUser() AND statusCategory != Done ORDER BY created DESC',
  },
  {
    id: '3',
    name: 'Unassigned issues',
    jql: 'assignee is EMPTY AND statusCategory != Done ORDER BY created DESC',
  },
] as const;

export function jsmCustomerRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const { visibleDesks, deskById } = jsmLookups(services);
  const site = (c: ApiContext) => c.get('actor').site;
  const page = <T>(c: ApiContext, path: string, all: T[]) => {
    const p = paging(c);
    if (!p) return fail(c, 400, JSM_MESSAGES.invalidPaging);
    const body = pagedDto(site(c), path, all, p.start, p.limit);
    c.set('returnedObjects', body.size);
    return c.json(body);
  };
  const desk = (c: ApiContext) => {
    const project = deskById(c.get('actor'), c.req.param('serviceDeskId') ?? '');
    return project?.serviceDesk ? { project, desk: project.serviceDesk } : null;
  };
  const deskNotFound = (c: ApiContext) =>
    fail(c, 404, JSM_MESSAGES.serviceDeskNotFound(c.req.param('serviceDeskId') ?? ''));
  const organization = (c: ApiContext) => state.organizations.get(c.req.param('organizationId') ?? '');
  const orgNotFound = (c: ApiContext) =>
    fail(c, 404, JSM_MESSAGES.organizationNotFound(c.req.param('organizationId') ?? ''));
  const orgDto = (c: ApiContext, o: OrganizationRecord) => ({
    id: o.id,
    name: o.name,
    scimManaged: false,
    _links: { self: `${site(c).apiUrl}/rest/servicedeskapi/organization/${o.id}` },
  });
  const mayManage = (c: ApiContext, project?: ProjectRecord) =>
    isJiraAdmin(c.get('actor').user, c.get('actor').site.cloudId) ||
    (project !== undefined && isAgent(c.get('actor'), project));
  const accountIds = (c: ApiContext): string[] | null => {
    const ids = bodyRecord(c).accountIds;
    return Array.isArray(ids) && ids.length > 0 && ids.every((id) => typeof id === 'string')
      ? (ids as string[])
      : null;
  };
  const siteUsers = (c: ApiContext, ids: string[]) => {
    const users = ids.map((id) => state.users.get(id));
    const missing = ids.find((id) => !state.users.get(id)?.siteIds.includes(site(c).cloudId));
    return missing ? { missing } : { users: users as UserRecord[] };
  };
  const requestTypeKey = (c: ApiContext) => `${c.req.param('serviceDeskId')}/${c.req.param('requestTypeId')}`;
  const requestType = (c: ApiContext) => {
    const found = desk(c);
    return found?.desk.requestTypes.find((rt) => rt.id === c.req.param('requestTypeId')) ? found : null;
  };

  return [
    jsm('POST', '/rest/servicedeskapi/customer', (c) => {
      if (
        !isJiraAdmin(c.get('actor').user, c.get('actor').site.cloudId) &&
        !visibleDesks(c.get('actor')).some((p) => isAgent(c.get('actor'), p))
      )
        return fail(c, 403, JSM_MESSAGES.customerAdminRequired);
      const body = bodyRecord(c);
      const email = typeof body.email === 'string' ? body.email.trim() : '';
      const displayName = typeof body.displayName === 'string' ? body.displayName : body.fullName;
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) return fail(c, 400, JSM_MESSAGES.customerEmailInvalid);
      if ([...state.users.values()].some((u) => u.email?.toLowerCase() === email.toLowerCase()))
        return fail(c, 400, JSM_MESSAGES.customerExists(email));
      const user: UserRecord = {
        accountId: `qm:${nextId(state)}`,
        displayName: typeof displayName === 'string' && displayName.trim() ? displayName : email,
        email,
        accountType: 'customer',
        siteIds: [site(c).cloudId],
        appAccess: true,
        timeZone: 'UTC',
        locale: 'en_US',
        projectPermissions: {},
        groups: [],
        administerSiteIds: [],
      };
      state.users.set(user.accountId, user);
      return c.json(userDto(site(c), user), 201);
    }),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/customer', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      if (!mayManage(c, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      const query = c.req.query('query')?.toLowerCase();
      const customers = found.desk.customerIds
        .flatMap((id) => state.users.get(id) ?? [])
        .filter(
          (u) =>
            !query || u.displayName.toLowerCase().includes(query) || u.email?.toLowerCase().includes(query),
        );
      return page(
        c,
        `/rest/servicedeskapi/servicedesk/${found.desk.id}/customer`,
        customers.map((u) => userDto(site(c), u)),
      );
    }),
    ...(['POST', 'DELETE'] as const).map((method) =>
      jsm(method, '/rest/servicedeskapi/servicedesk/{serviceDeskId}/customer', (c) => {
        const found = desk(c);
        if (!found) return deskNotFound(c);
        if (!mayManage(c, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
        const ids = accountIds(c);
        if (!ids) return fail(c, 400, JSM_MESSAGES.accountIdsRequired);
        const users = siteUsers(c, ids);
        if ('missing' in users) return fail(c, 400, JSM_MESSAGES.userNotFound(users.missing ?? ''));
        found.desk.customerIds =
          method === 'POST'
            ? [...new Set([...found.desk.customerIds, ...ids])]
            : found.desk.customerIds.filter((id) => !ids.includes(id));
        return c.body(null, 204);
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/organization', (c) => {
      const accountId = c.req.query('accountId');
      const orgs = [...state.organizations.values()].filter(
        (o) => !accountId || o.memberIds.includes(accountId),
      );
      return page(
        c,
        '/rest/servicedeskapi/organization',
        orgs.map((o) => orgDto(c, o)),
      );
    }),
    jsm('POST', '/rest/servicedeskapi/organization', (c) => {
      if (
        !mayManage(
          c,
          visibleDesks(c.get('actor')).find((p) => isAgent(c.get('actor'), p)),
        )
      )
        return fail(c, 403, JSM_MESSAGES.customerAdminRequired);
      const name = bodyRecord(c).name;
      if (typeof name !== 'string' || !name.trim())
        return fail(c, 400, JSM_MESSAGES.organizationNameRequired);
      if ([...state.organizations.values()].some((o) => o.name.toLowerCase() === name.trim().toLowerCase()))
        return fail(c, 400, JSM_MESSAGES.organizationExists(name.trim()));
      const org: OrganizationRecord = {
        id: nextId(state),
        name: name.trim(),
        memberIds: [],
        properties: new Map(),
      };
      state.organizations.set(org.id, org);
      return c.json(orgDto(c, org), 201);
    }),
    jsm('GET', '/rest/servicedeskapi/organization/{organizationId}', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      return c.json(orgDto(c, org));
    }),
    jsm('DELETE', '/rest/servicedeskapi/organization/{organizationId}', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      if (!isJiraAdmin(c.get('actor').user, c.get('actor').site.cloudId))
        return fail(c, 403, JSM_MESSAGES.customerAdminRequired);
      state.organizations.delete(org.id);
      for (const project of state.projects.values())
        if (project.serviceDesk)
          project.serviceDesk.organizationIds = project.serviceDesk.organizationIds.filter(
            (id) => id !== org.id,
          );
      return c.body(null, 204);
    }),
    jsm('GET', '/rest/servicedeskapi/organization/{organizationId}/user', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      const users = org.memberIds.flatMap((id) => state.users.get(id) ?? []);
      return page(
        c,
        `/rest/servicedeskapi/organization/${org.id}/user`,
        users.map((u) => userDto(site(c), u)),
      );
    }),
    ...(['POST', 'DELETE'] as const).map((method) =>
      jsm(method, '/rest/servicedeskapi/organization/{organizationId}/user', (c) => {
        const org = organization(c);
        if (!org) return orgNotFound(c);
        if (
          !mayManage(
            c,
            visibleDesks(c.get('actor')).find((p) => isAgent(c.get('actor'), p)),
          )
        )
          return fail(c, 403, JSM_MESSAGES.customerAdminRequired);
        const ids = accountIds(c);
        if (!ids) return fail(c, 400, JSM_MESSAGES.accountIdsRequired);
        const users = siteUsers(c, ids);
        if ('missing' in users) return fail(c, 400, JSM_MESSAGES.userNotFound(users.missing ?? ''));
        org.memberIds =
          method === 'POST'
            ? [...new Set([...org.memberIds, ...ids])]
            : org.memberIds.filter((id) => !ids.includes(id));
        return c.body(null, 204);
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/organization/{organizationId}/property', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      return c.json({
        keys: [...org.properties.keys()].map((key) => ({
          self: `${site(c).apiUrl}/rest/servicedeskapi/organization/${org.id}/property/${encodeURIComponent(key)}`,
          key,
        })),
      });
    }),
    jsm('GET', '/rest/servicedeskapi/organization/{organizationId}/property/{propertyKey}', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      const key = c.req.param('propertyKey') ?? '';
      if (!org.properties.has(key)) return fail(c, 404, JSM_MESSAGES.propertyNotFound(key));
      return c.json({ key, value: org.properties.get(key) });
    }),
    jsm('PUT', '/rest/servicedeskapi/organization/{organizationId}/property/{propertyKey}', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      const key = c.req.param('propertyKey') ?? '';
      const problem = propertyProblem(key, c.get('body'));
      if (problem) return fail(c, 400, { message: problem, key: 'sd.property.invalid' });
      const existed = org.properties.has(key);
      org.properties.set(key, c.get('body'));
      return c.body(null, existed ? 200 : 201);
    }),
    jsm('DELETE', '/rest/servicedeskapi/organization/{organizationId}/property/{propertyKey}', (c) => {
      const org = organization(c);
      if (!org) return orgNotFound(c);
      const key = c.req.param('propertyKey') ?? '';
      if (!org.properties.delete(key)) return fail(c, 404, JSM_MESSAGES.propertyNotFound(key));
      return c.body(null, 204);
    }),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/organization', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      const orgs = found.desk.organizationIds.flatMap((id) => state.organizations.get(id) ?? []);
      return page(
        c,
        `/rest/servicedeskapi/servicedesk/${found.desk.id}/organization`,
        orgs.map((o) => orgDto(c, o)),
      );
    }),
    ...(['POST', 'DELETE'] as const).map((method) =>
      jsm(method, '/rest/servicedeskapi/servicedesk/{serviceDeskId}/organization', (c) => {
        const found = desk(c);
        if (!found) return deskNotFound(c);
        if (!mayManage(c, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
        const id = String(bodyRecord(c).organizationId ?? '');
        if (!state.organizations.has(id)) return fail(c, 404, JSM_MESSAGES.organizationNotFound(id));
        found.desk.organizationIds =
          method === 'POST'
            ? [...new Set([...found.desk.organizationIds, id])]
            : found.desk.organizationIds.filter((o) => o !== id);
        return c.body(null, 204);
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/queue', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      if (!isAgent(c.get('actor'), found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      const withCount = c.req.query('includeCount') === 'true';
      return page(
        c,
        `/rest/servicedeskapi/servicedesk/${found.desk.id}/queue`,
        QUEUES.map((q) => queueDto(c, found.project, q, withCount)),
      );
    }),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/queue/{queueId}', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      if (!isAgent(c.get('actor'), found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      const queue = QUEUES.find((q) => q.id === c.req.param('queueId'));
      if (!queue) return fail(c, 404, JSM_MESSAGES.queueNotFound(c.req.param('queueId') ?? ''));
      return c.json(queueDto(c, found.project, queue, c.req.query('includeCount') === 'true'));
    }),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/queue/{queueId}/issue', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      if (!isAgent(c.get('actor'), found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      const queue = QUEUES.find((q) => q.id === c.req.param('queueId'));
      if (!queue) return fail(c, 404, JSM_MESSAGES.queueNotFound(c.req.param('queueId') ?? ''));
      const actor = c.get('actor');
      const issues = queueIssues(c, found.project, queue).map((issue) =>
        renderIssue(state, actor.site, issue, {
          fields: fieldSelector(['*navigable'], 'none'),
          viewerId: actor.user.accountId,
        }),
      );
      return page(c, `/rest/servicedeskapi/servicedesk/${found.desk.id}/queue/${queue.id}/issue`, issues);
    }),
    jsm('GET', '/rest/servicedeskapi/requesttype', (c) => {
      const actor = c.get('actor');
      const query = c.req.query('searchQuery')?.toLowerCase();
      const deskIds = listParam(c, 'serviceDeskId');
      const types = visibleDesks(actor)
        .filter((p) => !deskIds || deskIds.includes(p.serviceDesk?.id ?? ''))
        .flatMap((p) =>
          (p.serviceDesk?.requestTypes ?? [])
            .filter((rt) => !query || rt.name.toLowerCase().includes(query))
            .map((rt) => requestTypeDto(state, actor.site, p, rt, actorCan(actor, p, 'CREATE_ISSUES'), null)),
        );
      return page(c, '/rest/servicedeskapi/requesttype', types);
    }),
    jsm('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttypegroup', (c) => {
      const found = desk(c);
      if (!found) return deskNotFound(c);
      return page(c, `/rest/servicedeskapi/servicedesk/${found.desk.id}/requesttypegroup`, [
        { id: '1', name: 'General' },
      ]);
    }),
    jsm(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/property',
      (c) => {
        if (!requestType(c))
          return fail(c, 404, JSM_MESSAGES.requestTypeNotFound(c.req.param('requestTypeId') ?? ''));
        const properties = state.requestTypeProperties.get(requestTypeKey(c)) ?? new Map();
        return c.json({
          keys: [...properties.keys()].map((key) => ({
            self: `${site(c).apiUrl}/rest/servicedeskapi/servicedesk/${requestTypeKey(c).replace('/', '/requesttype/')}/property/${encodeURIComponent(key)}`,
            key,
          })),
        });
      },
    ),
    jsm(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/property/{propertyKey}',
      (c) => {
        if (!requestType(c))
          return fail(c, 404, JSM_MESSAGES.requestTypeNotFound(c.req.param('requestTypeId') ?? ''));
        const key = c.req.param('propertyKey') ?? '';
        const properties = state.requestTypeProperties.get(requestTypeKey(c));
        if (!properties?.has(key)) return fail(c, 404, JSM_MESSAGES.propertyNotFound(key));
        return c.json({ key, value: properties.get(key) });
      },
    ),
    jsm(
      'PUT',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/property/{propertyKey}',
      (c) => {
        const found = requestType(c);
        if (!found) return fail(c, 404, JSM_MESSAGES.requestTypeNotFound(c.req.param('requestTypeId') ?? ''));
        if (!mayManage(c, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
        const key = c.req.param('propertyKey') ?? '';
        const problem = propertyProblem(key, c.get('body'));
        if (problem) return fail(c, 400, { message: problem, key: 'sd.property.invalid' });
        const properties = state.requestTypeProperties.get(requestTypeKey(c)) ?? new Map<string, unknown>();
        state.requestTypeProperties.set(requestTypeKey(c), properties);
        const existed = properties.has(key);
        properties.set(key, c.get('body'));
        return c.body(null, existed ? 200 : 201);
      },
    ),
    jsm(
      'DELETE',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/property/{propertyKey}',
      (c) => {
        const found = requestType(c);
        if (!found) return fail(c, 404, JSM_MESSAGES.requestTypeNotFound(c.req.param('requestTypeId') ?? ''));
        if (!mayManage(c, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
        const key = c.req.param('propertyKey') ?? '';
        if (!state.requestTypeProperties.get(requestTypeKey(c))?.delete(key))
          return fail(c, 404, JSM_MESSAGES.propertyNotFound(key));
        return c.body(null, 204);
      },
    ),
  ];

  function queueIssues(c: ApiContext, project: ProjectRecord, queue: (typeof QUEUES)[number]) {
    const actor = c.get('actor');
    const compiled = compileJql(parseJql(`project = ${project.key} AND ${queue.jql}`), {
      state,
      cloudId: actor.site.cloudId,
      currentAccountId: actor.user.accountId,
      now: services.now(),
      canBrowse: (id) => id === project.id,
    });
    return [...state.issues.values()]
      .filter((i) => i.projectId === project.id && compiled.matches(i))
      .sort(compiled.compare);
  }

  function queueDto(
    c: ApiContext,
    project: ProjectRecord,
    queue: (typeof QUEUES)[number],
    withCount: boolean,
  ) {
    return {
      id: queue.id,
      name: queue.name,
      jql: `project = ${project.key} AND ${queue.jql}`,
      fields: ['issuetype', 'issuekey', 'summary', 'reporter', 'assignee', 'status', 'created'],
      ...(withCount ? { issueCount: queueIssues(c, project, queue).length } : {}),
      _links: {
        self: `${site(c).apiUrl}/rest/servicedeskapi/servicedesk/${project.serviceDesk?.id ?? ''}/queue/${queue.id}`,
      },
    };
  }
}
