import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { connectMessages, REFRESH_MARGIN_MS } from '@jira-integration/shared';
import { and, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import { AtlassianUnavailableError } from '../atlassian/http';
import { OAuthError, refreshAccessToken } from '../atlassian/oauth';
import { writeAudit } from '../audit/log';
import type { Services } from '../context';
import { retryOnConnectionLoss } from '../db/client';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { oauthClientOf } from './oauth-client';

/**
 * How long a refresh lease lasts. Longer than the token call's own timeout (20 s in atlassianFetch), so a live
 * holder always finishes or fails before anyone may take over; a dead holder's lease lapses after this.
 */
export const REFRESH_LEASE_MS = 30_000;
/** How often a process waiting on another's refresh looks at the row again. */
const LEASE_POLL_MS = 100;

function isFresh(connection: Pick<JiraConnection, 'accessTokenExpiresAt'>, now: Date): boolean {
  return connection.accessTokenExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS;
}

/** Refuses a connection marked "Needs reconnect" with its reason. */
export function ensureConnectable(connection: JiraConnection): void {
  if (connection.status === 'needs_reconnect') {
    throw new ApiError('reconnect_required', connection.statusReason ?? connectMessages.reconnectRequired);
  }
}

/**
 * A usable access token for the connection, refreshing first when under 5 minutes remain.
 * Atlassian rotates refresh tokens and revokes the family on reuse, so a refresh is single-flight in this
 * process and, across processes, done only by the holder of the connection's refresh lease.
 */
export async function getAccessToken(services: Services, connection: JiraConnection): Promise<string> {
  ensureConnectable(connection);
  if (isFresh(connection, services.clock.now())) {
    return services.encryptor.decrypt(connection.accessTokenEncrypted, SECRET_PURPOSE.accessToken);
  }
  // Refreshes in flight in this process, keyed by connection id: concurrent callers share one.
  const inFlight = services.state.tokenRefreshes;
  let pending = inFlight.get(connection.id);
  if (!pending) {
    pending = refreshUnderLease(services, connection.id, staleToken(services)).finally(() =>
      inFlight.delete(connection.id),
    );
    inFlight.set(connection.id, pending);
  }
  return pending;
}

/**
 * Replaces an access token Atlassian refused before its expiry, through the same refresh lease: only while the
 * row still holds that token (`refusedSealed`, its stored ciphertext), so concurrent callers and processes
 * refresh once. When Atlassian refuses the refresh too, the connection is marked as `getAccessToken` does.
 */
export function replaceRefusedToken(
  services: Services,
  connectionId: string,
  refusedSealed: string,
): Promise<string> {
  return refreshUnderLease(services, connectionId, {
    condition: () => eq(jiraConnections.accessTokenEncrypted, refusedSealed),
    settled: (row) => row.accessTokenEncrypted !== refusedSealed,
  });
}

/** Which rows a refresh is for: the lease's SQL condition, and when a row no longer needs one. */
interface RefreshNeed {
  condition: (now: Date) => SQL;
  settled: (row: JiraConnection) => boolean;
}

function staleToken(services: Services): RefreshNeed {
  return {
    condition: (now) =>
      lt(jiraConnections.accessTokenExpiresAt, new Date(now.getTime() + REFRESH_MARGIN_MS + 1)),
    settled: (row) => isFresh(row, services.clock.now()),
  };
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Three short steps, none holding a connection while Atlassian answers: take the lease (one UPDATE that only
 * succeeds while the token is stale and no live lease exists), call the token endpoint, then store the tokens
 * with an UPDATE guarded by the lease. Without the lease, wait for its holder's tokens or for the lease to lapse.
 */
async function refreshUnderLease(
  services: Services,
  connectionId: string,
  need: RefreshNeed,
): Promise<string> {
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  const giveUpAt = services.clock.now().getTime() + 2 * REFRESH_LEASE_MS;
  for (;;) {
    const now = services.clock.now();
    const [leased] = await retryOnConnectionLoss(() =>
      services.db
        .update(jiraConnections)
        .set({
          refreshLeaseHolder: holder,
          refreshLeaseExpiresAt: new Date(now.getTime() + REFRESH_LEASE_MS),
        })
        .where(
          and(
            eq(jiraConnections.id, connectionId),
            eq(jiraConnections.status, 'active'),
            need.condition(now),
            or(isNull(jiraConnections.refreshLeaseExpiresAt), lt(jiraConnections.refreshLeaseExpiresAt, now)),
          ),
        )
        .returning(),
    );
    if (leased) return refreshWithLease(services, leased, holder);

    const [current] = await retryOnConnectionLoss(() =>
      services.db.select().from(jiraConnections).where(eq(jiraConnections.id, connectionId)),
    );
    if (!current) throw new ApiError('connection_not_found', connectMessages.connectionNotFound);
    ensureConnectable(current);
    // Another process refreshed (or is refreshing: its lease is live); use its tokens once they are stored.
    if (need.settled(current)) {
      return services.encryptor.decrypt(current.accessTokenEncrypted, SECRET_PURPOSE.accessToken);
    }
    if (services.clock.now().getTime() > giveUpAt) {
      throw new ApiError('token_refresh_busy', connectMessages.refreshBusy);
    }
    await wait(LEASE_POLL_MS);
  }
}

async function refreshWithLease(
  services: Services,
  current: JiraConnection,
  holder: string,
): Promise<string> {
  const { encryptor } = services;
  const heldByUs = and(eq(jiraConnections.id, current.id), eq(jiraConnections.refreshLeaseHolder, holder));
  const release = () =>
    retryOnConnectionLoss(() =>
      services.db
        .update(jiraConnections)
        .set({ refreshLeaseHolder: null, refreshLeaseExpiresAt: null })
        .where(heldByUs),
    );
  if (!current.refreshTokenEncrypted) {
    await release();
    throw new ApiError('reconnect_required', connectMessages.noRefreshToken);
  }
  const client = oauthClientOf(services, current, 'connection');
  services.state.metrics.refreshes.inc();
  let tokens: Awaited<ReturnType<typeof refreshAccessToken>>;
  try {
    tokens = await refreshAccessToken({
      authUrl: services.config.atlassianAuthUrl,
      ...client,
      refreshToken: encryptor.decrypt(current.refreshTokenEncrypted, SECRET_PURPOSE.refreshToken),
    });
  } catch (error) {
    const reason =
      error instanceof OAuthError
        ? error.error
        : error instanceof AtlassianUnavailableError
          ? 'unavailable'
          : 'error';
    services.state.metrics.refreshFailures.inc({ reason });
    if (
      error instanceof OAuthError &&
      (error.error === 'invalid_grant' || error.error === 'unauthorized_client')
    ) {
      // If the mark cannot be written, the next caller must not wait out the lease to find the family gone.
      await markRevoked(services, current, holder, error.description).catch(async (markError: unknown) => {
        await release().catch(() => undefined);
        throw markError;
      });
      throw new ApiError('reconnect_required', connectMessages.reconnectRequired);
    }
    // Let the next caller (here or in another process) try again at once rather than after the lease lapses.
    await release().catch(() => undefined);
    if (error instanceof AtlassianUnavailableError) {
      throw new ApiError('token_refresh_unavailable', connectMessages.refreshUnavailable);
    }
    throw error;
  }
  const now = services.clock.now();
  // Retried on a fresh connection if the database drops us: Atlassian has already rotated the refresh token,
  // and the new one must not be lost.
  const [stored] = await retryOnConnectionLoss(
    () =>
      services.db
        .update(jiraConnections)
        .set({
          accessTokenEncrypted: encryptor.encrypt(tokens.accessToken, SECRET_PURPOSE.accessToken),
          refreshTokenEncrypted: tokens.refreshToken
            ? encryptor.encrypt(tokens.refreshToken, SECRET_PURPOSE.refreshToken)
            : current.refreshTokenEncrypted,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000),
          lastRefreshedAt: now,
          updatedAt: now,
          refreshLeaseHolder: null,
          refreshLeaseExpiresAt: null,
        })
        .where(heldByUs)
        .returning({ id: jiraConnections.id }),
    5,
  );
  if (!stored) {
    // Only possible when the call outlasted the lease and another holder took over: its tokens win.
    services.logger.error({ connectionId: current.id }, 'refresh lease lapsed before the tokens were stored');
  }
  return tokens.accessToken;
}

/** The refresh family is gone: say so on the connection instead of failing quietly on every call. */
async function markRevoked(
  services: Services,
  current: JiraConnection,
  holder: string,
  atlassianDescription: string,
): Promise<void> {
  const now = services.clock.now();
  await retryOnConnectionLoss(() =>
    services.db.transaction(async (tx) => {
      await tx
        .update(jiraConnections)
        .set({
          status: 'needs_reconnect',
          statusReason: connectMessages.reconnectRequired,
          updatedAt: now,
          refreshLeaseHolder: null,
          refreshLeaseExpiresAt: null,
        })
        .where(and(eq(jiraConnections.id, current.id), eq(jiraConnections.refreshLeaseHolder, holder)));
      await writeAudit(tx, {
        teamId: current.teamId,
        action: 'jira.connection.refresh_revoked',
        target: current.id,
        detail: { atlassian: atlassianDescription },
      });
    }),
  );
  services.logger.warn(
    { connectionId: current.id },
    'refresh token rejected by Atlassian; connection needs reconnect',
  );
}

/**
 * Atlassian refused the connection's access token (401) and it cannot be replaced, so every call would fail
 * until the admin reconnects. Says so on the connection, with its audit row, once. `detail` says which call
 * found it (never a token).
 */
export async function markTokenRefused(
  services: Services,
  connectionId: string,
  detail?: Record<string, string>,
): Promise<boolean> {
  const marked = await services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(jiraConnections)
      .set({
        status: 'needs_reconnect',
        statusReason: connectMessages.tokenRefused,
        updatedAt: services.clock.now(),
      })
      .where(and(eq(jiraConnections.id, connectionId), eq(jiraConnections.status, 'active')))
      .returning({ teamId: jiraConnections.teamId });
    if (!row) return false;
    await writeAudit(tx, {
      teamId: row.teamId,
      action: 'jira.connection.token_refused',
      target: connectionId,
      ...(detail ? { detail } : {}),
    });
    return true;
  });
  if (marked) {
    services.logger.warn({ connectionId }, 'access token refused by Atlassian; connection needs reconnect');
  }
  return marked;
}
