import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, migrateDatabase, openDatabase, pgliteDatabase } from '../src/db/client';
import { startJobQueue } from '../src/jobs/queue';
import { createLogger } from '../src/logger';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** PGlite always; real PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * Where a test run's migrated templates are (set by `createTestTemplates` in the run's global set-up).
 * Without them (a benchmark, a script) every database is migrated on its own.
 */
const PGLITE_TEMPLATE_ENV = 'TEST_PGLITE_TEMPLATE';
const POSTGRES_TEMPLATE_ENV = 'TEST_POSTGRES_TEMPLATE';

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new PostgreSQL database
 * that is dropped again on close, so tests never see each other's rows. Copying the run's migrated template
 * (schema and job-queue tables) takes a fraction of migrating each database.
 */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    const template = process.env[PGLITE_TEMPLATE_ENV];
    if (template) {
      return pgliteDatabase(await PGlite.create({ loadDataDir: new Blob([await readFile(template)]) }));
    }
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateDatabase(database);
    return database;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const template = process.env[POSTGRES_TEMPLATE_ENV];
  const name = await createPostgresDatabase(adminUrl, template);
  const database = await openDatabase({ url: databaseUrl(adminUrl, name) });
  if (!template) await migrateDatabase(database);
  return {
    ...database,
    async close() {
      await database.close();
      await dropPostgresDatabase(adminUrl, name);
    },
  };
}

/**
 * Migrates one PGlite and (with TEST_DATABASE_URL) one PostgreSQL template for a test run, and points
 * `createTestDatabase` at them through the environment the test workers inherit. `remove` deletes them.
 */
export async function createTestTemplates(pgliteDumpFile: string): Promise<{ remove(): Promise<void> }> {
  const client = await PGlite.create();
  try {
    await prepareTemplate(pgliteDatabase(client));
    const dump = await client.dumpDataDir('none');
    await writeFile(pgliteDumpFile, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  let postgresTemplate: string | undefined;
  if (adminUrl) {
    postgresTemplate = await createPostgresDatabase(adminUrl);
    const database = await openDatabase({ url: databaseUrl(adminUrl, postgresTemplate) });
    try {
      await prepareTemplate(database);
    } finally {
      await database.close();
    }
    process.env[POSTGRES_TEMPLATE_ENV] = postgresTemplate;
  }
  process.env[PGLITE_TEMPLATE_ENV] = pgliteDumpFile;
  return {
    async remove() {
      delete process.env[PGLITE_TEMPLATE_ENV];
      delete process.env[POSTGRES_TEMPLATE_ENV];
      await rm(pgliteDumpFile, { force: true });
      if (adminUrl && postgresTemplate) await dropPostgresDatabase(adminUrl, postgresTemplate);
    },
  };
}

/** Migrations plus the job queue's own tables, which pg-boss would otherwise create in every database. */
async function prepareTemplate(database: Database) {
  await migrateDatabase(database);
  const queue = await startJobQueue(database, createLogger({ level: 'silent' }));
  await queue.stop();
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createPostgresDatabase(adminUrl: string, template?: string): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return name;
}

async function dropPostgresDatabase(adminUrl: string, name: string) {
  const cleanup = new pg.Client({ connectionString: adminUrl });
  await cleanup.connect();
  try {
    await cleanup.query(`drop database if exists ${name} with (force)`);
  } finally {
    await cleanup.end();
  }
}
