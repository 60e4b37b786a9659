/** What the API and console say about one ticket's sync. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Services } from '../context';
import { issueSyncLinks, jiraConnections, syncOutbox } from '../db/schema';
import type { Ticket } from '../tickets/service';
import { syncReadiness } from './readiness';

export interface TicketSyncStatus {
  ticketId: string;
  state: 'not_linked' | 'pending' | 'synced' | 'error';
  ready: boolean;
  reason: string | null;
  issueKey: string | null;
  issueUrl: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
  queuedChanges: number;
}

export async function ticketSyncStatus(services: Services, ticket: Ticket): Promise<TicketSyncStatus> {
  const [link] = await services.db
    .select()
    .from(issueSyncLinks)
    .where(eq(issueSyncLinks.ticketId, ticket.id));
  const [queued] = await services.db
    .select({
      count: sql<number>`count(*)::int`,
      // Before the issue exists there is no link: a failed create's reason is on the queued rows.
      lastError: sql<string | null>`max(${syncOutbox.lastError})`,
    })
    .from(syncOutbox)
    .where(and(eq(syncOutbox.ticketId, ticket.id), isNull(syncOutbox.processedAt)));
  const [connection] = ticket.connectionId
    ? await services.db.select().from(jiraConnections).where(eq(jiraConnections.id, ticket.connectionId))
    : [];
  const readiness = connection ? await syncReadiness(services, connection) : null;
  const queuedChanges = queued?.count ?? 0;
  const createError = link ? null : (queued?.lastError ?? null);
  const state = link
    ? link.state === 'synced' && queuedChanges > 0
      ? 'pending'
      : link.state
    : createError
      ? 'error'
      : queuedChanges
        ? 'pending'
        : 'not_linked';
  return {
    ticketId: ticket.id,
    state,
    ready: readiness?.ready ?? false,
    reason: readiness ? readiness.reason : null,
    issueKey: link?.issueKey ?? null,
    issueUrl: link && connection ? `${connection.siteUrl}/browse/${link.issueKey}` : null,
    lastSyncedAt: link?.lastSyncedAt?.toISOString() ?? null,
    lastError: link ? link.lastError : createError,
    queuedChanges,
  };
}
