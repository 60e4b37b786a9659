import { keyMessages, workspaceMessages } from '@jira-integration/shared/security-messages';
import { eq } from 'drizzle-orm';
import { createApiKey, createTeam, listApiKeys, revokeApiKey } from './auth/keys';
import { ConfigError, loadConfig } from './config';
import { Encryptor, generateKey, loadKeyRing, saveKeyFile } from './crypto/encryption';
import { reencryptAll } from './crypto/rotation';
import { migrateDatabase, openDatabase } from './db/client';
import { teams, workspaces } from './db/schema';

const USAGE = `Usage:
  npm run cli -- team create <name> [--workspace <id>|--new-workspace]
                                             create a team (in an existing workspace, or by default
                                             in a new one: a new customer) and print its first API key
  npm run cli -- team list                   list teams with their workspace
  npm run cli -- workspace list              list workspaces (customers)
  npm run cli -- key create <teamId> [name]  create another API key for a team
  npm run cli -- key list <teamId>           list a team's keys (never the keys themselves)
  npm run cli -- key revoke <teamId> <keyId> revoke a key (not the team's last active one)
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
      const at = rest.indexOf('--workspace');
      const workspaceId = at === -1 ? undefined : rest[at + 1];
      const name = rest.filter(
        (word, index) => word !== '--new-workspace' && (at === -1 || (index !== at && index !== at + 1)),
      );
      if (at !== -1) {
        const [workspace] = await db
          .select()
          .from(workspaces)
          .where(eq(workspaces.id, workspaceId ?? ''));
        if (!workspace) throw new Error(workspaceMessages.workspaceNotFound(workspaceId ?? ''));
      }
      const team = await createTeam(db, name.join(' '), { workspaceId });
      const { key } = await createApiKey(db, team.id);
      console.log(
        `Team "${team.name}" (${team.id}) in workspace ${team.workspaceId}\nAPI key (shown once): ${key}`,
      );
    } else if (noun === 'team' && verb === 'list') {
      for (const team of await db.select().from(teams)) {
        console.log(`${team.id}  ${team.name}  (workspace ${team.workspaceId})`);
      }
    } else if (noun === 'workspace' && verb === 'list') {
      for (const workspace of await db.select().from(workspaces))
        console.log(`${workspace.id}  ${workspace.name}`);
    } else if (noun === 'key' && verb === 'list' && rest[0]) {
      for (const key of await listApiKeys(db, rest[0])) {
        console.log(
          `${key.id}  ${key.prefix}…  ${key.name}  created ${key.createdAt}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}`,
        );
      }
    } else if (noun === 'key' && verb === 'revoke' && rest[0] && rest[1]) {
      await revokeApiKey(db, rest[0], rest[1], new Date());
      console.log(keyMessages.revoked);
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
