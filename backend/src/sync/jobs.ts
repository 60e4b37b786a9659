/**
 * The sync's workers: `sync.ticket` (platform → Jira, one ticket's outbox rows), `sync.issue` (one issue for one
 * connection: Retry, reconciliation), and a minute sweep that re-queues outbox rows whose job was lost and runs
 * the reconciliations that are due.
 */
import { and, eq } from 'drizzle-orm';
import type { Services } from '../context';
import { issueSyncLinks, jiraConnections } from '../db/schema';
import { SYNC_TICKET_JOB } from '../tickets/outbox';
import { findSyncConfig } from './config';
import { pullIssue } from './inbound';
import { resyncLink } from './issue-sync';
import { SyncRateLimitedError } from './jira-client';
import { pushTicket } from './outbound';
import { LeaseBusyError, queueIssueSync, SYNC_ISSUE_JOB, SYNC_SWEEP_JOB, sweepOutbox } from './outbox';
import { syncReadiness } from './readiness';
import { runBackfill, runDueReconciliations, SYNC_BACKFILL_JOB } from './reconcile';

export async function syncIssueJob(services: Services, job: { connectionId: string; issueId: string }) {
  try {
    const [connection] = await services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, job.connectionId));
    if (!connection) return;
    const [link] = await services.db
      .select()
      .from(issueSyncLinks)
      .where(and(eq(issueSyncLinks.connectionId, job.connectionId), eq(issueSyncLinks.issueId, job.issueId)));
    // Retry and re-queued reads run only while sync can run, like events, reconciliation and the outbox.
    const readiness = await syncReadiness(services, connection);
    if (!readiness.ready) {
      if (link) {
        await services.db
          .update(issueSyncLinks)
          .set({ state: 'error', lastError: readiness.reason, updatedAt: services.clock.now() })
          .where(eq(issueSyncLinks.id, link.id));
      }
      return;
    }
    if (link) return await resyncLink(services, link.connectionId, link.ticketId, link.issueId);
    const config = await findSyncConfig(services, connection.id);
    if (config) await pullIssue(services, connection, config, job.issueId);
  } catch (error) {
    if (error instanceof LeaseBusyError) return queueIssueSync(services, job, 2);
    if (error instanceof SyncRateLimitedError) {
      return queueIssueSync(services, job, Math.ceil(error.retryAfterMs / 1000));
    }
    throw error;
  }
}

export async function registerSyncJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ ticketId: string }>(SYNC_TICKET_JOB, async (data) => {
    await pushTicket(services, data.ticketId);
  });
  await queue.work<{ connectionId: string; issueId: string }>(SYNC_ISSUE_JOB, (data) =>
    syncIssueJob(services, data),
  );
  await queue.work(SYNC_SWEEP_JOB, async () => {
    await sweepOutbox(services);
    await runDueReconciliations(services);
  });
  await queue.boss.schedule(SYNC_SWEEP_JOB, '* * * * *');
  await queue.work<{ connectionId: string; startedAt?: string }>(SYNC_BACKFILL_JOB, async (data) => {
    try {
      await runBackfill(services, data.connectionId, data.startedAt);
    } catch (error) {
      if (!(error instanceof SyncRateLimitedError)) throw error;
      // Progress and page token are stored: the next run resumes where this one stopped.
      await queue.send(SYNC_BACKFILL_JOB, data, { startAfter: Math.ceil(error.retryAfterMs / 1000) });
    }
  });
}
