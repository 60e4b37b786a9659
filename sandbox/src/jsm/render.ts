/** JSM representations: paged DTOs, service desks, request types and fields, customer requests, comments. */
import { adfToText } from '../adf';
import { customFieldDefinition } from '../jira/fields';
import { avatarUrls } from '../jira/render';
import type { SeedRequestType } from '../seed-types';
import type {
  CommentRecord,
  IssueRecord,
  ProjectRecord,
  SandboxState,
  SiteRecord,
  UserRecord,
} from '../state';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** JSM's `DateDTO`: the same instant in four spellings (UTC). */
export function dateDto(ms: number) {
  const d = new Date(ms);
  const iso = d.toISOString();
  const hour12 = d.getUTCHours() % 12 || 12;
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  const year = String(d.getUTCFullYear()).slice(2);
  return {
    iso8601: `${iso.slice(0, 19)}+0000`,
    jira: iso.replace('Z', '+0000'),
    friendly: `${day}/${MONTHS[d.getUTCMonth()]}/${year} ${hour12}:${minutes} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`,
    epochMillis: ms,
  };
}

export function pagedDto<T>(site: SiteRecord, path: string, all: T[], start: number, limit: number) {
  const values = all.slice(start, start + limit);
  const isLastPage = start + values.length >= all.length;
  const url = (from: number) => `${site.apiUrl}${path}?start=${from}&limit=${limit}`;
  return {
    size: values.length,
    start,
    limit,
    isLastPage,
    _links: {
      base: site.apiUrl,
      context: '',
      self: url(start),
      ...(isLastPage ? {} : { next: url(start + values.length) }),
      ...(start > 0 ? { prev: url(Math.max(0, start - limit)) } : {}),
    },
    values,
  };
}

export function userDto(site: SiteRecord, user: UserRecord) {
  const self = `${site.apiUrl}/rest/api/2/user?accountId=${encodeURIComponent(user.accountId)}`;
  return {
    accountId: user.accountId,
    ...(user.email && user.accountType === 'atlassian' ? { emailAddress: user.email } : {}),
    displayName: user.displayName,
    active: true,
    timeZone: user.timeZone,
    _links: {
      jiraRest: self,
      avatarUrls: avatarUrls(
        `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${user.accountId}`,
      ),
      self,
    },
  };
}

export function serviceDeskDto(site: SiteRecord, project: ProjectRecord) {
  const id = project.serviceDesk?.id ?? '';
  return {
    id,
    projectId: project.id,
    projectName: project.name,
    projectKey: project.key,
    projectTypeKey: project.projectTypeKey,
    _links: { self: `${site.apiUrl}/rest/servicedeskapi/servicedesk/${id}` },
  };
}

const SYSTEM_FIELD_NAMES: Record<string, string> = {
  summary: 'Summary',
  description: 'Description',
  duedate: 'Due date',
};

/** The portal label of a request type field: its own label, else the field's name. */
export function fieldLabel(state: SandboxState, requestField: SeedRequestType['fields'][number]): string {
  return (
    requestField.label ??
    state.customFields.get(requestField.fieldId)?.name ??
    SYSTEM_FIELD_NAMES[requestField.fieldId] ??
    requestField.fieldId
  );
}

const SYSTEM_SCHEMAS: Record<string, { type: string; system: string }> = {
  summary: { type: 'string', system: 'summary' },
  description: { type: 'string', system: 'description' },
  duedate: { type: 'date', system: 'duedate' },
};

export function requestTypeFieldDtos(state: SandboxState, requestType: SeedRequestType) {
  return requestType.fields.map((field) => {
    const custom = state.customFields.get(field.fieldId);
    return {
      fieldId: field.fieldId,
      name: fieldLabel(state, field),
      description: field.description ?? '',
      required: field.required,
      visible: true,
      validValues: (custom?.options ?? []).map((o) => ({ value: o.id, label: o.value, children: [] })),
      defaultValues: [],
      presetValues: [],
      jiraSchema: custom ? customFieldDefinition(custom).schema : SYSTEM_SCHEMAS[field.fieldId],
    };
  });
}

