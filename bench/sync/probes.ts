/**
 * What bench/sync asks the backend child (bench/support/backend-child.ts, BENCH_PROBES): the sync's tables and
 * its Jira call count, read inside the backend process so the bench itself holds no database.
 */
import type { Services } from '@jira-integration/backend/context';
import { syncOutbox, tickets } from '@jira-integration/backend/db/schema';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Probes } from '../support/backend-child';

export function probes(services: Services): Probes {
  return {
    /** Jira calls the sync made on a site so far. */
    syncCalls: async ({ cloudId }) => syncRuntime(services).calls.get(String(cloudId)) ?? 0,
    ticketCount: async ({ connectionId }) => {
      const [row] = await services.db
        .select({ count: sql<number>`count(*)::int` })
        .from(tickets)
        .where(eq(tickets.connectionId, String(connectionId)));
      return row?.count ?? 0;
    },
    /** When each ticket with one of these titles last changed (ms since the epoch). */
    ticketTimes: async ({ titles }) => {
      const rows = await services.db
        .select({ title: tickets.title, updatedAt: tickets.updatedAt })
        .from(tickets)
        .where(inArray(tickets.title, titles as string[]));
      return rows.map((row) => ({ title: row.title, at: row.updatedAt.getTime() }));
    },
    ticketIds: async ({ connectionId, limit }) =>
      (
        await services.db
          .select({ id: tickets.id })
          .from(tickets)
          .where(eq(tickets.connectionId, String(connectionId)))
          .limit(Number(limit))
      ).map((row) => row.id),
    pendingOutbox: async () => {
      const [row] = await services.db
        .select({ count: sql<number>`count(*)::int` })
        .from(syncOutbox)
        .where(isNull(syncOutbox.processedAt));
      return row?.count ?? 0;
    },
  };
}
