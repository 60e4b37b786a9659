/**
 * Reconciliation and backfill: reading the configured project through `/rest/api/3/search/jql` (full issues,
 * 100 a page, so one call serves 100 issues) and merging each issue as an event would.
 *
 * - Reconciliation runs every `reconcileIntervalMinutes` and reads issues with `updated >= watermark − overlap`,
 *   fixing whatever events missed (a lost delivery, downtime). The watermark moves to the run's start.
 * - Backfill runs when sync is configured or turned on: every issue of the project, with progress (done, total,
 *   rate, ETA) stored on the config after each page, and its page token, so a restarted backfill resumes.
 */
import { syncProgressMessages } from '@jira-integration/shared/sync-messages';
import { eq } from 'drizzle-orm';
import type { Services } from '../context';
import { jiraConnections, syncConfigs } from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { findSyncConfig, pullsFromJira, type SyncConfig } from './config';
import { pullIssue } from './inbound';
import { serviceAccountJson } from './jira-client';
import { ISSUE_FIELDS, type JiraIssue, TICKET_PROPERTY } from './mapping';
import { describeSyncError } from './outbound';
import { LeaseBusyError } from './outbox';
import { syncReadiness } from './readiness';

export const SYNC_BACKFILL_JOB = 'sync.backfill';
/** Jira's search is eventually consistent and its `updated` has minute precision in JQL: read a margin again. */
export const RECONCILE_OVERLAP_MS = 2 * 60_000;
const PAGE_SIZE = 100;

interface SearchPage {
  issues: JiraIssue[];
  nextPageToken?: string;
  isLast?: boolean;
}

const jqlTime = (at: Date) => `"${at.toISOString().slice(0, 16).replace('T', ' ')}"`;

async function searchPage(
  services: Services,
  connection: JiraConnection,
  jql: string,
  nextPageToken: string | undefined,
  fields: string[],
): Promise<SearchPage> {
  return serviceAccountJson<SearchPage>(services, connection, 'POST', '/rest/api/3/search/jql', {
    body: {
      jql,
      fields,
      ...(fields.length > 1 ? { properties: [TICKET_PROPERTY] } : {}),
      maxResults: fields.length > 1 ? PAGE_SIZE : 5000,
      ...(nextPageToken ? { nextPageToken } : {}),
    },
  });
}

/** Merges a page of issues; an issue a worker holds right now is left to that worker (its event covers it). */
async function mergePage(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
  issues: JiraIssue[],
) {
  for (const issue of issues) {
    try {
      await pullIssue(services, connection, config, issue.id, { issue });
    } catch (error) {
      if (!(error instanceof LeaseBusyError)) throw error;
    }
  }
}

export async function reconcile(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
): Promise<number> {
  const startedAt = services.clock.now();
  const since = new Date((config.reconcileWatermark ?? startedAt).getTime() - RECONCILE_OVERLAP_MS);
  const jql = `project = ${config.projectKey} AND updated >= ${jqlTime(since)} ORDER BY updated ASC`;
  let seen = 0;
  try {
    let token: string | undefined;
    do {
      const page = await searchPage(services, connection, jql, token, [ISSUE_FIELDS]);
      await mergePage(services, connection, config, page.issues);
      seen += page.issues.length;
      token = page.isLast ? undefined : page.nextPageToken;
    } while (token);
    await services.db
      .update(syncConfigs)
      .set({ reconcileWatermark: startedAt, lastReconciledAt: startedAt, lastReconcileError: null })
      .where(eq(syncConfigs.connectionId, connection.id));
  } catch (error) {
    await services.db
      .update(syncConfigs)
      .set({ lastReconciledAt: startedAt, lastReconcileError: describeSyncError(error) })
      .where(eq(syncConfigs.connectionId, connection.id));
    throw error;
  }
  return seen;
}

/** Every config whose interval has passed, whose connection can sync and whose strategy pulls from Jira. */
export async function runDueReconciliations(services: Services): Promise<number> {
  const rows = await services.db
    .select({ connection: jiraConnections, config: syncConfigs })
    .from(syncConfigs)
    .innerJoin(jiraConnections, eq(jiraConnections.id, syncConfigs.connectionId));
  const now = services.clock.now().getTime();
  let ran = 0;
  for (const { connection, config } of rows) {
    if (!pullsFromJira(config) || config.backfillStartedAt === null || config.backfillFinishedAt === null)
      continue;
    const due = (config.lastReconciledAt?.getTime() ?? 0) + config.reconcileIntervalMinutes * 60_000;
    if (due > now) continue;
    if (!(await syncReadiness(services, connection)).ready) continue;
    try {
      await reconcile(services, connection, config);
      ran += 1;
    } catch (error) {
      services.logger.warn({ err: error, connectionId: connection.id }, 'reconciliation failed');
    }
  }
  return ran;
}

/** Starts (or restarts) the backfill of a connection's project: progress resets, the job does the work. */
export async function startBackfill(services: Services, connectionId: string): Promise<void> {
  const now = services.clock.now();
  await services.db
    .update(syncConfigs)
    .set({
      backfillStartedAt: now,
      backfillFinishedAt: null,
      backfillDone: 0,
      backfillTotal: null,
      backfillCursor: null,
      reconcileWatermark: now,
    })
    .where(eq(syncConfigs.connectionId, connectionId));
  await services.queue.send(SYNC_BACKFILL_JOB, { connectionId });
}

/**
 * How much one backfill run does before it hands over to the next: the queue's expiry (30 s) must never pass
 * while a run is alive, or the job runs a second time beside the first (reading and merging every page twice,
 * with twice the memory). A run stops after `pages` pages or once `budgetMs` have passed, whichever comes
 * first, after storing its progress and page token; the next run resumes there.
 */
