import type { Db } from '../db/client';
import { auditLog } from '../db/schema';
import type { JobQueue } from './queue';

/** A tiny job that proves the queue end to end: it records that it ran in the audit log. */
export const PING_JOB = 'system.ping';

export async function registerPingJob(queue: JobQueue, db: Db): Promise<void> {
  await queue.work<{ teamId?: string; note: string }>(PING_JOB, async (data, job) => {
    await db.insert(auditLog).values({
      teamId: data.teamId ?? null,
      action: 'queue.ping',
      target: job.id,
      detail: { note: data.note },
    });
  });
}
