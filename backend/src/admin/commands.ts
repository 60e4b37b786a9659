/**
 * The command-line actions (`npm run cli -- …`). The CLI runs them on the database itself, or, while a server
 * holds the embedded database, asks that server to run them (admin/routes.ts), so the output is the same.
 */
import { operationsMessages } from '@jira-integration/shared';
import { keyMessages, workspaceMessages } from '@jira-integration/shared/security-messages';
import { eq } from 'drizzle-orm';
import { createApiKey, createTeam, listApiKeys, revokeApiKey } from '../auth/keys';
import type { Config } from '../config';
import { Encryptor, generateKey, loadKeyRing, saveKeyFile } from '../crypto/encryption';
import { reencryptAll } from '../crypto/rotation';
import type { Database } from '../db/client';
import { teams, workspaces } from '../db/schema';
import { ApiError } from '../http/errors';

export const USAGE = `Usage:
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

export interface CommandResult {
  output: string[];
  errors: string[];
  exitCode: number;
}

/** Where a command runs: 'server' when a running server runs it for the CLI. */
export type CommandHost = 'cli' | 'server';

export async function runCommand(
  context: { database: Database; config: Config; host: CommandHost },
  args: string[],
): Promise<CommandResult> {
  const result: CommandResult = { output: [], errors: [], exitCode: 0 };
  const fail = (message: string, exitCode = 1) => {
    result.errors.push(message);
    result.exitCode = exitCode;
    return result;
  };
  const { database, config } = context;
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
      if (!workspace) return fail(`Error: ${workspaceMessages.workspaceNotFound(workspaceId ?? '')}`);
    }
    const team = await createTeam(db, name.join(' '), { workspaceId });
    const { key } = await createApiKey(db, team.id);
    result.output.push(
      `Team "${team.name}" (${team.id}) in workspace ${team.workspaceId}`,
      `API key (shown once): ${key}`,
    );
  } else if (noun === 'team' && verb === 'list') {
    for (const team of await db.select().from(teams)) {
      result.output.push(`${team.id}  ${team.name}  (workspace ${team.workspaceId})`);
    }
  } else if (noun === 'workspace' && verb === 'list') {
    for (const workspace of await db.select().from(workspaces)) {
      result.output.push(`${workspace.id}  ${workspace.name}`);
    }
  } else if (noun === 'key' && verb === 'list' && rest[0]) {
    for (const key of await listApiKeys(db, rest[0])) {
      const revoked = key.revokedAt ? `  revoked ${key.revokedAt}` : '';
      result.output.push(`${key.id}  ${key.prefix}…  ${key.name}  created ${key.createdAt}${revoked}`);
    }
  } else if (noun === 'key' && verb === 'revoke' && rest[0] && rest[1]) {
    try {
      await revokeApiKey(db, rest[0], rest[1], new Date());
    } catch (error) {
      if (error instanceof ApiError) return fail(`Error: ${error.message}`);
      throw error;
    }
    result.output.push(keyMessages.revoked);
  } else if (noun === 'key' && verb === 'create' && rest[0]) {
    const [team] = await db.select().from(teams).where(eq(teams.id, rest[0]));
    if (!team) return fail(`Error: No team with id ${rest[0]}`);
    const { key } = await createApiKey(db, team.id, rest[1] ?? 'cli');
    result.output.push(`API key for "${team.name}" (shown once): ${key}`);
  } else if (noun === 'keys' && verb === 'rotate') {
    if (context.host === 'server') return fail(operationsMessages.keysRotateNeedsStoppedServer);
    const ring = loadKeyRing(config);
    let keys = ring.keys;
    if (ring.source === 'file' && ring.file) {
      keys = [generateKey(), ...ring.keys];
      saveKeyFile(ring.file, keys);
      result.output.push(`New key ${keys[0].id} is now active in ${ring.file}.`);
    } else {
      result.output.push(`Active key from ENCRYPTION_KEYS: ${keys[0].id}.`);
    }
    const rotated = await reencryptAll(database, new Encryptor(keys));
    result.output.push(
      `Re-encrypted ${rotated.reencrypted} secrets; ${rotated.alreadyCurrent} were already under the active key.`,
      'Old keys can be removed once every process runs with the new ring.',
    );
  } else {
    return fail(USAGE, 2);
  }
  return result;
}
