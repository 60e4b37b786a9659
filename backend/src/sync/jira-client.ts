/**
 * The sync's Jira calls: made as the Forge app's service account through the one Atlassian client, paced per
 * site so a backfill never takes the whole budget, and with 429s turned into a "retry after" the queue honours.
 *
 * Pacing: the Forge app's hourly budget per site is shared with interactive proxy calls and the workflows, so
 * every sync call is admitted by the one fair-share admission (atlassian/fair-share.ts) as the `sync` consumer:
 * once the site's budget runs low the sync gets only its share and, when refused, the job goes back to the
 * queue until the window resets (never spinning). On top of that the sync sends at most `MAX_CALLS_PER_SECOND`
 * per site, so a backfill does not burst through Atlassian's per-second limits.
 */
import { parseJiraContent } from '../atlassian/content';
import {
  type AtlassianCallTarget,
  admitAtlassianCall,
  observeAtlassianBudget,
} from '../atlassian/fair-share';
import { answerHeaderReader, atlassianFetch } from '../atlassian/http';
import { JiraError } from '../atlassian/jira';
import { rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { getServiceAccountCredentials } from '../forge/credentials';
import type { JiraConnection } from '../model/connection';

export const MAX_CALLS_PER_SECOND = 20;
/** The longest a single call waits in-process for a Retry-After; longer waits go back to the queue. */
const MAX_INLINE_RETRY_WAIT_MS = 2_000;

/** Jira asked to slow down for longer than a call waits in-process: the job runs again after `retryAfterMs`. */
export class SyncRateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`Jira rate limited the sync; retry after ${retryAfterMs} ms`);
    this.name = 'SyncRateLimitedError';
  }
}

/** A problem the admin must fix (a mapping, a workflow): recorded on the link; retrying alone will not help. */
export class SyncSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncSetupError';
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
  /** cloudId → the service account's own accountId (the author of the sync's writes there). */
  ownAccountIds: Map<string, string>;
  /** `cloudId:projectId:requestTypeId` → the JSM desk and request type fields a request is created with. */
  requestTargets: Map<string, RequestTarget>;
  /** Called after each answer is read (tests stop a worker at an exact point with it). */
  afterCall?: (method: string, path: string, status: number) => Promise<void> | void;
}

/** Where the sync raises a JSM request: the project's service desk and what its request type accepts. */
export interface RequestTarget {
  serviceDeskId: string;
  fieldIds: Set<string>;
  canRaiseOnBehalfOf: boolean;
}

export function createSyncRuntime(): SyncRuntime {
  return {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    calls: new Map(),
    nextSlotAt: new Map(),
    accountIds: new Map(),
    ownAccountIds: new Map(),
    requestTargets: new Map(),
  };
}

export function syncRuntime(services: Services): SyncRuntime {
  return services.state.sync;
}

const PACING_INTERVAL_MS = 1_000 / MAX_CALLS_PER_SECOND;

async function pace(services: Services, cloudId: string): Promise<void> {
  const runtime = syncRuntime(services);
  const now = services.clock.now().getTime();
  const slot = Math.max(now, runtime.nextSlotAt.get(cloudId) ?? 0);
  runtime.nextSlotAt.set(cloudId, slot + PACING_INTERVAL_MS);
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
  const site: AtlassianCallTarget = {
    identity: { kind: 'forge' },
    cloudId: connection.cloudId,
    site: connection.siteUrl,
  };
  const admission = admitAtlassianCall(services, site, { kind: 'sync' });
  // Refused: the site's budget is low and the sync used its share; the job waits in the queue until the reset.
  if (!admission.admitted) throw new SyncRateLimitedError(admission.retryAfterSeconds * 1_000);
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
        const answered = { status, headers: answerHeaderReader(headers) };
        budget.observe({ kind: 'forge' }, answered);
        observeAtlassianBudget(services, site, answered);
      },
    },
  );
  const text = await response.text();
  const body = text ? parseJiraContent(text) : undefined;
  await runtime.afterCall?.(method, path, response.status);
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    throw new SyncRateLimitedError(Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : 5_000);
  }
  if (!response.ok) throw new JiraError(response.status, body);
  return body as T;
}

/**
 * Whether the sync itself wrote as this user (its comments, notes and creates): only an app can be, and only
 * the service account is; another app (Jira Automation, a Marketplace app) writes like a person. The account
 * is read once per site and process, and only when an app's write needs telling apart.
 */
export async function writtenBySync(
  services: Services,
  connection: JiraConnection,
  user: { accountId: string; accountType?: string } | null | undefined,
): Promise<boolean> {
  if (user?.accountType !== 'app') return false;
  const known = syncRuntime(services).ownAccountIds;
  let own = known.get(connection.cloudId);
  if (!own) {
    own = (await serviceAccountJson<{ accountId: string }>(services, connection, 'GET', '/rest/api/3/myself'))
      .accountId;
    known.set(connection.cloudId, own);
  }
  return user.accountId === own;
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
