import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { newAdminSecret, writeLocalAdminEndpoint } from './admin/local-admin';
import { localAdminRoutes } from './admin/routes';
import { buildApp } from './app';
import type { Config } from './config';
import { type Clock, type Services, systemClock } from './context';
import { Encryptor, loadKeyRing } from './crypto/encryption';
import { type Database, migrateDatabase, openDatabase } from './db/client';
import { registerForgeJobs } from './forge/jobs';
import { registerPingJob } from './jobs/example';
import { startJobQueue } from './jobs/queue';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics/service';
import { flushProxyAudit } from './proxy/audit';

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
  return {
    config,
    database,
    db: database.db,
    logger,
    queue,
    clock: options.clock ?? systemClock,
    encryptor,
    metrics: new Metrics(),
  };
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use: stop what uses it or set PORT to a free port.`);
    this.name = 'PortInUseError';
  }
}

/** Listens, turning EADDRINUSE into an error that says what to do instead of a stack trace. */
function listenOn(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(started));
    started.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(config.host, config.port) : error),
    );
  });
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
    options.database ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      onConnectionError: (error) =>
        logger.warn({ err: error }, 'database connection lost; the pool replaces it'),
    }));
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
  // The embedded database is this process's alone, so the CLI asks this process to run its commands.
  const ownsEmbeddedDatabase = !options.database && database.kind === 'pglite';
  const adminSecret = ownsEmbeddedDatabase ? newAdminSecret() : undefined;
  if (adminSecret) app.route('/', localAdminRoutes(adminSecret));
  const server = await listenOn(app.fetch, config);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const removeAdminEndpoint = adminSecret
    ? writeLocalAdminEndpoint(config.dataDir, { url, secret: adminSecret, pid: process.pid })
    : () => undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    services,
    close() {
      closing ??= (async () => {
        removeAdminEndpoint();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await flushProxyAudit(services);
        await queue.stop();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}
