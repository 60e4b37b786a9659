import type { JiraConnection } from '../connections/service';
import { getAccessToken } from '../connections/tokens';
import type { Services } from '../context';
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

/** A raw call to the connection's site as the connecting user (token refreshed as needed). */
export async function jiraFetch(
  services: Services,
  connection: JiraConnection,
  path: string,
  init: RequestInit & { method?: string } = {},
  options?: AtlassianFetchOptions & { token?: string },
): Promise<Response> {
  const token = options?.token ?? (await getAccessToken(services, connection));
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  return atlassianFetch(
    `${jiraBaseUrl(services, connection.cloudId)}/${path.replace(/^\//, '')}`,
    { ...init, headers },
    { observe: services.metrics.atlassianObserver('backend'), ...options },
  );
}

/** A JSON call; throws JiraError for non-2xx answers. */
export async function jiraJson<T>(
  services: Services,
  connection: JiraConnection,
  method: string,
  path: string,
  options: { query?: Record<string, string | number>; body?: unknown } = {},
): Promise<T> {
  const search = options.query
    ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]) => [k, String(v)]))}`
    : '';
  const response = await jiraFetch(services, connection, `${path}${search}`, {
    method,
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text ? safeJson(text) : undefined;
  if (!response.ok) throw new JiraError(response.status, body);
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
