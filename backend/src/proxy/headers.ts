/**
 * Which headers cross the proxy. Requests: an allowlist of what Jira reads (content negotiation, conditional
 * requests, XSRF opt-out, experimental flags); never the caller's Authorization, Cookie or hop-by-hop headers.
 * Responses: everything Jira says except cookies and hop-by-hop headers.
 */

const FORWARDED_REQUEST_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'range',
  'user-agent',
  'x-atlassian-token',
  'x-experimentalapi',
  'x-force-accept-language',
  'x-exp',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export function forwardedRequestHeaders(incoming: Headers, token: string): Headers {
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (FORWARDED_REQUEST_HEADERS.has(name) || name.startsWith('x-atlassian-')) headers.set(name, value);
  }
  headers.set('authorization', `Bearer ${token}`);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  return headers;
}

/** The body passes through as Jira sent it (the Atlassian client never decompresses), so its encoding and length stay true. */
export function returnedResponseHeaders(upstream: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of upstream) {
    if (!DROPPED_RESPONSE_HEADERS.has(name)) headers.append(name, value);
  }
  return headers;
}
