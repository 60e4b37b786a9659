import { connectMessages, REFRESH_MARGIN_MS } from '@jira-integration/shared';
import { eq } from 'drizzle-orm';
import type { JiraTarget } from '../atlassian/jira';
import { OAuthError, refreshAccessToken } from '../atlassian/oauth';
import { writeAudit } from '../audit/log';
import type { Services } from '../context';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { oauthClientOf } from './oauth-client';

function isFresh(connection: JiraConnection, now: Date): boolean {
  return connection.accessTokenExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS;
}

/**
 * A usable access token for the connection, refreshing first when under 5 minutes remain.
 * Atlassian rotates refresh tokens and revokes the family on reuse, so a refresh is single-flight in this
 * process and serialised across processes by a row lock, re-reading the row once the lock is ours.
 */
export async function getAccessToken(services: Services, connection: JiraConnection): Promise<string> {
  if (connection.status === 'needs_reconnect') {
    throw new ApiError('reconnect_required', connection.statusReason ?? connectMessages.reconnectRequired);
  }
  if (isFresh(connection, services.clock.now())) {
    return services.encryptor.decrypt(connection.accessTokenEncrypted, SECRET_PURPOSE.accessToken);
  }
  // Refreshes in flight in this process, keyed by connection id: concurrent callers share one.
  const inFlight = services.state.tokenRefreshes;
  let pending = inFlight.get(connection.id);
  if (!pending) {
    pending = refreshUnderLock(services, connection.id).finally(() => inFlight.delete(connection.id));
    inFlight.set(connection.id, pending);
  }
  return pending;
}

/** The connection's site, called as the connecting user with a token refreshed as needed. */
export function asConnectingUser(services: Services, connection: JiraConnection): JiraTarget {
  return { cloudId: connection.cloudId, token: () => getAccessToken(services, connection) };
}

async function refreshUnderLock(services: Services, connectionId: string): Promise<string> {
  const { encryptor } = services;
  let revoked: string | undefined;
  const token = await services.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connectionId))
      .for('update');
    if (!current) throw new ApiError('connection_not_found', connectMessages.connectionNotFound);
    const now = services.clock.now();
    // Another process may have refreshed while we waited for the lock.
    if (isFresh(current, now))
      return encryptor.decrypt(current.accessTokenEncrypted, SECRET_PURPOSE.accessToken);
    if (current.status === 'needs_reconnect') {
      throw new ApiError('reconnect_required', current.statusReason ?? connectMessages.reconnectRequired);
    }
    if (!current.refreshTokenEncrypted) {
      throw new ApiError('reconnect_required', connectMessages.noRefreshToken);
    }
    const client = oauthClientOf(services, current, 'connection');
    try {
      const tokens = await refreshAccessToken({
        authUrl: services.config.atlassianAuthUrl,
        ...client,
        refreshToken: encryptor.decrypt(current.refreshTokenEncrypted, SECRET_PURPOSE.refreshToken),
      });
      await tx
        .update(jiraConnections)
        .set({
          accessTokenEncrypted: encryptor.encrypt(tokens.accessToken, SECRET_PURPOSE.accessToken),
          // Persist the rotated refresh token before anyone uses the new access token.
          refreshTokenEncrypted: tokens.refreshToken
            ? encryptor.encrypt(tokens.refreshToken, SECRET_PURPOSE.refreshToken)
            : current.refreshTokenEncrypted,
          accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000),
          lastRefreshedAt: now,
          updatedAt: now,
        })
        .where(eq(jiraConnections.id, connectionId));
      return tokens.accessToken;
    } catch (error) {
      if (
        error instanceof OAuthError &&
        (error.error === 'invalid_grant' || error.error === 'unauthorized_client')
      ) {
        revoked = error.description;
        return undefined;
      }
      throw error;
    }
  });
  if (token !== undefined) return token;
  // The refresh family is gone: say so on the connection instead of failing quietly on every call.
  await services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(jiraConnections)
      .set({
        status: 'needs_reconnect',
        statusReason: connectMessages.reconnectRequired,
        updatedAt: services.clock.now(),
      })
      .where(eq(jiraConnections.id, connectionId))
      .returning({ teamId: jiraConnections.teamId });
    await writeAudit(tx, {
      teamId: row?.teamId ?? null,
      action: 'jira.connection.refresh_revoked',
      target: connectionId,
      detail: { atlassian: revoked ?? '' },
    });
  });
  services.logger.warn({ connectionId }, 'refresh token rejected by Atlassian; connection needs reconnect');
  throw new ApiError('reconnect_required', connectMessages.reconnectRequired);
}
