import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock';
import { defaultPgliteTemplateFile, readPgliteTemplate } from './pglite-template';
import * as schema from './schema';

export type Schema = typeof schema;
/** The one database type the services use; PGlite and PostgreSQL both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** What pg-boss needs to run SQL when it does not own the connection. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** For PostgreSQL the queue opens its own pool from this URL; for PGlite it goes through `executor`. */
  url?: string;
  executor: SqlExecutor;
  close(): Promise<void>;
}

/** backend/drizzle from the source tree; `drizzle/` beside the bundle in a build (scripts/build.ts copies it). */
const here = path.dirname(fileURLToPath(import.meta.url));
const migrationsFolder = [path.join(here, '../../drizzle'), path.join(here, 'drizzle')].find((folder) =>
  existsSync(path.join(folder, 'meta/_journal.json')),
) as string;

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite (in memory when dataDir is 'memory://'). */
export async function openDatabase(options: {
  url?: string;
  dataDir?: string;
  /** Told about connections the server dropped (the pool replaces them); default: ignored. */
  onConnectionError?: (error: Error) => void;
  /** The prepared empty PGlite folder a new data folder starts from (tests name their own). */
  pgliteTemplateFile?: string;
}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.onConnectionError ?? (() => undefined));
  return openPglite(options.dataDir ?? './.data', options.pgliteTemplateFile);
}

/** SQLSTATEs and socket errors that mean "this connection is gone", not "this statement is wrong". */
const CONNECTION_LOST_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  'ECONNRESET',
  'EPIPE',
]);

/** True when the error (or what it wraps, as drizzle does) is a lost database connection; worth one retry. */
export function isConnectionLost(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection error and is not queryable|connection .*(closed|ended)/i.test(message)
    )
      return true;
    current = cause;
  }
  return false;
}

/**
 * A value PostgreSQL refused (SQLSTATE class 22: an unstorable character, text for a typed column, a number out
 * of range): the input's fault, not the database's. Gives the column when PostgreSQL names it, and never the
 * value or the query's parameters.
 */
export function refusedValue(error: unknown): { sqlState: string; column?: string } | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, column, cause } = current as { code?: unknown; column?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code))
      return { sqlState: code, ...(typeof column === 'string' ? { column } : {}) };
    current = cause;
  }
  return undefined;
}

/**
 * Runs a short database step again on a fresh connection when its connection was lost (a terminated backend,
 * a failover); any other error, or a third loss, is passed on.
 */
export async function retryOnConnectionLoss<T>(step: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= attempts || !isConnectionLost(error)) throw error;
    }
  }
}

async function openPostgres(url: string, onError: (error: Error) => void): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A pg client whose connection the server drops (restart, failover, pg_terminate_backend) emits 'error', and
  // an unheard 'error' kills the process. The pool hears its idle clients; checked-out ones (a transaction
  // between statements) get their own listener. The statement that was running fails on its own.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  // Surface a wrong URL or a stopped server at start, not at the first request.
  await pool.query('select 1');
  return {
    db: drizzlePg(pool, { schema }) as unknown as Db,
    kind: 'postgres',
    url,
    executor: { executeSql: (text, values) => pool.query(text, values) },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string, templateFile?: string): Promise<Database> {
  const inMemory = dataDir === 'memory://';
  const folder = path.join(dataDir, 'pglite');
  if (!inMemory) mkdirSync(folder, { recursive: true });
  const unlock = inMemory ? () => undefined : lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = inMemory ? await PGlite.create() : await createPgliteFolder(folder, templateFile);
  } catch (error) {
    unlock();
    throw error;
  }
  const database = pgliteDatabase(client);
  return {
    ...database,
    async close() {
      await database.close();
      unlock();
    },
  };
}

/**
 * Opens the data folder; a new (empty) one starts from the prepared template when there is one. A template that
 * does not load is set aside: the folder is emptied and PGlite creates it as it would without one.
 */
async function createPgliteFolder(
  folder: string,
  templateFile = defaultPgliteTemplateFile(),
): Promise<PGlite> {
  const template = readdirSync(folder).length === 0 ? readPgliteTemplate(templateFile) : undefined;
  if (template) {
    try {
      return await PGlite.create(folder, { loadDataDir: new Blob([template]) });
    } catch {
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
    }
  }
  return PGlite.create(folder);
}

/** The Database over an open PGlite instance. */
export function pgliteDatabase(client: PGlite): Database {
  return {
    db: drizzlePglite(client, { schema }) as unknown as Db,
    kind: 'pglite',
    executor: {
      // pg-boss sends multi-statement scripts without parameters; PGlite's `exec` runs those.
      async executeSql(text, values) {
        if (values && values.length > 0) return client.query(text, values);
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      },
    },
    close: () => client.close(),
  };
}

/** Applies pending migrations; on PostgreSQL an advisory lock keeps concurrent starts from racing. */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as Parameters<typeof migratePglite>[0], { migrationsFolder });
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  client.on('error', () => undefined); // its statement fails too, and start-up reports that
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7042001)');
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(7042001)').catch(() => undefined);
    await client.end();
  }
}

export { schema };
