import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, teams } from '../db/schema';

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

export async function createTeam(db: Db, name: string): Promise<{ id: string; name: string }> {
  const team = { id: randomUUID(), name };
  await db.insert(teams).values(team);
  return team;
}

export async function createApiKey(db: Db, teamId: string, name = 'default'): Promise<CreatedKey> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const id = randomUUID();
  await db.insert(apiKeys).values({ id, teamId, name, prefix: key.slice(0, 10), hash: hashSecret(key) });
  return { id, teamId, key };
}

/** The team a key belongs to, or undefined for unknown and revoked keys. */
export async function findTeamByApiKey(
  db: Db,
  key: string,
): Promise<{ teamId: string; keyId: string } | undefined> {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const [row] = await db
    .select({ teamId: apiKeys.teamId, keyId: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashSecret(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

/** On an empty database, creates the first team and its key so a new install can be used at once. */
export async function bootstrapFirstTeam(
  db: Db,
): Promise<{ team: { id: string; name: string }; key: string } | undefined> {
  const existing = await db.select({ id: teams.id }).from(teams).limit(1);
  if (existing.length > 0) return undefined;
  const team = await createTeam(db, 'My team');
  const { key } = await createApiKey(db, team.id, 'first key');
  return { team, key };
}
