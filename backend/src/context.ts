import type { Config } from './config';
import type { Encryptor } from './crypto/encryption';
import type { Database, Db } from './db/client';
import type { JobQueue } from './jobs/queue';
import type { Logger } from './logger';
import type { Metrics } from './metrics/service';

/** Time is injected so expiry rules (OAuth state, tokens) can be tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a route or service needs, built once per process in main.ts (or per test). */
export interface Services {
  config: Config;
  database: Database;
  db: Db;
  logger: Logger;
  queue: JobQueue;
  clock: Clock;
  encryptor: Encryptor;
  /** This process's Prometheus metrics (GET /metrics). */
  metrics: Metrics;
}

export interface AppEnv {
  Variables: {
    services: Services;
    teamId: string;
    requestId: string;
  };
}
