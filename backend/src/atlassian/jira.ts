import type { Services } from '../context';
import { parseJiraContent, readJiraJson } from './content';
import { type AtlassianFetchOptions, atlassianFetch } from './http';

/** Jira answered with a non-2xx status. `body` is Jira's error (ErrorCollection) when it sent JSON. */
export class JiraError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Jira answered ${status}`);
    this.name = 'JiraError';
  }
}

export function jiraBaseUrl(services: Services, cloudId: string): string {
  return `${services.config.atlassianApiUrl}/ex/jira/${cloudId}`;
}

/**
 * Which site a call goes to, and the bearer token it carries: a token, or a provider called once per call
 * (so a connection's token can be refreshed just in time by its owner, connections/tokens.ts).
 */
export interface JiraTarget {
  cloudId: string;
  token: string | (() => Promise<string>);
  /**
   * Told of a 401 to a call made with `token` (`call` is e.g. `GET rest/api/3/myself`); the answer is returned
   * once it resolves. Connections use it to find out whether Atlassian refused the token (tokens.ts).
   */
  onRefused?: (token: string, call: string) => Promise<void>;
}

/** A raw call to the target's site. */
export async function jiraFetch(
  services: Services,
  target: JiraTarget,
  path: string,
  init: RequestInit & { method?: string } = {},
  options?: AtlassianFetchOptions,
): Promise<Response> {
  const token = typeof target.token === 'string' ? target.token : await target.token();
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  const relative = path.replace(/^\//, '');
  const response = await atlassianFetch(
    `${jiraBaseUrl(services, target.cloudId)}/${relative}`,
    { ...init, headers },
    { observe: services.state.metrics.atlassianObserver('backend'), ...options },
  );
  if (response.status === 401 && target.onRefused) {
    await target.onRefused(token, `${(init.method ?? 'GET').toUpperCase()} ${relative.split('?')[0]}`);
  }
  return response;
}

/** A JSON call; throws JiraError for non-2xx answers. */
export async function jiraJson<T>(
  services: Services,
  target: JiraTarget,
  method: string,
  path: string,
  options: {
    query?: Record<string, string | number>;
    body?: unknown;
    /** Timeouts and retry policy for this call (e.g. no Retry-After waits for a health check). */
    fetch?: AtlassianFetchOptions;
  } = {},
): Promise<T> {
  const search = options.query
    ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]) => [k, String(v)]))}`
    : '';
  const response = await jiraFetch(
    services,
    target,
    `${path}${search}`,
    {
      method,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    },
    options.fetch,
  );
  const text = await response.text();
  const body = text ? parseJiraContent(text) : undefined;
  if (!response.ok) throw new JiraError(response.status, body);
  return body as T;
}

/**
 * Every value of a JSM list (`start`, `limit`, `isLastPage`), page by page. It stops after the page holding a
 * value `until` accepts, and after `maxPages` pages.
 */
export async function jsmListValues<T>(
  services: Services,
  target: JiraTarget,
  path: string,
  options: {
    limit: number;
    query?: Record<string, string | number>;
    maxPages?: number;
    until?: (value: T) => boolean;
  },
): Promise<T[]> {
  const values: T[] = [];
  const { limit, query, maxPages = Number.POSITIVE_INFINITY, until } = options;
  for (let page = 0, start = 0; page < maxPages; page += 1) {
    const answer = await jiraJson<{ values: T[]; isLastPage?: boolean }>(services, target, 'GET', path, {
      query: { ...query, start, limit },
    });
    values.push(...answer.values);
    if ((until && answer.values.some(until)) || answer.isLastPage !== false || answer.values.length === 0)
      break;
    start += answer.values.length;
  }
  return values;
}

/**
 * Whether the token's user holds the site's global "Administer Jira" permission (GET mypermissions). Any
 * answer but a clear yes counts as no: approval of a workspace is never granted on an error.
 */
export async function hasAdministerJira(baseUrl: string, token: string): Promise<boolean> {
  try {
    const response = await atlassianFetch(`${baseUrl}/rest/api/3/mypermissions?permissions=ADMINISTER`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    if (!response.ok) {
      await response.body?.cancel();
      return false;
    }
    const body = await readJiraJson<{ permissions?: Record<string, { havePermission?: boolean }> }>(response);
    return body.permissions?.ADMINISTER?.havePermission === true;
  } catch {
    return false;
  }
}