export function requestTypeDto(
  state: SandboxState,
  site: SiteRecord,
  project: ProjectRecord,
  requestType: SeedRequestType,
  canCreate: boolean,
  withFields: { canRaiseOnBehalfOf: boolean } | null,
) {
  const serviceDeskId = project.serviceDesk?.id ?? '';
  const icon = `${site.apiUrl}/rest/api/2/universal_avatar/view/type/SD_REQTYPE/avatar/${requestType.id}`;
  return {
    _expands: ['field'],
    id: requestType.id,
    _links: {
      self: `${site.apiUrl}/rest/servicedeskapi/servicedesk/${serviceDeskId}/requesttype/${requestType.id}`,
    },
    name: requestType.name,
    description: requestType.description,
    helpText: requestType.helpText ?? '',
    issueTypeId: requestType.issueTypeId,
    serviceDeskId,
    portalId: serviceDeskId,
    groupIds: ['1'],
    icon: { id: requestType.id, _links: { iconUrls: avatarUrls(icon) } },
    restrictionStatus: 'OPEN' as const,
    canCreateRequest: canCreate,
    ...(withFields
      ? {
          fields: {
            requestTypeFields: requestTypeFieldDtos(state, requestType),
            canRaiseOnBehalfOf: withFields.canRaiseOnBehalfOf,
            canAddRequestParticipants: withFields.canRaiseOnBehalfOf,
          },
        }
      : {}),
  };
}

const CATEGORY_NAMES = { new: 'NEW', indeterminate: 'INDETERMINATE', done: 'DONE' } as const;

export function customerRequestDto(
  state: SandboxState,
  site: SiteRecord,
  project: ProjectRecord,
  issue: IssueRecord,
  requestType: SeedRequestType,
) {
  const status = state.statuses.get(issue.statusId);
  const reporter = state.users.get(issue.reporterId);
  const fieldValue = (fieldId: string): unknown => {
    if (fieldId === 'summary') return issue.summary;
    if (fieldId === 'description') return adfToText(issue.description);
    if (fieldId === 'duedate') return issue.duedate;
    return issue.customFields[fieldId] ?? null;
  };
  return {
    _expands: [
      'participant',
      'status',
      'sla',
      'requestType',
      'serviceDesk',
      'attachment',
      'action',
      'comment',
    ],
    issueId: issue.id,
    issueKey: issue.key,
    summary: issue.summary,
    requestTypeId: requestType.id,
    serviceDeskId: project.serviceDesk?.id ?? '',
    createdDate: dateDto(issue.created),
    ...(reporter ? { reporter: userDto(site, reporter) } : {}),
    requestFieldValues: requestType.fields.map((f) => ({
      fieldId: f.fieldId,
      label: fieldLabel(state, f),
      value: fieldValue(f.fieldId),
    })),
    currentStatus: {
      status: status?.name ?? '',
      statusCategory: status ? CATEGORY_NAMES[status.category] : ('UNDEFINED' as const),
      statusDate: dateDto(issue.statusChanged),
    },
    _links: {
      jiraRest: `${site.apiUrl}/rest/api/2/issue/${issue.id}`,
      web: `${site.url}/servicedesk/customer/portal/${project.serviceDesk?.id ?? ''}/${issue.key}`,
      agent: `${site.url}/browse/${issue.key}`,
      self: `${site.apiUrl}/rest/servicedeskapi/request/${issue.id}`,
    },
  };
}

export function commentDto(
  state: SandboxState,
  site: SiteRecord,
  issue: IssueRecord,
  comment: CommentRecord,
) {
  const author = state.users.get(comment.authorId);
  return {
    id: comment.id,
    body: adfToText(comment.body),
    public: comment.jsdPublic,
    ...(author ? { author: userDto(site, author) } : {}),
    created: dateDto(comment.created),
    _links: { self: `${site.apiUrl}/rest/servicedeskapi/request/${issue.id}/comment/${comment.id}` },
  };
}
