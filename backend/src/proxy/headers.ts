/**
 * Which headers cross the proxy. Requests: an allowlist of what Jira reads (content negotiation, conditional
 * requests, the XSRF opt-out `X-Atlassian-Token` that attachment uploads need, experimental flags); never the
 * caller's Authorization, Cookie, hop-by-hop or any other `X-Atlassian-*` header.
 * Answers: what Jira says, except cookies, hop-by-hop headers, CORS grants and auth challenges (they speak for
 * Jira's origin, not ours), and always marked so a browser never runs them as active content on our origin.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AnswerHeaders } from '../atlassian/http';

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
  'www-authenticate',
  // Ours are set below, whatever Jira says.
  'x-content-type-options',
  'content-security-policy',
  'x-jira-auth-mode',
]);

/** On every answer of the proxy, Jira's and its own: never sniffed, never scripted. */
export const PROXY_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox',
} as const;

/** Attachment contents and thumbnails are user uploads: downloaded, never displayed on our origin. */
const ATTACHMENT_PATH = /^rest\/api\/[23]\/attachment\/(content|thumbnail)\//;

export function forwardedRequestHeaders(
  incoming: IncomingHttpHeaders,
  token: string,
): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const name in incoming) {
    if (!FORWARDED_REQUEST_HEADERS.has(name)) continue;
    const value = incoming[name];
    if (typeof value === 'string') headers[name] = value;
  }
  headers.authorization = `Bearer ${token}`;
  return headers;
}

/** The body passes through as Jira sent it (the Atlassian client never decompresses), so its encoding and length stay true. */
export function returnedResponseHeaders(
  upstream: AnswerHeaders,
  jiraPath: string,
  mode: string,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('access-control-')) continue;
    const value = upstream[name];
    if (value !== undefined) headers[name] = value;
  }
  const disposition = headers['content-disposition'];
  if (disposition !== undefined || ATTACHMENT_PATH.test(jiraPath)) {
    // Keep Jira's file name; only `inline` becomes `attachment`.
    const given = typeof disposition === 'string' ? disposition.replace(/^\s*inline\s*(;|$)/i, '') : '';
    headers['content-disposition'] = given.startsWith('attachment')
      ? given
      : `attachment${given ? `; ${given.replace(/^\s*;?\s*/, '')}` : ''}`;
  }
  headers['x-content-type-options'] = PROXY_SECURITY_HEADERS['x-content-type-options'];
  headers['content-security-policy'] = PROXY_SECURITY_HEADERS['content-security-policy'];
  headers['x-jira-auth-mode'] = mode;
  return headers;
}
