/**
 * The sync's queue side: issue re-reads, the per-ticket lease (one worker at a time per ticket) and the minute
 * sweep that re-queues outbox rows whose `sync.ticket` job was lost (tickets/outbox.ts queues it).
 */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Services } from '../context';
import { jiraConnections, syncOutbox, tickets } from '../db/schema';
import { notifyOutbox } from '../tickets/outbox';

export const SYNC_ISSUE_JOB = 'sync.issue';
export const SYNC_SWEEP_JOB = 'sync.sweep';

/** How long a worker holds a ticket; a crashed worker's lease runs out after this. */
export const LEASE_MS = 60_000;

/** Queues a re-read of a Jira issue for one connection (events, reconciliation, Retry). */
export async function queueIssueSync(
  services: Services,
  job: { connectionId: string; issueId: string; eventId?: number },
  startAfterSeconds?: number,
) {
  await services.queue.send(SYNC_ISSUE_JOB, job, startAfterSeconds ? { startAfter: startAfterSeconds } : {});
}

export class LeaseBusyError extends Error {
  constructor(readonly ticketId: string) {
    super(`ticket ${ticketId} is being synced by another worker`);
    this.name = 'LeaseBusyError';
  }
}

/** Takes the ticket's sync lease, or throws LeaseBusyError. */
export async function acquireLease(services: Services, ticketId: string): Promise<void> {
  const now = services.clock.now();
  const taken = await services.db
    .update(tickets)
    .set({ syncLeaseUntil: new Date(now.getTime() + LEASE_MS) })
    .where(and(eq(tickets.id, ticketId), or(isNull(tickets.syncLeaseUntil), lt(tickets.syncLeaseUntil, now))))
    .returning({ id: tickets.id });
  if (!taken.length) throw new LeaseBusyError(ticketId);
}

export async function releaseLease(services: Services, ticketId: string): Promise<void> {
  await services.db.update(tickets).set({ syncLeaseUntil: null }).where(eq(tickets.id, ticketId));
}

/** Runs `work` holding the ticket's lease. */
export async function withLease<T>(services: Services, ticketId: string, work: () => Promise<T>): Promise<T> {
  await acquireLease(services, ticketId);
  try {
    return await work();
  } finally {
    await releaseLease(services, ticketId);
  }
}

/** Tickets with outbox rows older than `olderThanMs` still unprocessed: their jobs are queued again. */
export async function sweepOutbox(services: Services, olderThanMs = 60_000): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - olderThanMs);
  const rows = await services.db
    .selectDistinct({ ticketId: syncOutbox.ticketId })
    .from(syncOutbox)
    .where(and(isNull(syncOutbox.processedAt), lt(syncOutbox.createdAt, cutoff)))
    .limit(500);
  for (const row of rows) await notifyOutbox(services, row.ticketId);
  return rows.length;
}

/** Tickets with unprocessed outbox rows per connection of a site (the admin page's "queued"). */
export async function countQueuedByConnection(
  services: Services,
  cloudId: string,
): Promise<Map<string, number>> {
  const rows = await services.db
    .select({
      connectionId: jiraConnections.id,
      queued: sql<number>`count(distinct ${syncOutbox.ticketId})::int`,
    })
    .from(syncOutbox)
    .innerJoin(tickets, eq(tickets.id, syncOutbox.ticketId))
    .innerJoin(jiraConnections, eq(jiraConnections.id, tickets.connectionId))
    .where(and(isNull(syncOutbox.processedAt), eq(jiraConnections.cloudId, cloudId)))
    .groupBy(jiraConnections.id);
  return new Map(rows.map((row) => [row.connectionId, row.queued]));
}
