/**
 * Short-lived in-memory caches that keep the database off the proxy's hot path (each PGlite query costs about
 * 0.6 ms of this process's CPU, more than the whole proxied call should).
 *
 * Trade-offs, on purpose:
 * - Team API keys: a valid key is remembered for KEY_TTL_MS (1 s, counted from when the database was asked), so
 *   a key revoked by any process stops working everywhere within a second, for one query per key per second.
 *   Only valid keys are cached, so unknown keys always reach the database. The cache is keyed by the key itself
 *   (a hash per call cost more than the rest of the lookup): it holds only keys that callers are sending right
 *   now, for at most a second past their last check, in this process's memory, never logged or stored.
 * - Connections: a disconnected or re-scoped connection (or a Forge upgrade) is seen by the proxy up to
 *   CONNECTION_TTL_MS (5 s) late. A row whose access token is close to expiry is never served from the cache,
 *   so refresh always works from the database row.
 */
import { authMessages, REFRESH_MARGIN_MS } from '@jira-integration/shared';
import { findTeamByApiKey, keyActor } from '../auth/keys';
import { admitTeamRequest, failedKeyBlock, type Refusal, recordFailedKeyAttempt } from '../auth/rate-limits';
import { findConnection } from '../connections/service';
import type { Services } from '../context';
import { bearerToken } from '../http/bearer';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';

export const KEY_TTL_MS = 1_000;
const CONNECTION_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class TtlCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  set(key: string, value: T, expiresAt: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, expiresAt });
  }
}

/** Who a proxy call is from: the API key's team, and the key as the audit log names it. */
export interface ProxyCaller {
  teamId: string;
  actor: string;
}

export interface ProxyCaches {
  callersByKey: TtlCache<ProxyCaller>;
  connections: TtlCache<JiraConnection>;
}

export function createProxyCaches(): ProxyCaches {
  return { callersByKey: new TtlCache(), connections: new TtlCache() };
}

/**
 * The team of the request's API key, and the key's name in the audit log. The proxy takes API keys only, never the console's session cookie: its
 * answers are Jira's content, which must not be reachable by a browser merely signed in to the console.
 */
export async function callerOfApiKey(
  services: Services,
  authorization: string | undefined,
  address: string,
): Promise<ProxyCaller> {
  if (authorization === undefined) throw new ApiError('unauthorized', authMessages.unauthorized);
  // The same limits as every other team route (auth/middleware.ts): failed keys per address, then the team's rate.
  const blocked = failedKeyBlock(services, address);
  if (blocked) throw new LimitRefusal('too_many_failed_keys', blocked);
  const key = bearerToken(authorization);
  const { callersByKey } = services.state.proxyCaches;
  const asked = services.clock.now().getTime();
  let caller = key ? callersByKey.get(key, asked) : undefined;
  if (!caller) {
    const found = key ? await findTeamByApiKey(services.db, key) : undefined;
    if (!key || !found) {
      const refused = await recordFailedKeyAttempt(services, address);
      if (refused) throw new LimitRefusal('too_many_failed_keys', refused);
      throw new ApiError('unauthorized', authMessages.unauthorized);
    }
    caller = { teamId: found.teamId, actor: keyActor(found.prefix) };
    callersByKey.set(key, caller, asked + KEY_TTL_MS);
  }
  const refused = admitTeamRequest(services, caller.teamId);
  if (refused) throw new LimitRefusal('team_rate_limited', refused);
  return caller;
}

/** A 429 of ours: its answer carries Retry-After. */
export class LimitRefusal extends ApiError {
  readonly retryAfterSeconds: number;
  constructor(code: 'too_many_failed_keys' | 'team_rate_limited' | 'site_budget_low', refusal: Refusal) {
    super(code, refusal.message);
    this.retryAfterSeconds = refusal.retryAfterSeconds;
  }
}

/** `findConnection` (404 for other teams) with rows remembered for 5 s while their token is not near expiry. */
export async function findConnectionCached(
  services: Services,
  teamId: string,
  id: string,
): Promise<JiraConnection> {
  const { connections } = services.state.proxyCaches;
  const key = connectionKey(teamId, id);
  const now = services.clock.now().getTime();
  const usable = (row: JiraConnection) => row.accessTokenExpiresAt.getTime() - now > REFRESH_MARGIN_MS;
  const cached = connections.get(key, now);
  if (cached && usable(cached)) return cached;
  const row = await findConnection(services, teamId, id);
  if (usable(row)) connections.set(key, row, now + CONNECTION_TTL_MS);
  return row;
}

function connectionKey(teamId: string, id: string): string {
  return `${teamId}\u0000${id}`;
}

/** Drops a connection's remembered row, so the next call reads its status and token from the database. */
export function forgetConnection(
  services: Services,
  connection: Pick<JiraConnection, 'teamId' | 'id'>,
): void {
  services.state.proxyCaches.connections.delete(connectionKey(connection.teamId, connection.id));
}
