/** Every message the Jira proxy answers with itself (Jira's own answers pass through unchanged). */

/** The Jira site paths the proxy forwards; everything else is refused. */
export const PROXY_ALLOWED_PREFIXES = [
  'rest/api/3/',
  'rest/api/2/',
  'rest/agile/1.0/',
  'rest/servicedeskapi/',
  'forms/',
] as const;

export const proxyMessages = {
  pathNotAllowed: (path: string) =>
    `The proxy only forwards Jira API paths starting with ${PROXY_ALLOWED_PREFIXES.join(', ')} (got "${path.slice(0, 200)}").`,
  formsOtherSite: "A forms/cloud/{cloudId}/ path must name the connection's own site.",
  absoluteUrl: 'The proxy path must be a path on the Jira site, not an absolute URL or another host.',
  traversal: 'The proxy path must not contain "." or ".." segments, plain or percent-encoded.',
  doubleEncoded: 'The proxy path must not contain double-encoded characters such as %252e, %252f or %255c.',
  backslash: 'The proxy path must not contain backslashes, plain or percent-encoded.',
  emptySegment: 'The proxy path must not contain empty segments ("//").',
  semicolon: 'The proxy path must not contain ";" (path parameters), plain or percent-encoded.',
  fragment:
    'The proxy path must not contain "#": a fragment never reaches Jira, and what follows it would be dropped.',
  badEncoding: 'The proxy path is not valid: it has malformed percent-encoding or control characters.',
  asUserNeedsConnectAuth:
    'X-As-Jira-User only works together with "X-Use-Connect-Auth: true" (impersonation uses the Forge app).',
  invalidAccountId:
    'X-As-Jira-User must be a Jira accountId (letters, digits, ":", "-" and "_", at most 128).',
  impersonationRefused: (accountId: string, reason: string) =>
    `Atlassian refused to let the Forge app act as Jira user ${accountId}: ${reason}`,
  impersonationFailed: (status: number) =>
    `Could not get a token to act as the Jira user: Atlassian's GraphQL API answered ${status}.`,
  impersonatedCallRefused: (accountId: string, path: string) =>
    `Jira refused this call made as Jira user ${accountId} (HTTP 401 on /${path.slice(0, 200)}): it does not accept the Forge app's impersonation token here. Some endpoints, such as /rest/api/3/myself, only answer a user's own sign-in: send the call without X-As-Jira-User, or check that the user still has access to the site and the app.`,
  upstreamTimeout: (seconds: number) => `Jira did not answer within ${seconds} seconds.`,
  upstreamUnreachable: 'Jira could not be reached. Please try again.',
  bodyUnreadable: 'The request body could not be read completely (the connection ended early).',
} as const;
