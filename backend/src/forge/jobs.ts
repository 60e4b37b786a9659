import type { Services } from '../context';
import { FORGE_EVENT_JOB, processForgeEvent } from './events';
import { downgradeStaleConnections } from './service';

/** Every minute: connections of sites whose Forge credentials went stale are downgraded. */
export const FORGE_STALE_SWEEP_JOB = 'forge.stale-credentials-sweep';

/** The Forge workers: Jira events off the queue, and the stale-credentials sweep (one per minute, cluster-wide). */
export async function registerForgeJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ eventId: number }>(FORGE_EVENT_JOB, (data) => processForgeEvent(services, data.eventId));
  await queue.work(FORGE_STALE_SWEEP_JOB, async () => {
    await downgradeStaleConnections(services);
  });
  await queue.boss.schedule(FORGE_STALE_SWEEP_JOB, '* * * * *');
}
