/**
 * A backend worker process for the killed-worker test: works the `reliability.effect` queue with the short-job
 * policy on DATABASE_URL. Each run records that it started (with this pid); with HANG=1 it then never finishes
 * (the test kills it), otherwise it applies the job's effect once: the effect row is keyed by the job's key, so
 * a job that runs again after a crash cannot apply it twice.
 */
import { openDatabase } from '@jira-integration/backend/db/client';
import { auditLog } from '@jira-integration/backend/db/schema';
import { SHORT_JOB_POLICY, startJobQueue } from '@jira-integration/backend/jobs/queue';
import { createLogger } from '@jira-integration/backend/logger';
import { and, eq } from 'drizzle-orm';

export const EFFECT_QUEUE = 'reliability.effect';

const database = await openDatabase({ url: process.env.DATABASE_URL });
const queue = await startJobQueue(database, createLogger({ level: 'warn' }));
await queue.work<{ key: string }>(
  EFFECT_QUEUE,
  async (data, job) => {
    await database.db
      .insert(auditLog)
      .values({ action: 'reliability.started', target: job.id, detail: { pid: process.pid } });
    if (process.env.HANG === '1') await new Promise(() => undefined);
    await database.db.transaction(async (tx) => {
      // One effect per key, whatever the number of runs: the check and the insert under one row lock.
      await tx.execute(`select pg_advisory_xact_lock(hashtext('${data.key.replace(/'/g, '')}'))`);
      const done = await tx
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'reliability.effect'), eq(auditLog.target, data.key)));
      if (done.length === 0)
        await tx.insert(auditLog).values({ action: 'reliability.effect', target: data.key });
    });
  },
  SHORT_JOB_POLICY,
);
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
