import { eq } from 'drizzle-orm';
import { createApiKey, createTeam } from './auth/keys';
import { ConfigError, loadConfig } from './config';
import { Encryptor, generateKey, loadKeyRing, saveKeyFile } from './crypto/encryption';
import { reencryptAll } from './crypto/rotation';
import { migrateDatabase, openDatabase } from './db/client';
import { teams } from './db/schema';

const USAGE = `Usage:
  npm run cli -- team create <name>          create a team and print its first API key
  npm run cli -- key create <teamId> [name]  create another API key for a team
  npm run cli -- team list                   list teams
  npm run cli -- keys rotate                 encrypt every stored secret with a new key
                                             (with ENCRYPTION_KEYS: put the new key first, then run this)`;

/** Small admin CLI working directly on the configured database. */
async function main(args: string[]) {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateDatabase(database);
    const { db } = database;
    const [noun, verb, ...rest] = args;
    if (noun === 'team' && verb === 'create' && rest[0]) {
      const team = await createTeam(db, rest.join(' '));
      const { key } = await createApiKey(db, team.id);
      console.log(`Team "${team.name}" (${team.id})\nAPI key (shown once): ${key}`);
    } else if (noun === 'team' && verb === 'list') {
      for (const team of await db.select().from(teams)) console.log(`${team.id}  ${team.name}`);
    } else if (noun === 'key' && verb === 'create' && rest[0]) {
      const [team] = await db.select().from(teams).where(eq(teams.id, rest[0]));
      if (!team) throw new Error(`No team with id ${rest[0]}`);
      const { key } = await createApiKey(db, team.id, rest[1] ?? 'cli');
      console.log(`API key for "${team.name}" (shown once): ${key}`);
    } else if (noun === 'keys' && verb === 'rotate') {
      const ring = loadKeyRing(config);
      let keys = ring.keys;
      if (ring.source === 'file' && ring.file) {
        keys = [generateKey(), ...ring.keys];
        saveKeyFile(ring.file, keys);
        console.log(`New key ${keys[0].id} is now active in ${ring.file}.`);
      } else {
        console.log(`Active key from ENCRYPTION_KEYS: ${keys[0].id}.`);
      }
      const result = await reencryptAll(database, new Encryptor(keys));
      console.log(
        `Re-encrypted ${result.reencrypted} secrets; ${result.alreadyCurrent} were already under the active key.`,
      );
      console.log('Old keys can be removed once every process runs with the new ring.');
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : `Error: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
