import { createRequire } from 'node:module';
import { storableText } from '@jira-integration/shared/storable';
import PgBoss from 'pg-boss';
import type { Database } from '../db/client';
import { withRequestId } from '../http/request-context';
import type { Logger } from '../logger';

export type JobHandler<T> = (data: T, job: { id: string; name: string }) => Promise<void>;

/**
 * How a queue's jobs are retried. A job whose worker died (kill -9, a lost host) stays "active" until
 * `expireInSeconds` pass; the queue's maintenance (every MAINTENANCE_INTERVAL_SECONDS, once across processes)
 * then hands it back with the retry policy. So expiry + maintenance + retry delay bounds how long a dead
 * worker's job waits; keep it under a minute, and keep expiry above the longest a live handler may take
 * (an expired job runs again, so handlers must be idempotent).
 */
export interface QueuePolicy {
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
}

/** Short database-only work (events, pings): retried within about 40 s of its worker's death. */
export const SHORT_JOB_POLICY: QueuePolicy = {
  expireInSeconds: 30,
  retryLimit: 5,
  retryDelay: 2,
  retryBackoff: true,
};

/**
 * How often an idle worker asks the database for work. On PGlite the database lives on this process's event
 * loop and only this process writes to it, so every job we send also wakes its queue's workers at once, and
 * the poll is only there for retries, delayed and scheduled jobs: polling every half second per queue kept
 * the loop busy enough to show in the proxy's p99.
 */
const POLLING_INTERVAL_SECONDS = { postgres: 0.5, pglite: 2 } as const;

/** How often expired jobs are looked for. pg-boss's default (2 minutes) alone would miss the minute. */
export const MAINTENANCE_INTERVAL_SECONDS = 10;

/**
 * The job queue: pg-boss on the same database. On PostgreSQL it opens its own pool (several backend
 * processes then share the work); on PGlite it runs its SQL through the embedded database.
 */
export interface JobQueue {
  send<T extends object>(
    name: string,
    data: T,
    options?: { singletonKey?: string; startAfter?: number },
  ): Promise<string | null>;
  /** Many jobs in one statement (the queue's policy applies to each). */
  sendMany<T extends object>(name: string, items: T[]): Promise<void>;
  /** Runs `handler` for the queue's jobs; the queue takes `policy` (SHORT_JOB_POLICY unless given). */
  work<T>(name: string, handler: JobHandler<T>, policy?: QueuePolicy): Promise<void>;
  /** Completed, failed, active... as pg-boss reports it. */
  state(name: string, id: string): Promise<string | undefined>;
  /** Expired jobs go back to their queues now (maintenance also does this on its own interval). */
  expireNow(): Promise<void>;
  /** False once stop() began: /readyz then answers 503. */
  running(): boolean;
  stop(): Promise<void>;
  boss: PgBoss;
}

const policyOptions = (policy: QueuePolicy) => ({
  expireInSeconds: policy.expireInSeconds,
  retryLimit: policy.retryLimit,
  retryDelay: policy.retryDelay,
  retryBackoff: policy.retryBackoff,
});

/**
 * A job's error as the queue stores it (as jsonb, kept for days): its message and the database's error code,
 * never a failed query's text or parameters (drizzle puts both on its error, and they carry Jira's content),
 * never a character jsonb refuses, and never long.
 */
