import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testDatabaseKinds } from '../../test-support/database';
import { createLogger } from '../logger';
import { type JobQueue, startJobQueue } from './queue';

/** Polls until `done`: the queue's worker runs on its own (the poll's limit is the suite's, vitest.config.ts). */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  await expect.poll(async () => done(await read())).toBe(true);
  return read();
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
    const PING_JOB = 'test.ping';
    const ran: Array<{ id: string; note: string }> = [];
    await queue.work<{ note: string }>(PING_JOB, async (data, job) => {
      ran.push({ id: job.id, note: data.note });
    });
    const id = await queue.send(PING_JOB, { note: `hello from ${kind}` });
    expect(id).toBeTruthy();
    const state = await waitFor(
      () => queue.state(PING_JOB, id!),
      (s) => s === 'completed' || s === 'failed',
    );
    expect(state).toBe('completed');
    const rows = ran.filter((run) => run.id === id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ id, note: `hello from ${kind}` });
  });

  it("a job sent by this process wakes its queue's workers instead of waiting for their next poll", async () => {
    const notified = vi.spyOn(queue.boss, 'notifyWorker');
    // The worker holds its first job, so it never wakes itself (it does after each job) while we count.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.work('test.wake', () => held);
    await queue.work('test.other', async () => {});
    notified.mockClear();
    await queue.send('test.wake', {});
    expect(notified).toHaveBeenCalledTimes(1);
    const [woken] = notified.mock.calls[0];
    await queue.sendMany('test.wake', [{}, {}]);
    expect(notified.mock.calls.slice(1)).toEqual([[woken]]);
    // A delayed job is due later: the poll takes it then.
    notified.mockClear();
    await queue.send('test.wake', {}, { startAfter: 3600 });
    expect(notified).not.toHaveBeenCalled();
    notified.mockRestore();
    release();
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
