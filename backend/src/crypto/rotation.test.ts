import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, type TestContext } from '../../test-support/context';
import { getAccessToken } from '../connections/tokens';
import { ENCRYPTED, ENCRYPTED_COLUMNS } from '../db/encrypted-columns';
import * as schema from '../db/schema';
import { SYSTEM_TOKEN_PURPOSE } from '../forge/credentials';
import { Encryptor, generateKey } from './encryption';
import { reencryptAll } from './rotation';

describe('key rotation', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('re-encrypts stored tokens under the new key; old and new rings both read them meanwhile', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'cloud-1',
      accessToken: 'access-before-rotation',
      refreshToken: 'refresh-before-rotation',
      method: 'custom',
      clientSecret: 'custom-secret-value',
    });
    const oldEncryptor = t.services.encryptor;
    const newKey = { ...generateKey(), id: 'rotated' };
    const rotated = new Encryptor([newKey, ...oldEncryptor.keys]);

    const first = await reencryptAll(t.services.database, rotated);
    expect(first).toEqual({ reencrypted: 3, alreadyCurrent: 0 });
    const second = await reencryptAll(t.services.database, rotated);
    expect(second).toEqual({ reencrypted: 0, alreadyCurrent: 3 });

    const { rows } = await t.services.database.executor.executeSql(
      'select access_token_encrypted as a, refresh_token_encrypted as r, client_secret_encrypted as s from jira_connections where id = $1',
      [connection.id],
    );
    const row = rows[0] as { a: string; r: string; s: string };
    for (const value of [row.a, row.r, row.s]) expect(Encryptor.keyIdOf(value)).toBe('rotated');
    t.services.encryptor = rotated;
    const [reloaded] = await t.services.db.query.jiraConnections.findMany({
      where: (c, { eq }) => eq(c.id, connection.id),
    });
    expect(await getAccessToken(t.services, reloaded)).toBe('access-before-rotation');
  });

  it('lists every encrypted column of the schema, each with its table key', () => {
    const tables = (Object.values(schema) as unknown[]).filter(
      (value): value is PgTable => typeof value === 'object' && value !== null && 'getSQL' in value,
    );
    const inSchema = tables.flatMap((table) => {
      const { name, columns } = getTableConfig(table);
      return columns
        .filter((column) => column.name.endsWith('_encrypted'))
        .map((column) => `${name}.${column.name}`);
    });
    expect(inSchema.length).toBeGreaterThan(0);
    expect(ENCRYPTED_COLUMNS.map(({ table, column }) => `${table}.${column}`).sort()).toEqual(
      inSchema.sort(),
    );
    for (const { table, key } of ENCRYPTED_COLUMNS) {
      const config = getTableConfig(tables.find((candidate) => getTableConfig(candidate).name === table)!);
      expect(config.columns.find((column) => column.name === key)?.primary).toBe(true);
    }
  });

  it('re-encrypts every encrypted column, the Forge system token and OAuth attempts included', async () => {
    const old = t.services.encryptor;
    const rows = {
      connection: await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'cloud-every-column',
        accessToken: 'access',
        refreshToken: 'refresh',
        method: 'custom',
        clientSecret: 'secret',
      }),
    };
    await t.services.db.insert(schema.forgeInstallations).values({
      cloudId: 'cloud-every-column',
      installationId: 'installation-1',
      apiBaseUrl: 'https://api.example',
      systemTokenEncrypted: old.encrypt('system-token', SYSTEM_TOKEN_PURPOSE),
      systemTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
      installedAt: new Date(),
      updatedAt: new Date(),
    });
    await t.services.db.insert(schema.oauthStates).values({
      stateHash: 'state-every-column',
      teamId: t.team.id,
      method: 'custom',
      clientId: 'custom-client',
      clientSecretEncrypted: old.encrypt('state-secret', ENCRYPTED.stateClientSecret.purpose),
      codeVerifierEncrypted: old.encrypt('verifier', ENCRYPTED.codeVerifier.purpose),
      redirectUri: 'http://localhost/callback',
      createdAt: new Date(),
    });
    const rotated = new Encryptor([{ ...generateKey(), id: 'every' }, ...old.keys]);
    await reencryptAll(t.services.database, rotated);
    for (const { table, column, purpose } of ENCRYPTED_COLUMNS) {
      const { rows: values } = await t.services.database.executor.executeSql(
        `select ${column} as value from ${table} where ${column} is not null`,
        [],
      );
      expect(values.length, `${table}.${column} has rows`).toBeGreaterThan(0);
      for (const { value } of values as Array<{ value: string }>) {
        expect(Encryptor.keyIdOf(value), `${table}.${column}`).toBe('every');
        expect(() => rotated.decrypt(value, purpose)).not.toThrow();
      }
    }
    expect(rows.connection.id).toBeTruthy();
  });
});
