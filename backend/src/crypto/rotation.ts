import type { Database } from '../db/client';
import { ENCRYPTED_COLUMNS } from '../db/encrypted-columns';
import { Encryptor } from './encryption';

/**
 * Re-encrypts every secret that is not yet under the active key. Old keys stay usable for reading until
 * this has run, so rotation never makes a stored secret unreadable.
 */
export async function reencryptAll(
  database: Database,
  encryptor: Encryptor,
  columns: ReadonlyArray<{ table: string; key: string; column: string; purpose: string }> = ENCRYPTED_COLUMNS,
): Promise<{ reencrypted: number; alreadyCurrent: number }> {
  let reencrypted = 0;
  let alreadyCurrent = 0;
  for (const { table, key, column, purpose } of columns) {
    const { rows } = await database.executor.executeSql(
      `select ${key} as id, ${column} as value from ${table} where ${column} is not null`,
      [],
    );
    for (const row of rows as Array<{ id: string; value: string }>) {
      if (Encryptor.keyIdOf(row.value) === encryptor.activeKeyId) {
        alreadyCurrent += 1;
        continue;
      }
      const updated = encryptor.encrypt(encryptor.decrypt(row.value, purpose), purpose);
      // Compare-and-set: a value rewritten meanwhile (e.g. a token refresh) is already current.
      await database.executor.executeSql(
        `update ${table} set ${column} = $1 where ${key} = $2 and ${column} = $3`,
        [updated, row.id, row.value],
      );
      reencrypted += 1;
    }
  }
  return { reencrypted, alreadyCurrent };
}
