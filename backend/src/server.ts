import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
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
import { isProxyTarget, serveProxyCall } from './proxy/service';

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

  const app = buildApp(services);
  const routed = getRequestListener(app.fetch);
  // Proxied Jira calls are the hot path: they skip routing and web-standard Request/Response objects.
  const server = createServer((req, res) => {
    if (isProxyTarget(req.url ?? '')) void serveProxyCall(services, req, res);
    else void routed(req, res);
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    services,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => (server as Server).close(() => resolve()));
        await flushProxyAudit(services);
        await queue.stop();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}
