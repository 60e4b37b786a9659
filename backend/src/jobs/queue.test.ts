import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CapturedLogs } from '../../test-support/context';
import { createTestDatabase } from '../../test-support/database';
import { createLogger } from '../logger';
import { guardUnhandledRejections } from '../process-guards';
import { startJobQueue, storedJobError } from './queue';

describe('what the queue stores of a failed job', () => {
  it("keeps the database's reason and code, never drizzle's query or parameters, nor a NUL", () => {
    const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    });
    const drizzle = Object.assign(
      new Error('Failed query: insert into "ticket_comments" ... params: secret comment\u0000'),
      { query: 'insert …', params: ['secret comment\u0000'], cause },
    );
    const stored = storedJobError(drizzle);
    expect(stored.message).toBe('the database refused a statement (SQLSTATE 22021)');
    // PostgreSQL's own message can quote the value: not kept either.
    const quoted = Object.assign(new Error('invalid input syntax for type uuid: "secret"'), {
      code: '22P02',
    });
    expect(storedJobError(quoted).message).not.toContain('secret');
    expect(storedJobError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })).message).toBe(
      'write EPIPE',
    );
    expect(JSON.stringify({ ...stored, stack: stored.stack })).not.toContain('secret');
    expect(stored.stack).not.toContain('\u0000');
    expect(storedJobError(new Error(`x${'y'.repeat(5000)}\u0000`)).message).toHaveLength(500);
  });
});

describe('unhandled promise rejections', () => {
  it('are logged and counted, and the listener can be removed', () => {
    const target = new EventEmitter();
    const logged: unknown[] = [];
    let count = 0;
    const remove = guardUnhandledRejections(
      target as never,
      { error: (fields: unknown) => logged.push(fields) } as never,
      { inc: () => (count += 1) },
    );
    target.emit('unhandledRejection', new Error('late'));
    expect(count).toBe(1);
    expect(logged).toHaveLength(1);
    remove();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });
});

describe('the queue’s own bookkeeping', () => {
  it('a complete() nobody awaits that fails is logged, never an unhandled rejection', async () => {
    const database = await createTestDatabase('pglite');
    const logs = new CapturedLogs();
    const queue = await startJobQueue(database, createLogger({ level: 'debug', destination: logs.stream }));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await queue.send('bookkeeping-test', {});
      // As pg-boss's worker calls it: not awaited. 'not-a-uuid' makes PostgreSQL refuse the statement.
      void queue.boss.complete('bookkeeping-test', 'not-a-uuid');
      await expect.poll(() => logs.text()).toContain('could not record a job’s outcome');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      // Awaited, the caller still sees the failure.
      await expect(queue.boss.fail('bookkeeping-test', 'not-a-uuid')).rejects.toThrow();
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await queue.stop();
      await database.close();
    }
  });
});
