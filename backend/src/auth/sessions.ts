import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, consoleSessions } from '../db/schema';
import { findTeamByApiKey, hashSecret } from './keys';

export const SESSION_COOKIE = 'console_session';
const SESSION_DAYS = 7;

/** A console session opened with one API key: it lasts 7 days, or until that key is revoked. */
export async function createConsoleSession(
  db: Db,
  teamId: string,
  apiKeyId: string,
  now = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await db.insert(consoleSessions).values({ hash: hashSecret(token), teamId, apiKeyId, expiresAt });
  return token;
}

/** Console login: a session for the key's team, or undefined when the key is unknown or revoked. */
export async function signInWithApiKey(
  db: Db,
  apiKey: string,
  now = new Date(),
): Promise<string | undefined> {
  const found = await findTeamByApiKey(db, apiKey);
  return found ? createConsoleSession(db, found.teamId, found.keyId, now) : undefined;
}

/** The session's team and the API key it was opened with (the console acts as that key). */
export async function findConsoleSession(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ teamId: string; apiKeyId: string; keyPrefix: string } | undefined> {
  // The join re-checks the key on every request, so a revoked key's sessions end on every process at once.
  const [row] = await db
    .select({ teamId: consoleSessions.teamId, apiKeyId: consoleSessions.apiKeyId, keyPrefix: apiKeys.prefix })
    .from(consoleSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, consoleSessions.apiKeyId))
    .where(
      and(
        eq(consoleSessions.hash, hashSecret(token)),
        gt(consoleSessions.expiresAt, now),
        isNull(apiKeys.revokedAt),
      ),
    )
    .limit(1);
  return row;
}

export async function deleteConsoleSession(db: Db, token: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.hash, hashSecret(token)));
}

/** Removes expired sessions (the periodic prune job); returns how many. */
export async function pruneExpiredSessions(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(consoleSessions)
    .where(lte(consoleSessions.expiresAt, now))
    .returning({ hash: consoleSessions.hash });
  return removed.length;
}
