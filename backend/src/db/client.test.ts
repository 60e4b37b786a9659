import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKinds } from '../../test-support/database';
import { createApiKey, createTeam, findTeamByApiKey } from '../auth/keys';
import { migrateDatabase } from './client';

describe.each(testDatabaseKinds())('database on %s', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('has the migrated tables', async () => {
    const result = await database.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = (result as unknown as { rows: { table_name: string }[] }).rows.map((row) => row.table_name);
    expect(names).toEqual(expect.arrayContaining(['api_keys', 'audit_log', 'console_sessions', 'teams']));
  });

  it('applies migrations idempotently', async () => {
    await migrateDatabase(database);
    await migrateDatabase(database);
  });

  it('stores and finds teams by key the same way', async () => {
    const team = await createTeam(database.db, 'Acme');
    const { key } = await createApiKey(database.db, team.id);
    expect(await findTeamByApiKey(database.db, key)).toMatchObject({ teamId: team.id });
    expect(await findTeamByApiKey(database.db, `${key}0`)).toBeUndefined();
  });
});
