import { PROXY_ALLOWED_PREFIXES, proxyMessages } from '@jira-integration/shared/proxy-messages';
import { ApiError, type ErrorCode } from '../http/errors';

export interface ProxyTarget {
  /** The path to append to `{api}/ex/jira/{cloudId}/`, in the exact form that was checked. */
  path: string;
  /** The raw query string, `?` included, or ''. */
  search: string;
}

const ROUTE_PREFIX = /^\/v1\/jira\/connections\/[^/?#]+\/proxy\//;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// Control characters, whatever the encoding they arrived in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// After one decoding these can only come from double encoding (%252e, %252f, %255c).
const STILL_ENCODED = /%(2e|2f|5c)/i;

function reject(code: ErrorCode, message: string): never {
  throw new ApiError(code, message);
}

/**
 * Checks the caller's path before anything is forwarded. It works on the request target exactly as it arrived
 * (the URL parser would already have resolved `..`), decodes it once, and forwards only what it checked.
 */
export function resolveProxyTarget(rawTarget: string): ProxyTarget {
  const queryAt = rawTarget.indexOf('?');
  const rawPath = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const search = queryAt === -1 ? '' : rawTarget.slice(queryAt);
  // A raw '#' would start a fragment in the upstream URL, cutting the path there (`rest/api/3/..#` → `rest/api/`).
  if (rawTarget.includes('#')) reject('invalid_proxy_path', proxyMessages.fragment);
  const prefix = ROUTE_PREFIX.exec(rawPath);
  if (!prefix) reject('invalid_proxy_path', proxyMessages.traversal);
  const raw = rawPath.slice(prefix[0].length);

  if (raw.startsWith('/') || SCHEME.test(raw)) reject('invalid_proxy_path', proxyMessages.absoluteUrl);
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    reject('invalid_proxy_path', proxyMessages.badEncoding);
  }
  if (CONTROL.test(decoded)) reject('invalid_proxy_path', proxyMessages.badEncoding);
  if (decoded.includes('\\')) reject('invalid_proxy_path', proxyMessages.backslash);
  // Matrix parameters (`;jsessionid=…`) mean different things to different servers on the way.
  if (decoded.includes(';')) reject('invalid_proxy_path', proxyMessages.semicolon);
  if (decoded.startsWith('/') || SCHEME.test(decoded))
    reject('invalid_proxy_path', proxyMessages.absoluteUrl);
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    reject('invalid_proxy_path', proxyMessages.traversal);
  }
  if (STILL_ENCODED.test(decoded)) reject('invalid_proxy_path', proxyMessages.doubleEncoded);
  // A trailing slash is a legitimate empty last segment; an empty segment anywhere else is not.
  if (segments.slice(0, -1).includes('')) reject('invalid_proxy_path', proxyMessages.emptySegment);
  if (!PROXY_ALLOWED_PREFIXES.some((allowed) => decoded.startsWith(allowed))) {
    reject('path_not_allowed', proxyMessages.pathNotAllowed(decoded));
  }
  // Most paths carry no escapes and go out untouched; others go out re-encoded from what was checked, so an
  // encoded slash cannot mean one thing here and another upstream.
  const path = raw === decoded ? raw : segments.map(encodeURIComponent).join('/');
  return { path, search };
}
