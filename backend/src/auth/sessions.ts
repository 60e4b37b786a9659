import { randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { consoleSessions } from '../db/schema';
import { hashSecret } from './keys';

export const SESSION_COOKIE = 'console_session';
const SESSION_DAYS = 7;

export async function createConsoleSession(
  db: Db,
  teamId: string,
  now = new Date(),
  apiKeyId?: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await db.insert(consoleSessions).values({ hash: hashSecret(token), teamId, expiresAt, apiKeyId });
  return token;
}

export async function findTeamBySession(
  db: Db,
  token: string,
  now = new Date(),
): Promise<string | undefined> {
  const [row] = await db
    .select({ teamId: consoleSessions.teamId })
    .from(consoleSessions)
    .where(and(eq(consoleSessions.hash, hashSecret(token)), gt(consoleSessions.expiresAt, now)))
    .limit(1);
  return row?.teamId;
}

/** The session's team and the API key it signed in with (null for sessions older than that record). */
export async function findConsoleSession(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ teamId: string; apiKeyId: string | null } | undefined> {
  const [row] = await db
    .select({ teamId: consoleSessions.teamId, apiKeyId: consoleSessions.apiKeyId })
    .from(consoleSessions)
    .where(and(eq(consoleSessions.hash, hashSecret(token)), gt(consoleSessions.expiresAt, now)))
    .limit(1);
  return row;
}

export async function deleteConsoleSession(db: Db, token: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.hash, hashSecret(token)));
}
