/**
 * The OAuth scopes each served operation needs, copied from the specs' `x-atlassian-oauth2-scopes`
 * (classic = "Current", granular = "Beta"). A token passes with all classic scopes or all granular ones.
 * test/contract checks this table against the specs.
 */
export interface ScopeRule {
  classic: readonly string[];
  granular: readonly string[];
}

export const ROUTE_SCOPES: Readonly<Record<string, ScopeRule>> = {
  'GET /rest/api/3/issue/{issueIdOrKey}/watchers': {
    classic: ['read:jira-work'],
    granular: ['read:issue.watcher:jira', 'read:user:jira', 'read:avatar:jira'],
  },
  'POST /rest/api/3/issue/{issueIdOrKey}/watchers': {
    classic: ['write:jira-work'],
    granular: ['write:issue.watcher:jira'],
  },
  'PUT /rest/api/3/issue/{issueIdOrKey}/assignee': {
    classic: ['write:jira-work'],
    granular: ['write:issue:jira'],
  },
  'POST /rest/api/3/issue/{issueIdOrKey}/attachments': {
    classic: ['write:jira-work'],
    granular: ['read:user:jira', 'write:attachment:jira', 'read:attachment:jira', 'read:avatar:jira'],
  },
  'GET /rest/api/3/myself': {
    classic: ['read:jira-user'],
    granular: ['read:application-role:jira', 'read:group:jira', 'read:user:jira', 'read:avatar:jira'],
  },
  'GET /rest/api/3/mypermissions': {
    classic: ['read:jira-work'],
    granular: ['read:permission:jira'],
  },
  'GET /rest/api/3/project/search': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-type:jira',
      'read:project:jira',
      'read:project.property:jira',
      'read:user:jira',
      'read:application-role:jira',
      'read:avatar:jira',
      'read:group:jira',
      'read:issue-type-hierarchy:jira',
      'read:project-category:jira',
      'read:project-version:jira',
      'read:project.component:jira',
    ],
  },
  'GET /rest/api/3/project/{projectIdOrKey}': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-type:jira',
      'read:project:jira',
      'read:project.property:jira',
      'read:user:jira',
      'read:application-role:jira',
      'read:avatar:jira',
      'read:group:jira',
      'read:issue-type-hierarchy:jira',
      'read:project-category:jira',
      'read:project-version:jira',
      'read:project.component:jira',
    ],
  },
  'GET /rest/api/3/project/{projectIdOrKey}/statuses': {
    classic: ['read:jira-work'],
    granular: ['read:issue-status:jira', 'read:issue-type:jira', 'read:status:jira'],
  },
  'GET /rest/api/3/search/jql': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-details:jira',
      'read:audit-log:jira',
      'read:avatar:jira',
      'read:field-configuration:jira',
      'read:issue-meta:jira',
    ],
  },
  'POST /rest/api/3/search/jql': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-details:jira',
      'read:field.default-value:jira',
      'read:field.option:jira',
      'read:field:jira',
      'read:group:jira',
    ],
  },
  'GET /rest/api/3/search': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-details:jira',
      'read:audit-log:jira',
      'read:avatar:jira',
      'read:field-configuration:jira',
      'read:issue-meta:jira',
    ],
  },
  'POST /rest/api/3/search': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-details:jira',
      'read:field.default-value:jira',
      'read:field.option:jira',
      'read:field:jira',
      'read:group:jira',
    ],
  },
  'POST /rest/api/3/issue': {
    classic: ['write:jira-work'],
    granular: [
      'write:issue:jira',
      'write:comment:jira',
      'write:comment.property:jira',
      'write:attachment:jira',
      'read:issue:jira',
    ],
  },
  'GET /rest/api/3/issue/createmeta': {
    classic: ['read:jira-work'],
    granular: ['read:issue-meta:jira', 'read:avatar:jira', 'read:field-configuration:jira'],
  },
  'GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes': {
    classic: ['read:jira-work'],
    granular: ['read:issue-meta:jira', 'read:avatar:jira', 'read:field-configuration:jira'],
  },
  'GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}': {
    classic: ['read:jira-work'],
    granular: ['read:issue-meta:jira', 'read:avatar:jira', 'read:field-configuration:jira'],
  },
  'GET /rest/api/3/issue/{issueIdOrKey}': {
    classic: ['read:jira-work'],
    granular: [
      'read:issue-meta:jira',
      'read:issue-security-level:jira',
      'read:issue.vote:jira',
      'read:issue.changelog:jira',
      'read:avatar:jira',
      'read:issue:jira',
      'read:status:jira',
      'read:user:jira',
      'read:field-configuration:jira',
    ],
  },
  'PUT /rest/api/3/issue/{issueIdOrKey}': { classic: ['write:jira-work'], granular: ['write:issue:jira'] },
  'DELETE /rest/api/3/issue/{issueIdOrKey}': {
    classic: ['write:jira-work'],
    granular: ['delete:issue:jira'],
  },
  'GET /rest/api/3/issue/{issueIdOrKey}/transitions': {
    classic: ['read:jira-work'],
    granular: ['read:issue.transition:jira', 'read:status:jira', 'read:field-configuration:jira'],
  },
  'POST /rest/api/3/issue/{issueIdOrKey}/transitions': {
    classic: ['write:jira-work'],
    granular: ['write:issue:jira', 'write:issue.property:jira'],
  },
  'GET /rest/api/3/issue/{issueIdOrKey}/comment': {
    classic: ['read:jira-work'],
    granular: [
      'read:comment:jira',
      'read:comment.property:jira',
      'read:group:jira',
      'read:project:jira',
      'read:project-role:jira',
      'read:user:jira',
      'read:avatar:jira',
    ],
  },
  'POST /rest/api/3/issue/{issueIdOrKey}/comment': {
    classic: ['write:jira-work'],
    granular: [
      'read:comment:jira',
      'read:comment.property:jira',
      'read:group:jira',
      'read:project:jira',
      'read:project-role:jira',
      'read:user:jira',
      'write:comment:jira',
      'read:avatar:jira',
    ],
  },
  'GET /rest/api/3/issue/{issueIdOrKey}/properties': {
    classic: ['read:jira-work'],
    granular: ['read:issue.property:jira'],
  },
  'GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}': {
    classic: ['read:jira-work'],
    granular: ['read:issue.property:jira'],
  },
  'PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}': {
    classic: ['write:jira-work'],
    granular: ['write:issue.property:jira'],
  },
  'DELETE /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}': {
    classic: ['write:jira-work'],
    granular: ['delete:issue.property:jira'],
  },
  'GET /rest/api/3/user/search': {
    classic: ['read:jira-user'],
    granular: [
      'read:user:jira',
      'read:user.property:jira',
      'read:application-role:jira',
      'read:avatar:jira',
      'read:group:jira',
    ],
  },
  'GET /rest/api/3/priority': { classic: ['read:jira-work'], granular: ['read:priority:jira'] },
  'GET /rest/api/3/status': { classic: ['read:jira-work'], granular: ['read:status:jira'] },
  'GET /rest/api/3/field': {
    classic: ['read:jira-work'],
    granular: [
      'read:field:jira',
      'read:avatar:jira',
      'read:project-category:jira',
      'read:project:jira',
      'read:field-configuration:jira',
    ],
  },
  'GET /rest/api/3/attachment/content/{id}': {
    classic: ['read:jira-work'],
    granular: ['read:attachment:jira'],
  },
  'GET /rest/servicedeskapi/servicedesk': {
    classic: ['read:servicedesk-request'],
    granular: ['read:servicedesk:jira-service-management'],
  },
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}': {
    classic: ['read:servicedesk-request'],
    granular: ['read:servicedesk:jira-service-management'],
  },
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype': {
    classic: ['read:servicedesk-request'],
    granular: ['read:requesttype:jira-service-management'],
  },
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}': {
    classic: ['read:servicedesk-request'],
    granular: ['read:requesttype:jira-service-management'],
  },
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field': {
    classic: ['read:servicedesk-request'],
    granular: ['read:requesttype:jira-service-management'],
  },
  'POST /rest/servicedeskapi/request': {
    classic: ['write:servicedesk-request'],
    granular: [
      'read:request:jira-service-management',
      'write:request:jira-service-management',
      'read:user:jira',
    ],
  },
  'GET /rest/servicedeskapi/request/{issueIdOrKey}': {
    classic: ['read:servicedesk-request'],
    granular: ['read:request:jira-service-management', 'read:user:jira'],
  },
  'GET /rest/servicedeskapi/request/{issueIdOrKey}/comment': {
    classic: ['read:servicedesk-request'],
    granular: ['read:request.comment:jira-service-management', 'read:user:jira'],
  },
  'POST /rest/servicedeskapi/request/{issueIdOrKey}/comment': {
    classic: ['write:servicedesk-request'],
    granular: [
      'read:request.comment:jira-service-management',
      'write:request.comment:jira-service-management',
      'read:user:jira',
    ],
  },
};

export function hasScopes(tokenScopes: readonly string[], rule: ScopeRule): boolean {
  const granted = new Set(tokenScopes);
  const all = (required: readonly string[]) => required.length > 0 && required.every((s) => granted.has(s));
  return all(rule.classic) || all(rule.granular);
}