export const BACKFILL_RUN = { pages: 50, budgetMs: 10_000 };

/**
 * The backfill job: counts the project's issues (ids only, 5,000 a call), then merges them 100 a page, one page
 * in memory at a time, and queues the next run when its share is done. `startedAt` (set by a run that hands
 * over) ties the next run to this backfill: a backfill started again meanwhile makes it stop.
 */
export async function runBackfill(
  services: Services,
  connectionId: string,
  startedAt?: string,
  limits: { pages: number; budgetMs: number } = BACKFILL_RUN,
): Promise<void> {
  const [connection] = await services.db
    .select()
    .from(jiraConnections)
    .where(eq(jiraConnections.id, connectionId));
  const config = connection ? await findSyncConfig(services, connectionId) : null;
  if (!connection || !config?.backfillStartedAt || config.backfillFinishedAt) return;
  if (startedAt && config.backfillStartedAt.toISOString() !== startedAt) return;
  if (!pullsFromJira(config) || !(await syncReadiness(services, connection)).ready) return;
  const runStartedAt = services.clock.now().getTime();
  const jql = `project = ${config.projectKey} ORDER BY created ASC`;
  if (config.backfillTotal === null) {
    let total = 0;
    let token: string | undefined;
    do {
      const page = await searchPage(services, connection, jql, token, ['id']);
      total += page.issues.length;
      token = page.isLast ? undefined : page.nextPageToken;
    } while (token);
    await services.db
      .update(syncConfigs)
      .set({ backfillTotal: total })
      .where(eq(syncConfigs.connectionId, connectionId));
  }
  let token = config.backfillCursor ?? undefined;
  let done = config.backfillDone;
  for (let pages = 1; ; pages += 1) {
    const page = await searchPage(services, connection, jql, token, [ISSUE_FIELDS]);
    await mergePage(services, connection, config, page.issues);
    done += page.issues.length;
    token = page.isLast ? undefined : page.nextPageToken;
    await services.db
      .update(syncConfigs)
      .set({
        backfillDone: done,
        backfillCursor: token ?? null,
        ...(token
          ? {}
          : { backfillFinishedAt: services.clock.now(), lastReconciledAt: services.clock.now() }),
      })
      .where(eq(syncConfigs.connectionId, connectionId));
    if (!token) return;
    if (pages >= limits.pages || services.clock.now().getTime() - runStartedAt >= limits.budgetMs) {
      await services.queue.send(SYNC_BACKFILL_JOB, {
        connectionId,
        startedAt: config.backfillStartedAt.toISOString(),
      });
      return;
    }
  }
}

export interface BackfillProgress {
  state: 'not_started' | 'running' | 'finished';
  done: number;
  total: number | null;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  summary: string;
}

export function backfillProgress(config: SyncConfig, now: Date): BackfillProgress {
  const started = config.backfillStartedAt;
  const finished = config.backfillFinishedAt;
  const elapsed = started ? ((finished ?? now).getTime() - started.getTime()) / 1000 : 0;
  const rate = started && elapsed > 0 && config.backfillDone > 0 ? config.backfillDone / elapsed : null;
  const eta =
    !finished && rate && config.backfillTotal !== null
      ? Math.max(0, config.backfillTotal - config.backfillDone) / rate
      : null;
  const state = !started ? 'not_started' : finished ? 'finished' : 'running';
  return {
    state,
    done: config.backfillDone,
    total: config.backfillTotal,
    ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
    etaSeconds: eta === null ? null : Math.ceil(eta),
    startedAt: started?.toISOString() ?? null,
    finishedAt: finished?.toISOString() ?? null,
    summary:
      state === 'finished'
        ? syncProgressMessages.backfillDone(config.backfillDone)
        : syncProgressMessages.backfill(config.backfillDone, config.backfillTotal, rate, eta),
  };
}

/**
 * Backfill starts by itself when a connection becomes ready: called once by whichever change completed
 * readiness (Ticket Syncing flipped on, a first config or another project saved, the Forge credential push
 * upgrading the connection). Each of those is a single-row flip that only one caller wins, so one readiness
 * transition starts one backfill.
 */
export async function backfillIfReady(services: Services, connectionId: string): Promise<boolean> {
  const [connection] = await services.db
    .select()
    .from(jiraConnections)
    .where(eq(jiraConnections.id, connectionId));
  const config = connection ? await findSyncConfig(services, connectionId) : null;
  if (!connection || !config || !pullsFromJira(config)) return false;
  if (!(await syncReadiness(services, connection)).ready) return false;
  await startBackfill(services, connectionId);
  return true;
}

/** Turning Ticket Syncing on (a real flip, not a repeat) backfills the configured project when ready. */
export async function onTicketSyncingChanged(
  services: Services,
  change: { connection: JiraConnection; changed: boolean },
): Promise<void> {
  if (change.changed && change.connection.ticketSyncing)
    await backfillIfReady(services, change.connection.id);
}

/** A first config, or one naming another project, brings the project's issues in (when sync can run). */
export async function onSyncConfigSaved(
  services: Services,
  connection: JiraConnection,
  before: SyncConfig | null,
  saved: SyncConfig,
): Promise<void> {
  if (before && before.projectId === saved.projectId) return;
  await backfillIfReady(services, connection.id);
}

/** The Forge credential push upgraded these connections: each one that is now ready backfills. */
export async function onConnectionsUpgraded(services: Services, connectionIds: string[]): Promise<void> {
  for (const id of connectionIds) await backfillIfReady(services, id);
}
