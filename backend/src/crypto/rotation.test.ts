import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, type TestContext } from '../../test-support/context';
import { getAccessToken } from '../connections/tokens';
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
});
