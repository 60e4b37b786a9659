/**
 * The tickets side of the outbox: a committed ticket change queues `sync.ticket` for its ticket. The sync
 * (sync/outbound.ts) works the job; a failed send is left to its minute sweep, since the outbox row, committed
 * with the change, is what guarantees the change reaches Jira.
 */
import type { Services } from '../context';

export const SYNC_TICKET_JOB = 'sync.ticket';

export async function notifyOutbox(services: Services, ticketId: string, startAfterSeconds?: number) {
  try {
    await services.queue.send(
      SYNC_TICKET_JOB,
      { ticketId },
      startAfterSeconds ? { startAfter: startAfterSeconds } : {},
    );
  } catch (error) {
    services.logger.warn({ err: error, ticketId }, 'sync job not queued; the sweep will pick the change up');
  }
}
