import type { Services } from '../context';
import { FORGE_EVENT_JOB, processForgeEvent, pruneProcessedEvents } from './events';
import { downgradeStaleConnections } from './service';

/** Every minute: connections of sites whose Forge credentials went stale are downgraded. */
export const FORGE_STALE_SWEEP_JOB = 'forge.stale-credentials-sweep';

/** Every night: processed Jira events past their retention are deleted. */
export const FORGE_EVENT_RETENTION_JOB = 'forge.event-retention';

/**
 * The Forge workers: Jira events off the queue, the stale-credentials sweep (one per minute) and the event
 * retention (nightly); pg-boss runs each schedule once across the cluster.
 */
export async function registerForgeJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ eventId: number }>(FORGE_EVENT_JOB, (data) => processForgeEvent(services, data.eventId));
  await queue.work(FORGE_STALE_SWEEP_JOB, async () => {
    await downgradeStaleConnections(services);
  });
  await queue.boss.schedule(FORGE_STALE_SWEEP_JOB, '* * * * *');
  await queue.work(FORGE_EVENT_RETENTION_JOB, async () => {
    const deleted = await pruneProcessedEvents(services);
    if (deleted) services.logger.info({ deleted }, 'pruned processed Forge events');
  });
  await queue.boss.schedule(FORGE_EVENT_RETENTION_JOB, '17 3 * * *');
}
