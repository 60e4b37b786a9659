/**
 * Request limits by who is asking. Failed API-key attempts are counted per client address in the database,
 * so every process sees the same count; the per-team request rate is counted per process (with N processes
 * behind a balancer a team gets up to N times TEAM_RATE_LIMIT a minute), which keeps it off the database.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { lte, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv, Services } from '../context';
import { authFailures } from '../db/schema';
import { clientAddressFrom } from '../http/client-address';
import { errorResponse } from '../http/errors';

/** Failed attempts an address may make per window before it gets 429 until the window ends. */
export const FAILED_KEY_LIMIT = 20;
export const FAILED_KEY_WINDOW_MS = 5 * 60_000;
const TEAM_WINDOW_MS = 60_000;

/** The client's address (http/client-address.ts); `unknown` for in-process calls. */
export function clientAddress(c: Context<AppEnv>): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    return 'unknown';
  }
  return clientAddressFrom(peer, c.req.header('x-forwarded-for'), c.var.services.config.trustedProxies);
}

export interface Refusal {
  retryAfterSeconds: number;
  message: string;
}

/** Blocked addresses this process has seen (until when), so a blocked address is refused without a query. */
function blockedMap(services: Services) {
  return services.state.failedKeyBlocks;
}

function refusal(untilMs: number, nowMs: number): Refusal {
  const retryAfterSeconds = Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
  return { retryAfterSeconds, message: limitMessages.tooManyFailedKeys(retryAfterSeconds) };
}

/** Refused already (this process saw the address exceed the limit), before any key is checked. */
export function failedKeyBlock(services: Services, address: string): Refusal | undefined {
  const until = blockedMap(services).get(address);
  const now = services.clock.now().getTime();
  if (until === undefined) return undefined;
  if (until <= now) {
    blockedMap(services).delete(address);
    return undefined;
  }
  return refusal(until, now);
}

/**
 * Counts one failed attempt from the address (one upsert, shared by every process) and answers whether the
 * address is now over the limit.
 */
export async function recordFailedKeyAttempt(
  services: Services,
  address: string,
): Promise<Refusal | undefined> {
  const now = services.clock.now();
  const windowStart = new Date(now.getTime() - FAILED_KEY_WINDOW_MS);
  const [row] = await services.db
    .insert(authFailures)
    .values({ clientAddress: address, windowStartedAt: now, failures: 1 })
    .onConflictDoUpdate({
      target: authFailures.clientAddress,
      // A window older than FAILED_KEY_WINDOW_MS starts over.
      set: {
        failures: sql`case when ${authFailures.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz then 1 else ${authFailures.failures} + 1 end`,
        windowStartedAt: sql`case when ${authFailures.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz then ${now.toISOString()}::timestamptz else ${authFailures.windowStartedAt} end`,
      },
    })
    .returning();
  if (row.failures <= FAILED_KEY_LIMIT) return undefined;
  const until = row.windowStartedAt.getTime() + FAILED_KEY_WINDOW_MS;
  blockedMap(services).set(address, until);
  return refusal(until, now.getTime());
}

/** Removes windows that ended (the periodic prune job). */
export async function pruneAuthFailures(services: Services): Promise<number> {
  const oldest = new Date(services.clock.now().getTime() - FAILED_KEY_WINDOW_MS);
  const removed = await services.db
    .delete(authFailures)
    .where(lte(authFailures.windowStartedAt, oldest))
    .returning({ address: authFailures.clientAddress });
  return removed.length;
}

/** One team's requests in the current minute on this process. */
export interface TeamRequestWindow {
  startedAt: number;
  count: number;
}

/** Counts one request of the team; a refusal once it is over TEAM_RATE_LIMIT in the current minute. */
export function admitTeamRequest(services: Services, teamId: string): Refusal | undefined {
  const limit = services.config.teamRateLimitPerMinute;
  if (!limit) return undefined;
  const windows = services.state.teamRequestWindows;
  const now = services.clock.now().getTime();
  let window = windows.get(teamId);
  if (!window || now - window.startedAt >= TEAM_WINDOW_MS) {
    window = { startedAt: now, count: 0 };
    windows.set(teamId, window);
  }
  window.count += 1;
  if (window.count <= limit) return undefined;
  const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + TEAM_WINDOW_MS - now) / 1000));
  return { retryAfterSeconds, message: limitMessages.teamRateLimited(limit, retryAfterSeconds) };
}

/** A 429 in the error shape with Retry-After. */
export function tooManyRequests(
  c: Context<AppEnv>,
  code: 'too_many_failed_keys' | 'team_rate_limited' | 'site_budget_low',
  refused: Refusal,
) {
  c.header('retry-after', String(refused.retryAfterSeconds));
  return errorResponse(c, code, refused.message);
}
