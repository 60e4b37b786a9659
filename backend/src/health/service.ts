import { connectMessages, healthMessages } from '@jira-integration/shared';
import { desc, eq, inArray } from 'drizzle-orm';
import type { AtlassianFetchOptions } from '../atlassian/http';
import { AtlassianUnavailableError } from '../atlassian/http';
import { JiraError, type JiraTarget, jiraJson } from '../atlassian/jira';
import type { Services } from '../context';
import { healthCheckRuns, jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';

export interface HealthCheckResult {
  name: 'Test Jira Connection' | 'List Jira Projects' | 'Search Jira Issues';
  ok: boolean;
  /** The spec's text, word for word. */
  message: string;
  /** What happened, when it was not the credentials: Atlassian unavailable, rate limiting, timed out. */
  cause?: string;
  /** Why it failed, for people debugging (Jira's status or our error code); never a token. */
  detail?: string;
}

/** The most the three checks together may take: an admin waiting on "Running…" gets an answer by then. */
export const HEALTH_CHECK_DEADLINE_MS = 15_000;
/** Each call gets at most this long, and no Retry-After waits: a health check reports, it does not queue. */
const CALL_OPTIONS: AtlassianFetchOptions = { timeoutMs: 10_000, maxRetryWaitMs: 0 };
/** Runs kept per connection for its detail page. */
export const HEALTH_RUNS_KEPT = 10;

class DeadlinePassed extends Error {}

function failureDetail(error: unknown): string {
  if (error instanceof JiraError) return `HTTP ${error.status}`;
  if (error instanceof ApiError) return error.code;
  return error instanceof Error ? error.message : 'unknown error';
}

/** What happened, in the admin's words, for failures that say something beyond "check the credentials". */
export function failureCause(error: unknown): string | undefined {
  if (error instanceof DeadlinePassed) return healthMessages.causeTimedOut;
  if (error instanceof AtlassianUnavailableError)
    return error.timedOut ? healthMessages.causeTimedOut : healthMessages.causeUnreachable;
  if (error instanceof ApiError && error.code === 'reconnect_required') return error.message;
  if (!(error instanceof JiraError)) return undefined;
  if (error.status === 429) return healthMessages.causeRateLimited(error.status);
  if (error.status >= 500) return healthMessages.causeUnavailable(error.status);
  return healthMessages.causeRefused(error.status);
}

async function check(
  name: HealthCheckResult['name'],
  run: () => Promise<string>,
  failure: string,
  deadline: AbortSignal,
): Promise<HealthCheckResult> {
  try {
    if (deadline.aborted) throw new DeadlinePassed();
    const passed = new Promise<never>((_, reject) =>
      deadline.addEventListener('abort', () => reject(new DeadlinePassed()), { once: true }),
    );
    // The call itself is left to finish (its own timeout ends it); the admin's answer does not wait for it.
    const running = run();
    running.catch(() => {});
    return { name, ok: true, message: await Promise.race([running, passed]) };
  } catch (error) {
    const cause = failureCause(error);
    return { name, ok: false, message: failure, ...(cause ? { cause } : {}), detail: failureDetail(error) };
  }
}

/**
 * The three checks of the spec, run in order: they exercise the OAuth credentials only. They end by the
 * deadline (an AbortSignal, so tests can end it), any check not finished by then reporting a timeout.
 */
export async function runHealthChecks(
  services: Services,
  site: JiraTarget,
  deadline: AbortSignal = AbortSignal.timeout(HEALTH_CHECK_DEADLINE_MS),
): Promise<HealthCheckResult[]> {
  const auth = await check(
    'Test Jira Connection',
    async () => {
      const me = await jiraJson<{ displayName?: string }>(services, site, 'GET', 'rest/api/3/myself', {
        fetch: CALL_OPTIONS,
      });
      return healthMessages.authSuccess(me.displayName);
    },
    healthMessages.authFailure,
    deadline,
  );
  const projects = await check(
    'List Jira Projects',
    async () => {
      const page = await jiraJson<{ values: unknown[] }>(services, site, 'GET', 'rest/api/3/project/search', {
        query: { maxResults: 10 },
        fetch: CALL_OPTIONS,
      });
      return healthMessages.projectsSuccess(page.values.length);
    },
    healthMessages.projectsFailure,
    deadline,
  );
  const search = await check(
    'Search Jira Issues',
    async () => {
      const result = await jiraJson<{ issues: unknown[] }>(services, site, 'GET', 'rest/api/3/search/jql', {
        query: { jql: 'assignee = currentUser() ORDER BY updated DESC', maxResults: 50, fields: 'summary' },
        fetch: CALL_OPTIONS,
      });
      return healthMessages.searchSuccess(result.issues.length);
    },
    healthMessages.searchFailure,
    deadline,
  );
  return [auth, projects, search];
}

/**
 * The checks for a connection, as its console shows them: stored for its detail page. A 401 is checked like
 * any other call's (connections/token-check.ts); when that marked the connection "Needs reconnect", every
 * check Jira refused with 401 says why (the later ones were refused for the same reason, without a check of
 * their own).
 */
export async function runConnectionHealthChecks(
  services: Services,
  connection: JiraConnection,
  site: JiraTarget,
  deadline?: AbortSignal,
): Promise<HealthCheckResult[]> {
  const results = await runHealthChecks(services, site, deadline);
  const refused = (result: HealthCheckResult) => result.detail === 'HTTP 401';
  if (results.some(refused)) {
    const [now] = await services.db
      .select({ status: jiraConnections.status, statusReason: jiraConnections.statusReason })
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    if (now?.status === 'needs_reconnect') {
      const cause = now.statusReason ?? connectMessages.tokenRefused;
      results.forEach((result, index) => {
        if (refused(result)) results[index] = { ...result, cause };
      });
    }
  }
  await recordHealthRun(services, connection.id, results);
  return results;
}

async function recordHealthRun(services: Services, connectionId: string, results: HealthCheckResult[]) {
  await services.db.transaction(async (tx) => {
    await tx.insert(healthCheckRuns).values({
      connectionId,
      ranAt: services.clock.now(),
      results: results.map(({ name, ok, message, cause }) => ({ name, ok, message, cause })),
    });
    const kept = await tx
      .select({ id: healthCheckRuns.id })
      .from(healthCheckRuns)
      .where(eq(healthCheckRuns.connectionId, connectionId))
      .orderBy(desc(healthCheckRuns.id))
      .offset(HEALTH_RUNS_KEPT);
    if (kept.length) {
      await tx.delete(healthCheckRuns).where(
        inArray(
          healthCheckRuns.id,
          kept.map((row) => row.id),
        ),
      );
    }
  });
}

/** The newest runs first. */
export async function recentHealthRuns(services: Services, connectionId: string) {
  return services.db
    .select()
    .from(healthCheckRuns)
    .where(eq(healthCheckRuns.connectionId, connectionId))
    .orderBy(desc(healthCheckRuns.id))
    .limit(HEALTH_RUNS_KEPT);
}
