import type { Config } from './config';
import type { Encryptor } from './crypto/encryption';
import type { Database, Db } from './db/client';
import type { JobQueue } from './jobs/queue';
import type { Logger } from './logger';

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
}

export interface AppEnv {
  Variables: {
    services: Services;
    teamId: string;
    /** The API key acting (directly, or through the console session it signed in). */
    actorKeyId?: string;
  };
}
