/**
 * Fault injected: a worker process is killed with SIGKILL in the middle of a job; the time until pg-boss
 * notices is skipped by moving the job's start back past its expiry (the database's clock, not a sleep).
 * Asserted: the queue's policy gives the job back within a minute, another process runs it, and its effect
 * happens exactly once.
 */
import { auditLog } from '@jira-integration/backend/db/schema';
import {
  type JobQueue,
  MAINTENANCE_INTERVAL_SECONDS,
  SHORT_JOB_POLICY,
  startJobQueue,
} from '@jira-integration/backend/jobs/queue';
import { createLogger } from '@jira-integration/backend/logger';
import { createTestDatabase } from '@jira-integration/backend/test-support/database';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildHandle, spawnScript } from './support';

const EFFECT_QUEUE = 'reliability.effect';

/** Starts the worker script and waits for its ready line. */
async function startWorker(url: string, hang: boolean): Promise<ChildHandle> {
  const child = spawnScript('test/reliability/worker-process.ts', {
    DATABASE_URL: url,
    HANG: hang ? '1' : '0',
  });
  await expect.poll(() => child.output()).toContain('"ready":true');
  return child;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('a worker killed mid-job (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sender: JobQueue;
  const children: ChildHandle[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sender = await startJobQueue(database, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill('SIGKILL')));
    await sender?.stop();
    await database?.close();
  });

  const rows = (action: string) => database.db.select().from(auditLog).where(eq(auditLog.action, action));

  it('the short-job policy hands a dead worker’s job back within a minute', () => {
    // Worst case: expiry, then up to one maintenance interval, then the retry delay (backoff's first step).
    const worst =
      SHORT_JOB_POLICY.expireInSeconds + MAINTENANCE_INTERVAL_SECONDS + SHORT_JOB_POLICY.retryDelay * 2;
    expect(worst).toBeLessThan(60);
    expect(SHORT_JOB_POLICY.retryLimit).toBeGreaterThan(0);
  });

  it('SIGKILL mid-job: another process runs it again, the effect happens once', async () => {
    const doomed = await startWorker(database.url!, true);
    children.push(doomed);
    const jobId = await sender.send(EFFECT_QUEUE, { key: 'effect-1' });
    await expect.poll(async () => (await rows('reliability.started')).length).toBe(1);
    const [started] = await rows('reliability.started');
    expect(started.detail).toEqual({ pid: doomed.process.pid });

    expect(await doomed.kill('SIGKILL')).toBe('SIGKILL');
    const survivor = await startWorker(database.url!, false);
    children.push(survivor);
    // The job is still "active" for its dead worker; its policy's expiry applies to it.
    const { rows: active } = await database.executor.executeSql(
      `select state, extract(epoch from expire_in)::int as expire_seconds from pgboss.job where id = $1`,
      [jobId],
    );
    expect(active).toEqual([{ state: 'active', expire_seconds: SHORT_JOB_POLICY.expireInSeconds }]);

    // Skip the expiry: the job started longer ago than it may run. Maintenance then gives it back.
    await database.executor.executeSql(
      `update pgboss.job set started_on = started_on - expire_in - interval '1 second' where id = $1`,
      [jobId],
    );
    await sender.expireNow();
    await expect.poll(() => sender.state(EFFECT_QUEUE, jobId!)).toBe('completed');

    expect((await rows('reliability.effect')).map((row) => row.target)).toEqual(['effect-1']);
    const runs = await rows('reliability.started');
    expect(runs.map((row) => (row.detail as { pid: number }).pid)).toEqual([
      doomed.process.pid,
      survivor.process.pid,
    ]);
    const { rows: done } = await database.executor.executeSql(
      'select retry_count from pgboss.job where id = $1',
      [jobId],
    );
    expect(done).toEqual([{ retry_count: 1 }]);
  });
});
