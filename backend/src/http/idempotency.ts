/**
 * `Idempotency-Key` on the creating routes (tickets, comments, workflow runs): a client that lost an answer sends
 * the request again with the same key and gets the first answer, on any process, for 24 hours; the same key with
 * another request is a 409. The first request claims the key in one insert before it runs; a claim whose process
 * died (unanswered after CLAIM_MS) is taken over by the next retry. Answers of 5xx are not kept, so a retry of a
 * failed request runs again.
 */
import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { idempotencyMessages } from '@jira-integration/shared/security-messages';
import { and, eq, lt } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import type { Db } from '../db/client';
import { idempotentRequests } from '../db/schema';
import { errorResponse } from './errors';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
/** How long a claim without an answer holds: longer than any creating request takes. */
export const CLAIM_MS = 60_000;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** The header as the OpenAPI document shows it. */
export const idempotencyHeader = z.object({
  [IDEMPOTENCY_HEADER]: z.string().optional().openapi({
    description:
      'Any unique string (a UUID): the same key and request within 24 hours returns the first answer; the same key with another request is a 409.',
  }),
});

/** Route middleware (after the team is known): answers a retried request from its first answer. */
export const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return next();
  if (!KEY_SHAPE.test(key)) return errorResponse(c, 'invalid_request', idempotencyMessages.invalidKey);
  const { db, clock } = c.var.services;
  const teamId = c.var.teamId;
  const route = `${c.req.method} ${c.req.path}`;
  const requestHash = createHash('sha256')
    .update(await c.req.text())
    .digest('hex');
  const now = clock.now();
  const claimedUntil = new Date(now.getTime() + CLAIM_MS);
  const where = and(
    eq(idempotentRequests.teamId, teamId),
    eq(idempotentRequests.route, route),
    eq(idempotentRequests.key, key),
  );
  let [claimed] = await db
    .insert(idempotentRequests)
    .values({ teamId, route, key, requestHash, claimedUntil, createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (!claimed) {
    const [row] = await db.select().from(idempotentRequests).where(where);
    const expired = row && now.getTime() - row.createdAt.getTime() >= IDEMPOTENCY_WINDOW_MS;
    const abandoned = row && row.status === null && row.claimedUntil < now;
    if (row && (expired || abandoned)) {
      // Taken over only if nobody else did meanwhile (the row is still the one read).
      [claimed] = await db
        .update(idempotentRequests)
        .set({ requestHash, status: null, answer: null, claimedUntil, createdAt: now })
        .where(and(where, eq(idempotentRequests.claimedUntil, row.claimedUntil)))
        .returning();
    }
    if (!claimed) {
      if (row && row.requestHash !== requestHash)
        return errorResponse(c, 'idempotency_key_reused', idempotencyMessages.reused);
      if (!row || row.status === null) {
        c.header('retry-after', '1');
        return errorResponse(c, 'idempotency_key_in_progress', idempotencyMessages.inProgress);
      }
      c.header('idempotent-replayed', 'true');
      return c.json(row.answer, row.status as 200);
    }
  }
  await next();
  const status = c.res.status;
  const json = (c.res.headers.get('content-type') ?? '').includes('application/json');
  if (status < 500 && json) {
    const answer: unknown = await c.res.clone().json();
    await db.update(idempotentRequests).set({ status, answer }).where(where);
  } else {
    await db.delete(idempotentRequests).where(where);
  }
});

/** Removes records past the 24-hour window (the security prune runs it). */
export async function pruneIdempotentRequests(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(idempotentRequests)
    .where(lt(idempotentRequests.createdAt, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)))
    .returning({ key: idempotentRequests.key });
  return removed.length;
}
