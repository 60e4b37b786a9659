import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { newAdminSecret, writeLocalAdminEndpoint } from './admin/local-admin';
import { localAdminRoutes } from './admin/routes';
import { buildApp } from './app';
import { FairShare } from './atlassian/fair-share';
import { RateLimitBudget } from './atlassian/rate-limit';
import { registerSecurityJobs } from './auth/prune';
import { KeyRevocations } from './auth/revocation';
import { type Config, frozenConfig } from './config';
import { type Clock, type Services, systemClock } from './context';
import { Encryptor, loadKeyRing } from './crypto/encryption';
import { type Database, migrateDatabase, openDatabase } from './db/client';
import { registerForgeJobs } from './forge/jobs';
import { startJobQueue } from './jobs/queue';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics/service';
import { ProxyAuditWriter } from './proxy/audit';
import { createProxyCaches } from './proxy/hot-cache';
import { ImpersonationTokens } from './proxy/impersonation';
import { isProxyTarget, serveProxyHotPath } from './proxy/service';
import { createSyncRuntime } from './sync/jira-client';
import { registerSyncJobs } from './sync/jobs';
import { registerWorkflowJobs } from './workflows/jobs';

export interface RunningBackend {
  url: string;
  services: Services;
  app: ReturnType<typeof buildApp>;
  /** Stops taking requests, lets running requests and jobs finish, then closes the database. */
  close(): Promise<void>;
}

/** The services every route and job shares, with the process's in-memory state; starts the job queue. */
export async function createServices(options: {
  config: Config;
  database: Database;
  logger: Logger;
  encryptor: Encryptor;
  clock?: Clock;
}): Promise<Services> {
  const { database, logger, encryptor } = options;
  const config = frozenConfig(options.config);
  const queue = await startJobQueue(database, logger);
  const clock = options.clock ?? systemClock;
  const services = { config, database, db: database.db, logger, queue, clock, encryptor } as Services;
  services.state = {
    tokenRefreshes: new Map(),
    tokenChecks: new Map(),
    forgeJwks: new Map(),
    rateLimits: new RateLimitBudget(() => clock.now()),
    proxyCaches: createProxyCaches(),
    proxyUserCredentials: new Map(),
    consoleBundles: new Map(),
    proxyAudit: new ProxyAuditWriter(services),
    impersonationTokens: new ImpersonationTokens(services),
    sync: createSyncRuntime(),
    keyRevocations: new KeyRevocations(services),
    failedKeyBlocks: new Map(),
    teamRequestWindows: new Map(),
    fairShare: new FairShare(() => clock.now().getTime()),
    metrics: new Metrics(),
  };
  let closing: Promise<void> | undefined;
  services.close = () => {
    closing ??= (async () => {
      await services.state.proxyAudit.close();
      await queue.stop();
      services.state.tokenRefreshes.clear();
      services.state.tokenChecks.clear();
      // Decrypted tokens do not outlive the services that held them.
      services.state.proxyUserCredentials.clear();
      services.state.forgeJwks.clear();
      services.state.failedKeyBlocks.clear();
      services.state.teamRequestWindows.clear();
    })();
    return closing;
  };
  return services;
}

/**
 * The HTTP listener of a backend: proxied Jira calls are the hot path (they skip routing and web-standard
 * Request/Response objects, but not the request-shape gate); everything else goes to the app. Until `target`
 * gives the services and app, requests answer 503.
 */
export function backendRequestListener(
  target: () => { services: Services; app: ReturnType<typeof buildApp> } | undefined,
) {
  const routed = getRequestListener((request, env) => {
    const ready = target();
    return ready ? ready.app.fetch(request, env) : new Response(null, { status: 503 });
  });
  return (req: IncomingMessage, res: ServerResponse) => {
    const ready = target();
    if (ready && isProxyTarget(req.url ?? '')) serveProxyHotPath(ready.services, req, res);
    else void routed(req, res);
  };
}

/**
 * Starts one backend process: database (migrated), HTTP server, services, queue workers. With
 * `publicUrlFromAddress` (tests and benchmarks on port 0), the public URL is the address the server got.
 */
export async function startBackend(options: {
  config: Config;
  logger?: Logger;
  database?: Database;
  clock?: Clock;
  encryptor?: Encryptor;
  publicUrlFromAddress?: boolean;
  /** Told each step as it begins, so `npm start` can show where a slow start is. */
  progress?: (step: string) => void;
}): Promise<RunningBackend> {
  const progress = options.progress ?? (() => {});
  const logger = options.logger ?? createLogger({ level: options.config.logLevel });
  if (!options.database) progress('Opening database…');
  const database =
    options.database ??
    (await openDatabase({
      url: options.config.databaseUrl,
      dataDir: options.config.dataDir,
      onConnectionError: (error) =>
        logger.warn({ err: error }, 'database connection lost; the pool replaces it'),
    }));
  progress('Migrating…');
  await migrateDatabase(database);
  progress('Starting server…');

  // Listening comes first so the configuration can name the real port; requests wait for the app.
  let ready: { services: Services; app: ReturnType<typeof buildApp> } | undefined;
  const server = createServer(backendRequestListener(() => ready));
  // Idle connections outlive a load balancer's own (AWS's default is 60 s): with Node's 5 s, a balancer (or any
  // client pool) can reuse a connection just as Node closes it, and its request fails with a 502 or a reset.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    // A taken port is one clear line at start, not a stack trace.
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.config.port} on ${options.config.host} is already in use: stop what uses it or set PORT to a free port.`,
            )
          : error,
      ),
    );
    server.listen(options.config.port, options.config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.config.host === '0.0.0.0' ? '127.0.0.1' : options.config.host;
  const url = `http://${host}:${port}`;
  const config = options.publicUrlFromAddress ? { ...options.config, port, publicUrl: url } : options.config;

  const started = await createServices({
    config,
    database,
    logger,
    clock: options.clock,
    encryptor: options.encryptor ?? new Encryptor(loadKeyRing(config).keys),
  });
  if (config.jobsEnabled) await registerForgeJobs(started);
  if (config.jobsEnabled) await registerSyncJobs(started);
  if (config.jobsEnabled) await registerSecurityJobs(started);
  if (config.jobsEnabled) await registerWorkflowJobs(started);
  const built = buildApp(started);
  // The embedded database is this process's alone, so the CLI asks this process to run its commands.
  const adminSecret = !options.database && database.kind === 'pglite' ? newAdminSecret() : undefined;
  if (adminSecret) built.route('/', localAdminRoutes(adminSecret));
  const removeAdminEndpoint = adminSecret
    ? writeLocalAdminEndpoint(config.dataDir, { url, secret: adminSecret, pid: process.pid })
    : () => undefined;
  ready = { services: started, app: built };

  let closing: Promise<void> | undefined;
  return {
    url,
    services: started,
    app: built,
    close() {
      closing ??= (async () => {
        removeAdminEndpoint();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await started.close();
        if (!options.database) await database.close();
      })();
      return closing;
    },
  };
}
