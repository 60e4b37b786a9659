/** The exact scopes every Jira OAuth authorization asks for (9 Jira/JSM scopes plus offline_access). */
export const JIRA_OAUTH_SCOPES = [
  'read:jira-user',
  'read:jira-work',
  'write:jira-work',
  'manage:jira-project',
  'manage:jira-configuration',
  'manage:jira-webhook',
  'read:servicedesk-request',
  'write:servicedesk-request',
  'manage:servicedesk-customer',
  'offline_access',
] as const;

/**
 * The spec's subdomain: lower-case letters, digits and hyphens, not starting or ending with a hyphen, 1 to 63
 * characters (a DNS label). Nothing is rewritten: `acme.atlassian.net`, a URL or `ACME` are refused, so the
 * site stored is exactly the one typed.
 */
export const SUBDOMAIN_PATTERN = /^(?=.{1,63}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The subdomain validator the server and the connect modal share. */
export function isValidSubdomain(value: string): boolean {
  return SUBDOMAIN_PATTERN.test(value);
}

/** What is wrong with a typed site, if anything: the one rule the server and the connect modal share. */
export function subdomainProblem(value: string): 'required' | 'invalid' | undefined {
  if (!value.trim()) return 'required';
  return isValidSubdomain(value) ? undefined : 'invalid';
}

/** Headers a workflow sends to the proxy to opt into the Forge service account and impersonation. */
export const USE_CONNECT_AUTH_HEADER = 'x-use-connect-auth';
export const AS_JIRA_USER_HEADER = 'x-as-jira-user';

/** Refresh a token when fewer than this many milliseconds of validity remain. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long a user has to finish the Atlassian consent screen. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
