import type { Services } from '../context';
import { CATALOG_INGEST_JOB, runIngestion } from './catalog/service';
import { executeRun, expireOverdueRuns, requeueStrandedRuns, WORKFLOW_RUN_JOB } from './service';

/** Every minute: approvals past their expiry are closed, runs whose job or worker was lost go back on the queue. */
export const WORKFLOW_SWEEP_JOB = 'workflows.sweep';

export async function registerWorkflowJobs(services: Services): Promise<void> {
  const { queue } = services;
  await queue.work<{ runId: string }>(WORKFLOW_RUN_JOB, async (data) => {
    await executeRun(services, data.runId);
  });
  await queue.work<{ ingestionId: string }>(CATALOG_INGEST_JOB, async (data) => {
    await runIngestion(services, data.ingestionId);
  });
  await queue.work(WORKFLOW_SWEEP_JOB, async () => {
    const expired = await expireOverdueRuns(services);
    const requeued = await requeueStrandedRuns(services);
    if (expired || requeued) services.logger.info({ expired, requeued }, 'workflow sweep');
  });
  await queue.boss.schedule(WORKFLOW_SWEEP_JOB, '* * * * *');
}
