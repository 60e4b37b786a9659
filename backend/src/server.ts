import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { buildApp } from './app';
import type { Config } from './config';
import { type Clock, type Services, systemClock } from './context';
import { Encryptor, loadKeyRing } from './crypto/encryption';
import { type Database, migrateDatabase, openDatabase } from './db/client';
import { registerForgeJobs } from './forge/jobs';
import { registerPingJob } from './jobs/example';
import { startJobQueue } from './jobs/queue';
import { createLogger, type Logger } from './logger';
import { flushProxyAudit } from './proxy/audit';
import { registerWorkflowJobs } from './workflows/jobs';

export interface RunningBackend {
  url: string;
  services: Services;
  /** Stops taking requests, lets running requests and jobs finish, then closes the database. */
  close(): Promise<void>;
}

/** The services every route and job shares; starts the job queue on the (already migrated) database. */
export async function createServices(options: {
  config: Config;
  database: Database;
  logger: Logger;
  encryptor: Encryptor;
  clock?: Clock;
}): Promise<Services> {
  const { config, database, logger, encryptor } = options;
  const queue = await startJobQueue(database, logger);
  return { config, database, db: database.db, logger, queue, clock: options.clock ?? systemClock, encryptor };
}

/** Starts one backend process: database (migrated), queue workers, HTTP server. */
export async function startBackend(options: {
  config: Config;
  logger?: Logger;
  database?: Database;
  clock?: Clock;
  encryptor?: Encryptor;
}): Promise<RunningBackend> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const database =
    options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  await migrateDatabase(database);
  const services = await createServices({
    config,
    database,
    logger,
    clock: options.clock,
    encryptor: options.encryptor ?? new Encryptor(loadKeyRing(config).keys),
  });
  const { queue } = services;
  if (config.jobsEnabled) await registerPingJob(queue, database.db);
  if (config.jobsEnabled) await registerForgeJobs(services);
  if (config.jobsEnabled) await registerWorkflowJobs(services);

  const app = buildApp(services);
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    services,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await flushProxyAudit(services);
        await queue.stop();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}
