import PgBoss from 'pg-boss';
import type { Database } from '../db/client';
import type { Logger } from '../logger';

export type JobHandler<T> = (data: T, job: { id: string; name: string }) => Promise<void>;

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
  work<T>(name: string, handler: JobHandler<T>): Promise<void>;
  /** Completed, failed, active... as pg-boss reports it. */
  state(name: string, id: string): Promise<string | undefined>;
  stop(): Promise<void>;
  boss: PgBoss;
}

export async function startJobQueue(database: Database, logger: Logger): Promise<JobQueue> {
  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 4 })
      : new PgBoss({ db: database.executor, schema: 'pgboss' });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const created = new Set<string>();
  async function ensureQueue(name: string) {
    if (created.has(name)) return;
    await boss.createQueue(name);
    created.add(name);
  }
  return {
    boss,
    async send(name, data, options) {
      await ensureQueue(name);
      return boss.send(name, data, {
        retryLimit: 5,
        retryDelay: 5,
        retryBackoff: true,
        ...(options?.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options?.startAfter ? { startAfter: options.startAfter } : {}),
      });
    },
    async work(name, handler) {
      await ensureQueue(name);
      let workerId: string | undefined;
      workerId = await boss.work(name, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          await handler(job.data as never, { id: job.id, name: job.name });
        }
        // pg-boss waits a polling interval after every fetch; after a job, more may be waiting, so fetch again
        // at once (a burst of events drains at handler speed, not at one job per interval).
        if (jobs.length && workerId) boss.notifyWorker(workerId);
      });
    },
    async state(name, id) {
      const job = await boss.getJobById(name, id);
      return job?.state;
    },
    async stop() {
      // Graceful: running handlers finish before the queue lets go of the database.
      await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
    },
  };
}
