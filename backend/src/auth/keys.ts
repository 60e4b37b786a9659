import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { keyMessages } from '@jira-integration/shared/security-messages';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { writeAudit } from '../audit/log';
import type { Db } from '../db/client';
import { apiKeys, consoleSessions, teams, workspaces } from '../db/schema';
import { ApiError } from '../http/errors';

const KEY_PREFIX = 'jik_';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedKey {
  id: string;
  teamId: string;
  /** The key itself: returned once, never stored. */
  key: string;
}

export interface Team {
  id: string;
  name: string;
  workspaceId: string;
}

export async function createWorkspace(db: Db, name: string): Promise<{ id: string; name: string }> {
  const workspace = { id: randomUUID(), name };
  await db.insert(workspaces).values(workspace);
  return workspace;
}

/**
 * A team in an existing workspace (same customer), or by default in a new workspace of its own: a team never
 * shares a customer's site approvals unless someone says it belongs to that customer.
 */
export async function createTeam(
  db: Db,
  name: string,
  options: { workspaceId?: string } = {},
): Promise<Team> {
  const workspaceId = options.workspaceId ?? (await createWorkspace(db, name)).id;
  const team = { id: randomUUID(), name, workspaceId };
  await db.insert(teams).values(team);
  return team;
}

/** A new key for the team, with its audit row in the same transaction. */
export async function createApiKey(
  db: Db,
  teamId: string,
  name = 'default',
  actor?: string,
): Promise<CreatedKey> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(apiKeys).values({ id, teamId, name, prefix: key.slice(0, 10), hash: hashSecret(key) });
    await writeAudit(tx, { teamId, action: 'api_key.created', target: id, actor, detail: { name } });
  });
  return { id, teamId, key };
}

/** The public view of a key: never its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function listApiKeys(db: Db, teamId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.teamId, teamId))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }));
}

/**
 * Revokes one of the team's keys and ends the console sessions it opened, in one transaction. The team's
 * last active key is never revoked (409): a team without a key could not sign in again. Revoking a key
 * that is already revoked changes nothing.
 */
export async function revokeApiKey(
  db: Db,
  teamId: string,
  keyId: string,
  now: Date,
  actor?: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    // Locking the team's active keys serialises two revocations that would otherwise both see "one left".
    const active = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.teamId, teamId), isNull(apiKeys.revokedAt)))
      .for('update');
    const [key] = await tx
      .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.teamId, teamId)));
    if (!key) throw new ApiError('api_key_not_found', keyMessages.notFound);
    if (key.revokedAt) return;
    if (active.length <= 1) throw new ApiError('last_api_key', keyMessages.lastKey);
    await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, keyId));
    await tx.delete(consoleSessions).where(eq(consoleSessions.apiKeyId, keyId));
    await writeAudit(tx, { teamId, action: 'api_key.revoked', target: keyId, actor });
  });
}

/** The team a key belongs to, or undefined for unknown and revoked keys. */
/** How the audit log names an API key that acted: by its prefix, which the Keys page shows too. */
export const keyActor = (prefix: string) => `key ${prefix}…`;
/** How it names a console session: by the key it was opened with, so two people's sessions stay apart. */
export const consoleActor = (prefix: string) => `console (key ${prefix}…)`;

export async function findTeamByApiKey(
  db: Db,
  key: string,
): Promise<{ teamId: string; keyId: string; prefix: string } | undefined> {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const [row] = await db
    .select({ teamId: apiKeys.teamId, keyId: apiKeys.id, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashSecret(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

/** On an empty database, creates the first workspace, its first team and key so a new install can be used at once. */
export async function bootstrapFirstTeam(
  db: Db,
): Promise<{ team: { id: string; name: string; workspaceId: string }; key: string } | undefined> {
  const existing = await db.select({ id: teams.id }).from(teams).limit(1);
  if (existing.length > 0) return undefined;
  const workspace = await createWorkspace(db, 'My workspace');
  const team = await createTeam(db, 'My team', { workspaceId: workspace.id });
  const { key } = await createApiKey(db, team.id, 'first key');
  return { team, key };
}
