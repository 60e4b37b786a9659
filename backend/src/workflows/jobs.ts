import type { Services } from '../context';
import type { QueuePolicy } from '../jobs/queue';
import { CATALOG_INGEST_JOB, recoverStrandedIngestions, runIngestion } from './catalog/service';
import { intervalHeartbeat, RUN_HEARTBEAT_MS } from './lease';
import { executeRun, expireOverdueRuns, requeueStrandedRuns, WORKFLOW_RUN_JOB } from './service';

/**
 * Every minute: approvals past their expiry are closed; runs and catalog ingestions whose job or worker was lost
 * go back on the queue.
 */
export const WORKFLOW_SWEEP_JOB = 'workflows.sweep';

/**
 * A run may call Jira for minutes (every page of a search, a streamed attachment): the run's own lease, renewed as
 * it goes (lease.ts), says whether its worker lives, and the minute sweep hands a dead worker's run on. The job
 * only needs to outlast the longest run, so a live worker's job is never failed under it.
 */
const WORKFLOW_RUN_POLICY: QueuePolicy = {
  expireInSeconds: 15 * 60,
  retryLimit: 3,
  retryDelay: 5,
  retryBackoff: true,
};
/**
 * An ingestion walks every service desk's request types, for as long as that takes: its worker holds it with a
 * lease it renews as it goes (catalog/service.ts), and the sweep resumes it when the lease lapses, well before
 * this expiry. A repeat of the job while the lease holds does nothing.
 */
const CATALOG_INGEST_POLICY: QueuePolicy = {
  expireInSeconds: 15 * 60,
  retryLimit: 1,
  retryDelay: 5,
  retryBackoff: false,
};
/** The minute sweep: expires before the next minute's run; a missed run is covered by the next one. */
const SWEEP_POLICY: QueuePolicy = {
  expireInSeconds: 50,
  retryLimit: 1,
  retryDelay: 5,
  retryBackoff: false,
};

export async function registerWorkflowJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ runId: string }>(
    WORKFLOW_RUN_JOB,
    async (data) => {
      await executeRun(services, data.runId, { heartbeat: intervalHeartbeat(RUN_HEARTBEAT_MS) });
    },
    WORKFLOW_RUN_POLICY,
  );
  await queue.work<{ ingestionId: string }>(
    CATALOG_INGEST_JOB,
    async (data) => {
      await runIngestion(services, data.ingestionId);
    },
    CATALOG_INGEST_POLICY,
  );
  await queue.work(
    WORKFLOW_SWEEP_JOB,
    async () => {
      const expired = await expireOverdueRuns(services);
      const requeued = await requeueStrandedRuns(services);
      const ingestions = (await recoverStrandedIngestions(services)).length;
      if (expired || requeued || ingestions) {
        services.logger.info({ expired, requeued, ingestions }, 'workflow sweep');
      }
    },
    SWEEP_POLICY,
  );
  await queue.boss.schedule(WORKFLOW_SWEEP_JOB, '* * * * *');
}
