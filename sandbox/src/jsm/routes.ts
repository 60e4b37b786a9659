/** Jira Service Management: service desks, request types and their fields, customer requests, comments. */
import { adfProblem, textToAdf } from '../adf';
import {
  type ApiActor,
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  intParam,
  isRecord,
  listParam,
} from '../api/context';
import { jsmError } from '../api/errors';
import { addComment, createIssue } from '../jira/issue-write';
import { visibleIssue } from '../jira/lookup';
import type { SeedRequestType } from '../seed-types';
import type { ProjectRecord } from '../state';
import { JSM_MESSAGES } from './messages';
import {
  commentDto,
  customerRequestDto,
  fieldLabel,
  pagedDto,
  requestTypeDto,
  serviceDeskDto,
} from './render';
import { jsmCustomerRoutes } from './routes-customers';
import { jsmRequestRoutes } from './routes-requests';

type Problem = { message: string; key: string };

export function fail(c: ApiContext, status: 400 | 403 | 404 | 409, problem: Problem): Response {
  return jsmError(c, status, problem.message, problem.key);
}

/** Agents can edit issues in the desk's project; customers (portal users) can only browse it. */
export function isAgent(actor: ApiActor, project: ProjectRecord): boolean {
  return actorCan(actor, project, 'EDIT_ISSUES');
}

export function paging(c: ApiContext): { start: number; limit: number } | null {
  const start = intParam(c, 'start', 0);
  const limit = Math.min(intParam(c, 'limit', 50), 100);
  return start >= 0 && limit >= 0 ? { start, limit } : null;
}

/** Turns a portal value into the Jira field value, or a problem. */
function fieldValue(
  services: ApiServices,
  field: SeedRequestType['fields'][number],
  label: string,
  value: unknown,
  isAdfRequest: boolean,
): { value: unknown } | Problem {
  const custom = services.state.customFields.get(field.fieldId);
  if (custom?.options) {
    const wanted = isRecord(value) ? value : { id: value };
    const option = custom.options.find((o) =>
      wanted.id !== undefined ? o.id === String(wanted.id) : o.value === wanted.value,
    );
    return option ? { value: { id: option.id } } : JSM_MESSAGES.fieldInvalid(label);
  }
  if (field.fieldId === 'description' && isAdfRequest) {
    return adfProblem(value) === null ? { value } : JSM_MESSAGES.fieldInvalid(label);
  }
  if (typeof value !== 'string') return JSM_MESSAGES.fieldInvalid(label);
  if (field.fieldId === 'duedate' || custom?.type === 'date') {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? { value } : JSM_MESSAGES.fieldInvalid(label);
  }
  return { value: field.fieldId === 'description' ? textToAdf(value) : value };
}

/** Finding desks, request types and requests the way JSM does for the caller. */
export function jsmLookups(services: ApiServices) {
  const { state } = services;

  const visibleDesks = (actor: ApiActor) =>
    [...state.projects.values()].filter(
      (p) =>
        p.cloudId === actor.site.cloudId && p.serviceDesk !== null && actorCan(actor, p, 'BROWSE_PROJECTS'),
    );
  const deskById = (actor: ApiActor, id: string) => visibleDesks(actor).find((p) => p.serviceDesk?.id === id);
  const requestTypeOf = (project: ProjectRecord, id: string) =>
    project.serviceDesk?.requestTypes.find((rt) => rt.id === id);
  const deskAndType = (c: ApiContext) => {
    const actor = c.get('actor');
    const deskId = c.req.param('serviceDeskId') ?? '';
    const project = deskById(actor, deskId);
    if (!project) return { error: fail(c, 404, JSM_MESSAGES.serviceDeskNotFound(deskId)) };
    const typeId = c.req.param('requestTypeId') ?? '';
    const requestType = requestTypeOf(project, typeId);
    if (!requestType) return { error: fail(c, 404, JSM_MESSAGES.requestTypeNotFound(typeId)) };
    return { error: null, actor, project, requestType };
  };
  /** A request is an issue of a service desk project that was raised through a request type. */
  const visibleRequest = (c: ApiContext, param = 'issueIdOrKey') => {
    const actor = c.get('actor');
    const key = c.req.param(param) ?? '';
    const found = visibleIssue(services, actor, key);
    const requestType =
      found?.issue.requestTypeId != null
        ? requestTypeOf(found.project, found.issue.requestTypeId)
        : undefined;
    if (!found || !requestType) return { error: fail(c, 404, JSM_MESSAGES.requestNotFound(key)) };
    return { error: null, actor, ...found, requestType };
  };

  return { visibleDesks, deskById, requestTypeOf, deskAndType, visibleRequest };
}

