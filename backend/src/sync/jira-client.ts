/**
 * The sync's Jira calls: made as the Forge app's service account through the one Atlassian client, paced per
 * site so a backfill never takes the whole budget, and with 429s turned into a "retry after" the queue honours.
 *
 * Pacing: the Forge app's hourly budget is shared by every customer site and by interactive proxy calls, so the
 * sync spends at most `SYNC_SHARE` of what Atlassian says remains (`X-RateLimit-Remaining`) spread over the rest
 * of the window (`X-RateLimit-Reset`), and never more than `MAX_CALLS_PER_SECOND` per site. Near the limit
 * (`X-RateLimit-NearLimit`) it slows to a quarter of that.
 */
import { answerHeaderReader, atlassianFetch } from '../atlassian/http';
import { JiraError } from '../atlassian/jira';
import { rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { getServiceAccountCredentials } from '../forge/credentials';
import type { JiraConnection } from '../model/connection';

export const MAX_CALLS_PER_SECOND = 20;
export const SYNC_SHARE = 0.5;
/** The longest a single call waits in-process for a Retry-After; longer waits go back to the queue. */
const MAX_INLINE_RETRY_WAIT_MS = 2_000;

/** Jira asked to slow down for longer than a call waits in-process: the job runs again after `retryAfterMs`. */
export class SyncRateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`Jira rate limited the sync; retry after ${retryAfterMs} ms`);
    this.name = 'SyncRateLimitedError';
  }
}

/** Per-process sync state: how it waits (tests replace it), pacing and counts per site, account lookups. */
export interface SyncRuntime {
  sleep(ms: number): Promise<void>;
  /** Jira calls made by the sync, per site (tests and the benchmark read it). */
  calls: Map<string, number>;
  nextSlotAt: Map<string, number>;
  /** `cloudId:email` → accountId (null: not a user of the site). */
  accountIds: Map<string, string | null>;
  /** Called after each answer is read (tests stop a worker at an exact point with it). */
  afterCall?: (method: string, path: string, status: number) => Promise<void> | void;
}

export function createSyncRuntime(): SyncRuntime {
  return {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    calls: new Map(),
    nextSlotAt: new Map(),
    accountIds: new Map(),
  };
}

export function syncRuntime(services: Services): SyncRuntime {
  return services.state.sync;
}

/** Milliseconds between two sync calls to a site, from what Atlassian last said about the app's budget. */
export function pacingIntervalMs(services: Services): number {
  const floor = 1_000 / MAX_CALLS_PER_SECOND;
  const [budget] = rateLimitBudget(services).snapshot([{ kind: 'forge' }]);
  if (!budget || budget.remaining === null) return floor;
  const now = services.clock.now().getTime();
  const resetAt = budget.resetAt ? Date.parse(budget.resetAt) : Number.NaN;
  const windowLeft = Number.isFinite(resetAt) ? Math.max(1_000, resetAt - now) : 3_600_000;
  const spendable = Math.max(1, budget.remaining * SYNC_SHARE);
  const interval = Math.max(floor, windowLeft / spendable);
  return budget.nearLimit ? interval * 4 : interval;
}

async function pace(services: Services, cloudId: string): Promise<void> {
  const runtime = syncRuntime(services);
  const now = services.clock.now().getTime();
  const slot = Math.max(now, runtime.nextSlotAt.get(cloudId) ?? 0);
  runtime.nextSlotAt.set(cloudId, slot + pacingIntervalMs(services));
  if (slot > now) await runtime.sleep(slot - now);
}

export interface JiraCall {
  query?: Record<string, string | number>;
  body?: unknown;
}

/** One JSON call as the service account. Throws JiraError (non-2xx) or SyncRateLimitedError (429 beyond the wait). */
export async function serviceAccountJson<T>(
  services: Services,
  connection: JiraConnection,
  method: string,
  path: string,
  call: JiraCall = {},
): Promise<T> {
  const credentials = await getServiceAccountCredentials(services, connection);
  await pace(services, connection.cloudId);
  const runtime = syncRuntime(services);
  const search = call.query
    ? `?${new URLSearchParams(Object.entries(call.query).map(([k, v]) => [k, String(v)]))}`
    : '';
  const budget = rateLimitBudget(services);
  const response = await atlassianFetch(
    `${credentials.apiBaseUrl.replace(/\/+$/, '')}/${path.replace(/^\//, '')}${search}`,
    {
      method,
      headers: {
        authorization: `Bearer ${credentials.token}`,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    },
    {
      // A 429 means Jira did nothing, so even a create may be sent again.
      forceRetryable: true,
      maxRetryWaitMs: MAX_INLINE_RETRY_WAIT_MS,
      sleep: (ms) => runtime.sleep(ms),
      onAnswer: (status, headers) => {
        runtime.calls.set(connection.cloudId, (runtime.calls.get(connection.cloudId) ?? 0) + 1);
        budget.observe({ kind: 'forge' }, { status, headers: answerHeaderReader(headers) });
      },
    },
  );
  const text = await response.text();
  const body = text ? parseJson(text) : undefined;
  await runtime.afterCall?.(method, path, response.status);
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    throw new SyncRateLimitedError(Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : 5_000);
  }
  if (!response.ok) throw new JiraError(response.status, body);
  return body as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Jira's own words from an ErrorCollection / ErrorResponse body, for a link's last error. */
export function jiraErrorDetail(body: unknown): string {
  if (!body || typeof body !== 'object') return String(body ?? '');
  const record = body as { errorMessages?: string[]; errors?: Record<string, string>; errorMessage?: string };
  const parts = [
    ...(record.errorMessages ?? []),
    ...Object.entries(record.errors ?? {}).map(([field, message]) => `${field}: ${message}`),
    ...(record.errorMessage ? [record.errorMessage] : []),
  ];
  return parts.join('; ') || JSON.stringify(body);
}
