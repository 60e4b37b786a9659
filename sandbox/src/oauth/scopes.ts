/** OAuth scopes the sandbox knows: Jira/JSM classic scopes (with consent-screen wording) and granular ones. */

export const CLASSIC_SCOPES: Readonly<Record<string, string>> = {
  'read:jira-user': 'View user profiles',
  'read:jira-work': 'View Jira issue data',
  'write:jira-work': 'Create and manage issues',
  'manage:jira-project': 'Manage project settings',
  'manage:jira-configuration': 'Manage Jira global settings',
  'manage:jira-webhook': 'Manage Jira webhooks',
  'manage:jira-data-provider': 'Manage development and release information for third parties in Jira',
  'read:servicedesk-request': 'View Jira Service Management request data',
  'write:servicedesk-request': 'Create and manage Jira Service Management requests',
  'manage:servicedesk-customer': 'Manage Jira Service Management customers and organizations',
  'read:knowledgebase:jira-service-management': 'View knowledge base articles',
  'read:me': 'View your user profile',
  'read:account': 'View user profiles (identity)',
  offline_access: 'Maintain access to data you have given it access to (refresh tokens)',
};

/** Granular scopes look like `read:issue:jira` or `write:request:jira-service-management`. */
const GRANULAR_SCOPE =
  /^(read|write|delete|manage):[a-z0-9.-]+:(jira|jira-software|jira-service-management)$/;

export function isKnownScope(scope: string): boolean {
  return scope in CLASSIC_SCOPES || GRANULAR_SCOPE.test(scope);
}

export function describeScope(scope: string): string {
  return CLASSIC_SCOPES[scope] ?? scope;
}

/** Space-separated (OAuth) or comma-separated; empty entries dropped, order kept, duplicates removed. */
export function parseScopeParam(raw: string): string[] {
  return [...new Set(raw.split(/[\s,]+/).filter((s) => s.length > 0))];
}