export function jsmRoutes(services: ApiServices): ApiRoute[] {
  return [...jsmCoreRoutes(services), ...jsmRequestRoutes(services), ...jsmCustomerRoutes(services)];
}

function jsmCoreRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const { visibleDesks, deskById, requestTypeOf, deskAndType, visibleRequest } = jsmLookups(services);

  return [
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/servicedesk',
      handler: (c) => {
        const page = paging(c);
        if (!page) return fail(c, 400, JSM_MESSAGES.invalidPaging);
        const actor = c.get('actor');
        const desks = visibleDesks(actor).map((p) => serviceDeskDto(actor.site, p));
        const body = pagedDto(actor.site, '/rest/servicedeskapi/servicedesk', desks, page.start, page.limit);
        c.set('returnedObjects', body.size);
        return c.json(body);
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}',
      handler: (c) => {
        const actor = c.get('actor');
        const deskId = c.req.param('serviceDeskId') ?? '';
        const project = deskById(actor, deskId);
        if (!project) return fail(c, 404, JSM_MESSAGES.serviceDeskNotFound(deskId));
        c.set('returnedObjects', 1);
        return c.json(serviceDeskDto(actor.site, project));
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype',
      handler: (c) => {
        const actor = c.get('actor');
        const deskId = c.req.param('serviceDeskId') ?? '';
        const project = deskById(actor, deskId);
        if (!project) return fail(c, 404, JSM_MESSAGES.serviceDeskNotFound(deskId));
        const page = paging(c);
        if (!page) return fail(c, 400, JSM_MESSAGES.invalidPaging);
        const query = c.req.query('searchQuery')?.toLowerCase();
        const withFields = (listParam(c, 'expand') ?? []).includes('field');
        const agent = isAgent(actor, project);
        const types = (project.serviceDesk?.requestTypes ?? [])
          .filter((rt) => !query || rt.name.toLowerCase().includes(query))
          .map((rt) =>
            requestTypeDto(
              state,
              actor.site,
              project,
              rt,
              true,
              withFields ? { canRaiseOnBehalfOf: agent } : null,
            ),
          );
        const body = pagedDto(
          actor.site,
          `/rest/servicedeskapi/servicedesk/${deskId}/requesttype`,
          types,
          page.start,
          page.limit,
        );
        c.set('returnedObjects', body.size);
        return c.json(body);
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
      handler: (c) => {
        const found = deskAndType(c);
        if (found.error) return found.error;
        const { actor, project, requestType } = found;
        const withFields = (listParam(c, 'expand') ?? []).includes('field');
        c.set('returnedObjects', 1);
        return c.json(
          requestTypeDto(
            state,
            actor.site,
            project,
            requestType,
            true,
            withFields ? { canRaiseOnBehalfOf: isAgent(actor, project) } : null,
          ),
        );
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
      handler: (c) => {
        const found = deskAndType(c);
        if (found.error) return found.error;
        const { actor, project, requestType } = found;
        const dto = requestTypeDto(state, actor.site, project, requestType, true, {
          canRaiseOnBehalfOf: isAgent(actor, project),
        });
        c.set('returnedObjects', requestType.fields.length);
        return c.json(dto.fields);
      },
    },
    {
      api: 'jsm',
      method: 'POST',
      path: '/rest/servicedeskapi/request',
      handler: (c) => {
        const actor = c.get('actor');
        const body = c.get('body');
        if (!isRecord(body) || body.serviceDeskId === undefined)
          return fail(c, 400, JSM_MESSAGES.serviceDeskIdRequired);
        if (body.requestTypeId === undefined) return fail(c, 400, JSM_MESSAGES.requestTypeIdRequired);
        const deskId = String(body.serviceDeskId);
        const project = deskById(actor, deskId);
        if (!project) return fail(c, 400, JSM_MESSAGES.serviceDeskNotFound(deskId));
        const requestType = requestTypeOf(project, String(body.requestTypeId));
        if (!requestType) return fail(c, 400, JSM_MESSAGES.requestTypeNotFound(String(body.requestTypeId)));
        const values = body.requestFieldValues ?? {};
        if (!isRecord(values)) return fail(c, 400, JSM_MESSAGES.fieldValuesRequired);

        let reporterId = actor.user.accountId;
        if (body.raiseOnBehalfOf !== undefined) {
          if (!isAgent(actor, project)) return fail(c, 403, JSM_MESSAGES.raiseOnBehalfForbidden);
          const wanted = String(body.raiseOnBehalfOf);
          const customer = [...state.users.values()].find(
            (u) => (u.accountId === wanted || u.email === wanted) && u.siteIds.includes(project.cloudId),
          );
          if (!customer) return fail(c, 400, JSM_MESSAGES.userNotFound(wanted));
          reporterId = customer.accountId;
        }

        const labels = new Map(requestType.fields.map((f) => [f.fieldId, fieldLabel(state, f)] as const));
        for (const fieldId of Object.keys(values)) {
          if (!labels.has(fieldId)) return fail(c, 400, JSM_MESSAGES.fieldUnknown(fieldId));
        }
        const fields: Record<string, unknown> = { reporter: { accountId: reporterId } };
        for (const field of requestType.fields) {
          const label = labels.get(field.fieldId) ?? field.fieldId;
          const raw = values[field.fieldId];
          if (raw === undefined || raw === null || raw === '') {
            if (field.required) return fail(c, 400, JSM_MESSAGES.fieldRequired(label));
            continue;
          }
          const converted = fieldValue(services, field, label, raw, body.isAdfRequest === true);
          if ('message' in converted) return fail(c, 400, converted);
          fields[field.fieldId] = converted.value;
        }
        const result = createIssue(services, actor, project, requestType.issueTypeId, fields, [], {
          requestTypeId: requestType.id,
        });
        if ('errors' in result) {
          const [fieldId] = Object.keys(result.errors);
          return fail(c, 400, JSM_MESSAGES.fieldInvalid(labels.get(fieldId) ?? fieldId));
        }
        return c.json(customerRequestDto(state, actor.site, project, result.issue, requestType), 201);
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/request/{issueIdOrKey}',
      handler: (c) => {
        const found = visibleRequest(c);
        if (found.error) return found.error;
        c.set('returnedObjects', 1);
        return c.json(
          customerRequestDto(state, found.actor.site, found.project, found.issue, found.requestType),
        );
      },
    },
    {
      api: 'jsm',
      method: 'GET',
      path: '/rest/servicedeskapi/request/{issueIdOrKey}/comment',
      handler: (c) => {
        const found = visibleRequest(c);
        if (found.error) return found.error;
        const page = paging(c);
        if (!page) return fail(c, 400, JSM_MESSAGES.invalidPaging);
        const { actor, issue, project } = found;
        const wantPublic = c.req.query('public') !== 'false';
        // Customers never see internal comments, whatever they ask for.
        const wantInternal = c.req.query('internal') !== 'false' && isAgent(actor, project);
        const comments = issue.commentIds
          .flatMap((id) => state.comments.get(id) ?? [])
          .filter((comment) => (comment.jsdPublic ? wantPublic : wantInternal))
          .map((comment) => commentDto(state, actor.site, issue, comment));
        const body = pagedDto(
          actor.site,
          `/rest/servicedeskapi/request/${issue.id}/comment`,
          comments,
          page.start,
          page.limit,
        );
        c.set('returnedObjects', body.size);
        return c.json(body);
      },
    },
    {
      api: 'jsm',
      method: 'POST',
      path: '/rest/servicedeskapi/request/{issueIdOrKey}/comment',
      handler: (c) => {
        const found = visibleRequest(c);
        if (found.error) return found.error;
        const { actor, issue, project } = found;
        const body = c.get('body');
        const text = isRecord(body) && typeof body.body === 'string' ? body.body : '';
        if (text.trim().length === 0) return fail(c, 400, JSM_MESSAGES.commentBodyRequired);
        const isPublic = !(isRecord(body) && body.public === false);
        if (!actorCan(actor, project, 'ADD_COMMENTS')) return fail(c, 403, JSM_MESSAGES.commentForbidden);
        if (!isPublic && !isAgent(actor, project)) return fail(c, 403, JSM_MESSAGES.internalCommentForbidden);
        const comment = addComment(services, actor, issue, textToAdf(text), isPublic);
        return c.json(commentDto(state, actor.site, issue, comment), 201);
      },
    },
  ];
}
