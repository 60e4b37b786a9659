/**
 * Short-lived in-memory caches that keep the database off the proxy's hot path (each PGlite query costs about
 * 0.6 ms of this process's CPU; the benchmark's targets allow 0.5 ms for the whole proxy).
 *
 * Trade-offs, on purpose:
 * - Team API keys: a key revoked in the database keeps working on this process for up to KEY_TTL_MS (30 s).
 *   Only valid keys are cached, by hash, so unknown keys always reach the database.
 * - Connections: a disconnected or re-scoped connection (or a Forge upgrade) is seen by the proxy up to
 *   CONNECTION_TTL_MS (5 s) late. A row whose access token is close to expiry is never served from the cache,
 *   so refresh always works from the database row.
 */
import { authMessages, REFRESH_MARGIN_MS } from '@jira-integration/shared';
import { createMiddleware } from 'hono/factory';
import { findTeamByApiKey, hashSecret } from '../auth/keys';
import { requireTeam } from '../auth/middleware';
import { findConnection, type JiraConnection } from '../connections/service';
import type { AppEnv, Services } from '../context';
import { bearerToken } from '../http/bearer';
import { errorResponse } from '../http/errors';

const KEY_TTL_MS = 30_000;
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

  set(key: string, value: T, expiresAt: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, expiresAt });
  }
}

export interface ProxyCaches {
  teamsByKeyHash: TtlCache<string>;
  connections: TtlCache<JiraConnection>;
}

export function createProxyCaches(): ProxyCaches {
  return { teamsByKeyHash: new TtlCache(), connections: new TtlCache() };
}

function cachesFor(services: Services): ProxyCaches {
  return services.state.proxyCaches;
}

/** `requireTeam` with valid API keys remembered for 30 s; console sessions go straight to `requireTeam`. */
export const requireTeamCached = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearerToken(c.req.header('authorization'));
  if (!key) return requireTeam(c, next);
  const services = c.var.services;
  const { teamsByKeyHash } = cachesFor(services);
  const now = Date.now();
  const hash = hashSecret(key);
  const cached = teamsByKeyHash.get(hash, now);
  if (cached) {
    c.set('teamId', cached);
    return next();
  }
  const found = await findTeamByApiKey(services.db, key);
  if (!found) return errorResponse(c, 'unauthorized', authMessages.unauthorized);
  teamsByKeyHash.set(hash, found.teamId, now + KEY_TTL_MS);
  c.set('teamId', found.teamId);
  return next();
});

/** `findConnection` (404 for other teams) with rows remembered for 5 s while their token is not near expiry. */
export async function findConnectionCached(
  services: Services,
  teamId: string,
  id: string,
): Promise<JiraConnection> {
  const { connections } = cachesFor(services);
  const key = `${teamId}\u0000${id}`;
  const now = Date.now();
  const usable = (row: JiraConnection) =>
    row.accessTokenExpiresAt.getTime() - services.clock.now().getTime() > REFRESH_MARGIN_MS;
  const cached = connections.get(key, now);
  if (cached && usable(cached)) return cached;
  const row = await findConnection(services, teamId, id);
  if (usable(row)) connections.set(key, row, now + CONNECTION_TTL_MS);
  return row;
}
