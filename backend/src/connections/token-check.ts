/**
 * The one rule for a 401 to a call made with a connection's OAuth access token, whichever part of the backend
 * made it (proxy, sync, workflows, health checks, catalog). Atlassian answers 401 both when it refuses the token
 * and when a valid token lacks the operation's scope, so a 401 alone never marks the connection. Instead:
 *
 * 1. ask a scope-free endpoint (accessible-resources) whether the token is still accepted: if it is, the 401
 *    was about scopes or permissions and nothing changes;
 * 2. if it is refused, replace it through the refresh lease: a refresh Atlassian accepts keeps the connection
 *    working; a refresh it refuses marks the connection "Needs reconnect" (connections/tokens.ts), and so does
 *    a refused token with no refresh token to replace it.
 *
 * Calls made with the Forge app's tokens (service account, impersonation) never come here: their 401s say
 * nothing about the connecting user's grant.
 *
 * Cheap under load: one check per connection at a time in a process (the 401s meanwhile wait for its outcome),
 * then none for TOKEN_CHECK_INTERVAL_MS after a check that left the connection active.
 */
import { eq } from 'drizzle-orm';
import type { JiraTarget } from '../atlassian/jira';
import { probeAccessToken } from '../atlassian/oauth';
import type { Services } from '../context';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { getAccessToken, markTokenRefused, replaceRefusedToken } from './tokens';

/** After a check that left the connection active, further 401s are taken as they come for this long. */
export const TOKEN_CHECK_INTERVAL_MS = 60_000;

/** Per connection: the check under way, and until when no new one starts. */
export type TokenChecks = Map<string, { running?: Promise<TokenCheckOutcome>; quietUntil: number }>;

/**
 * How a check ended: the token is `accepted` (the 401 was about scopes or permissions), was `replaced` by a
 * refresh, or the connection was `marked` "Needs reconnect"; `unknown` when Atlassian did not say, `skipped` when
 * the connection had moved on (not active, or a newer token stored), `quiet` when no check ran (interval).
 */
export type TokenCheckOutcome = 'accepted' | 'replaced' | 'marked' | 'unknown' | 'skipped' | 'quiet';

/**
 * Atlassian answered 401 to `refusedCall` (e.g. `GET rest/api/3/myself`), made with `refusedToken`. Resolves
 * once the connection's status reflects what Atlassian says of the token; never throws.
 */
export function checkRefusedAccessToken(
  services: Services,
  connectionId: string,
  refusedToken: string,
  refusedCall: string,
): Promise<TokenCheckOutcome> {
  const checks = services.state.tokenChecks;
  const known = checks.get(connectionId);
  if (known?.running) return known.running;
  if (known && known.quietUntil > services.clock.now().getTime()) return Promise.resolve('quiet');
  const entry: { running?: Promise<TokenCheckOutcome>; quietUntil: number } = { quietUntil: 0 };
  entry.running = checkOnce(services, connectionId, refusedToken, refusedCall)
    .catch((error: unknown): TokenCheckOutcome => {
      services.logger.error({ err: error, connectionId }, 'checking a refused access token failed');
      return 'unknown';
    })
    .then((outcome) => {
      services.state.metrics.tokenChecks.inc({ outcome });
      entry.running = undefined;
      entry.quietUntil = services.clock.now().getTime() + TOKEN_CHECK_INTERVAL_MS;
      return outcome;
    });
  checks.set(connectionId, entry);
  return entry.running;
}

/** Whether a check found the stored connection different from what the caller used (new token or status). */
export function connectionChanged(outcome: TokenCheckOutcome): boolean {
  return outcome === 'replaced' || outcome === 'marked' || outcome === 'skipped';
}

async function checkOnce(
  services: Services,
  connectionId: string,
  refusedToken: string,
  refusedCall: string,
): Promise<TokenCheckOutcome> {
  const [row] = await services.db.select().from(jiraConnections).where(eq(jiraConnections.id, connectionId));
  if (row?.status !== 'active') return 'skipped';
  // A newer token is already stored (refreshed meanwhile): the refused one no longer matters.
  if (services.encryptor.decrypt(row.accessTokenEncrypted, SECRET_PURPOSE.accessToken) !== refusedToken) {
    return 'skipped';
  }
  const probed = await probeAccessToken(services.config.atlassianApiUrl, refusedToken);
  if (probed !== 'refused') return probed;
  try {
    await replaceRefusedToken(services, connectionId, row.accessTokenEncrypted);
    return 'replaced';
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code !== 'reconnect_required') return 'unknown'; // token endpoint unavailable or busy
  }
  // Atlassian refused the refresh (already marked, with its own audit row) or there is no refresh token.
  await markTokenRefused(services, connectionId, { refusedCall });
  return 'marked';
}

/**
 * The connection's site, called as the connecting user with a token refreshed as needed; a 401 is checked
 * (token-check.ts) before the caller sees it, so a refused token marks the connection.
 */
export function asConnectingUser(services: Services, connection: JiraConnection): JiraTarget {
  return {
    cloudId: connection.cloudId,
    token: () => getAccessToken(services, connection),
    onRefused: async (token, call) => {
      await checkRefusedAccessToken(services, connection.id, token, call);
    },
  };
}