export function storedJobError(error: unknown): Error {
  const chain: Array<{ message?: unknown; code?: unknown }> = [];
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    chain.push(current as { message?: unknown; code?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  // PostgreSQL's message may quote the refused value (drizzle's holds the SQL and parameters): only the
  // SQLSTATE is kept of a database error.
  const sqlState = chain
    .map((link) => link.code)
    .find((code) => typeof code === 'string' && SQLSTATE.test(code));
  const text = chain
    .map((link) => link.message)
    .find((message): message is string => typeof message === 'string' && !message.startsWith('Failed query'));
  const message = sqlState
    ? `the database refused a statement (SQLSTATE ${sqlState})`
    : (text ?? 'job failed');
  const name = error instanceof Error ? error.name : 'Error';
  const stored = new Error(storableText(message).slice(0, 500));
  stored.name = name;
  stored.stack = `${name}: ${stored.message}`;
  return stored;
}

/** A PostgreSQL error code (class and subclass), not a Node one such as EPIPE. */
const SQLSTATE = /^(?:[0-9]{2}|HV|P0|XX|F0)[0-9A-Z]{3}$/;

type BookkeepingListener = (error: unknown, step: 'complete' | 'fail') => void;
const bookkeepingListeners = new Set<BookkeepingListener>();
let bookkeepingGuarded = false;

/**
 * pg-boss 10 marks a job completed or failed without awaiting or catching that statement (manager.js, `watch`),
 * so a lost connection or a refused error document became an unhandled rejection that ended the process. Its
 * `complete` and `fail` now always carry a handler that tells the listening queues; callers that await them still
 * see the error. The job itself stays active and its expiry hands it back, as for a killed worker.
 */
function guardQueueBookkeeping(): void {
  if (bookkeepingGuarded) return;
  bookkeepingGuarded = true;
  const Manager = createRequire(import.meta.url)('pg-boss/src/manager.js') as {
    prototype: Record<'complete' | 'fail', (...args: unknown[]) => Promise<unknown>>;
  };
  for (const step of ['complete', 'fail'] as const) {
    const original = Manager.prototype[step];
    const guarded = function (this: unknown, ...args: unknown[]) {
      const pending = original.apply(this, args);
      pending.catch((error) => {
        for (const listener of bookkeepingListeners) listener(error, step);
      });
      return pending;
    };
    // PgBoss publishes the manager's methods under their function names.
    Object.defineProperty(guarded, 'name', { value: step });
    Manager.prototype[step] = guarded;
  }
}

export async function startJobQueue(database: Database, logger: Logger): Promise<JobQueue> {
  guardQueueBookkeeping();
  const onBookkeepingFailure: BookkeepingListener = (error, step) =>
    logger.warn(
      { err: storedJobError(error), step },
      'job queue could not record a job’s outcome; the job runs again after its expiry',
    );
  const maintenance = { maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS };
  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 4, ...maintenance })
      : new PgBoss({ db: database.executor, schema: 'pgboss', ...maintenance });
  // Covers pg-boss's own pool too: a dropped connection is logged and replaced, never fatal.
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  bookkeepingListeners.add(onBookkeepingFailure);
  let stopped = false;
  const created = new Map<string, Promise<void>>();
  const pollingIntervalSeconds = POLLING_INTERVAL_SECONDS[database.kind];
  // This process's workers per queue, woken when this process sends them work (see POLLING_INTERVAL_SECONDS).
  const workers = new Map<string, string[]>();
  const wake = (name: string) => {
    for (const id of workers.get(name) ?? []) boss.notifyWorker(id);
  };
  function ensureQueue(name: string, policy: QueuePolicy = SHORT_JOB_POLICY) {
    let done = created.get(name);
    if (!done) {
      done = boss.createQueue(name, { name, ...policyOptions(policy) });
      created.set(name, done);
      done.catch(() => created.delete(name));
    }
    return done;
  }
  return {
    boss,
    async send(name, data, options) {
      await ensureQueue(name);
      // Retry and expiry come from the queue's policy.
      const id = await boss.send(name, data, {
        ...(options?.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options?.startAfter ? { startAfter: options.startAfter } : {}),
      });
      if (!options?.startAfter) wake(name);
      return id;
    },
    async sendMany(name, items) {
      if (items.length === 0) return;
      await ensureQueue(name);
      await boss.insert(items.map((data) => ({ name, data })));
      wake(name);
    },
    async work(name, handler, policy = SHORT_JOB_POLICY) {
      await ensureQueue(name, policy);
      // The queue may exist from an earlier start or a sender: bring its policy up to date.
      await boss.updateQueue(name, { name, ...policyOptions(policy) });
      let workerId: string | undefined;
      workerId = await boss.work(name, { pollingIntervalSeconds, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await withRequestId(`job-${job.id}`, () =>
              handler(job.data as never, { id: job.id, name: job.name }),
            );
          } catch (error) {
            // Logged whole (the logger drops a failed query's SQL and parameters); stored in short.
            logger.warn({ err: error, queue: name, jobId: job.id }, 'job failed; the queue retries it');
            throw storedJobError(error);
          }
        }
        // pg-boss waits a polling interval after every fetch; after a job, more may be waiting, so fetch again
        // at once (a burst of events drains at handler speed, not at one job per interval).
        if (jobs.length && workerId) boss.notifyWorker(workerId);
      });
      workers.set(name, [...(workers.get(name) ?? []), workerId]);
    },
    async state(name, id) {
      const job = await boss.getJobById(name, id);
      return job?.state;
    },
    expireNow: () => boss.expire(),
    running: () => !stopped,
    async stop() {
      stopped = true;
      bookkeepingListeners.delete(onBookkeepingFailure);
      // Graceful: running handlers finish before the queue lets go of the database.
      await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
    },
  };
}
