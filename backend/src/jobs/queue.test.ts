import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKinds } from '../../test-support/database';
import { auditLog } from '../db/schema';
import { createLogger } from '../logger';
import { PING_JOB, registerPingJob } from './example';
import { type JobQueue, startJobQueue } from './queue';

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`gave up waiting; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabaseKinds())('job queue on %s', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let queue: JobQueue;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    queue = await startJobQueue(database, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await queue.stop();
    await database.close();
  });

  it('takes a job from enqueue through the worker to completed', async () => {
    await registerPingJob(queue, database.db);
    const id = await queue.send(PING_JOB, { note: `hello from ${kind}` });
    expect(id).toBeTruthy();
    const state = await waitFor(
      () => queue.state(PING_JOB, id!),
      (s) => s === 'completed' || s === 'failed',
    );
    expect(state).toBe('completed');
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.target, id!));
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toEqual({ note: `hello from ${kind}` });
  });

  it('retries a failing job and records the failure', async () => {
    let attempts = 0;
    await queue.work('test.flaky', async () => {
      attempts += 1;
      if (attempts < 2) throw new Error('transient');
    });
    const id = await queue.boss.send('test.flaky', {}, { retryLimit: 2, retryDelay: 1 });
    const state = await waitFor(
      () => queue.state('test.flaky', id!),
      (s) => s === 'completed' || s === 'failed',
    );
    expect(state).toBe('completed');
    expect(attempts).toBe(2);
  });
});
