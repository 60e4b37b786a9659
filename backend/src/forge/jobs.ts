import type { Services } from '../context';
import { type QueuePolicy, SHORT_JOB_POLICY } from '../jobs/queue';
import { FORGE_EVENT_JOB, processForgeEvent, pruneProcessedEvents, requeueStrandedEvents } from './events';
import { downgradeStaleConnections } from './service';

/** Every minute: connections of sites whose Forge credentials went stale are downgraded. */
export const FORGE_STALE_SWEEP_JOB = 'forge.stale-credentials-sweep';

/** Every night: processed Jira events past their retention are deleted. */
export const FORGE_EVENT_RETENTION_JOB = 'forge.event-retention';

/** Every minute: unprocessed events whose job never got queued (or was lost) are queued again. */
export const FORGE_EVENT_REQUEUE_JOB = 'forge.event-requeue';

/** Minute sweeps: expire before the next minute's run; a missed run is covered by the next one. */
const MINUTE_SWEEP_POLICY: QueuePolicy = {
  expireInSeconds: 50,
  retryLimit: 1,
  retryDelay: 5,
  retryBackoff: false,
};
/** The nightly retention: a large delete may take minutes. */
const NIGHTLY_POLICY: QueuePolicy = {
  expireInSeconds: 15 * 60,
  retryLimit: 3,
  retryDelay: 60,
  retryBackoff: true,
};

/**
 * The Forge workers: Jira events off the queue, the stale-credentials sweep (one per minute) and the event
 * retention (nightly); pg-boss runs each schedule once across the cluster.
 */
export async function registerForgeJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ eventId: number }>(
    FORGE_EVENT_JOB,
    (data) => processForgeEvent(services, data.eventId),
    SHORT_JOB_POLICY,
  );
  await queue.work(
    FORGE_STALE_SWEEP_JOB,
    async () => {
      await downgradeStaleConnections(services);
    },
    MINUTE_SWEEP_POLICY,
  );
  await queue.boss.schedule(FORGE_STALE_SWEEP_JOB, '* * * * *');
  await queue.work(
    FORGE_EVENT_REQUEUE_JOB,
    async () => {
      const requeued = await requeueStrandedEvents(services);
      if (requeued) services.logger.info({ requeued }, 'queued stranded Forge events again');
    },
    MINUTE_SWEEP_POLICY,
  );
  await queue.boss.schedule(FORGE_EVENT_REQUEUE_JOB, '* * * * *');
  await queue.work(
    FORGE_EVENT_RETENTION_JOB,
    async () => {
      const deleted = await pruneProcessedEvents(services);
      if (deleted) services.logger.info({ deleted }, 'pruned processed Forge events');
    },
    NIGHTLY_POLICY,
  );
  await queue.boss.schedule(FORGE_EVENT_RETENTION_JOB, '17 3 * * *');
}
