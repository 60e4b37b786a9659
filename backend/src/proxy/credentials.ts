/**
 * Which identity a proxied call runs as. By default the connecting user (OAuth, refreshed as needed). On a
 * managed connection upgraded by the Forge app, `X-Use-Connect-Auth: true` selects the Forge system token and
 * `X-As-Jira-User` an impersonation token. On other connections both headers are ignored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AS_JIRA_USER_HEADER, REFRESH_MARGIN_MS, USE_CONNECT_AUTH_HEADER } from '@jira-integration/shared';
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { jiraBaseUrl } from '../atlassian/jira';
import type { AppIdentity } from '../atlassian/rate-limit';
import { checkRefusedAccessToken, connectionChanged } from '../connections/token-check';
import { getAccessToken } from '../connections/tokens';
import type { Services } from '../context';
import { getServiceAccountCredentials } from '../forge/credentials';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import type { ProxyMode } from './audit';
import { forgetConnection } from './hot-cache';
import { impersonationTokens } from './impersonation';

export interface ProxyCredentials {
  mode: ProxyMode;
  token: string;
  /** `{api}/ex/jira/{cloudId}`, without a trailing slash. */
  baseUrl: string;
  identity: AppIdentity;
  asJiraUser?: string;
  /**
   * With the connecting user's OAuth token only: told of Atlassian's 401 (`call` is e.g. `GET /rest/api/3/x`),
   * resolves once the connection's status says whether the token was refused (connections/token-check.ts).
   */
  onRefused?: (call: string) => Promise<void>;
}

const ACCOUNT_ID = /^[A-Za-z0-9:_-]{1,128}$/;
const FORGE: AppIdentity = { kind: 'forge' };

/**
 * Whether the auth headers apply at all: the connection was upgraded (by a push or on connect). Whether its
 * service account is usable now (credentials fresh) is then decided by getServiceAccountCredentials, through
 * the one rule in model/forge-upgrade.ts, and a stale site is a 409 that says so rather than a silent switch.
 */
function headersApply(connection: JiraConnection): boolean {
  return connection.method === 'managed' && connection.forgeUpgradedAt !== null;
}

/**
 * The connecting user's credentials, decrypted once per access token and then held in memory until that token
 * is replaced (at rest it stays encrypted; it is never logged). Keyed by connection and by the stored ciphertext,
 * so a refresh (a new ciphertext) or a disconnect (no row) never serves an old token.
 */
export type HeldUserCredentials = Map<string, { sealed: string; credentials: ProxyCredentials }>;
const MAX_HELD_TOKENS = 10_000;

function heldUserCredentials(services: Services): HeldUserCredentials {
  return services.state.proxyUserCredentials;
}

/** The default: the user who connected the site, with their OAuth token (refreshed as needed). */
async function connectingUserCredentials(
  services: Services,
  connection: JiraConnection,
): Promise<ProxyCredentials> {
  const held = heldUserCredentials(services);
  const usable =
    connection.status !== 'needs_reconnect' &&
    connection.accessTokenExpiresAt.getTime() - services.clock.now().getTime() > REFRESH_MARGIN_MS;
  const known = held.get(connection.id);
  if (usable && known?.sealed === connection.accessTokenEncrypted) return known.credentials;
  const token = await getAccessToken(services, connection);
  const credentials: ProxyCredentials = {
    mode: 'user',
    token,
    baseUrl: jiraBaseUrl(services, connection.cloudId),
    identity:
      connection.method === 'custom'
        ? { kind: 'custom', clientId: connection.clientId ?? '' }
        : { kind: 'managed' },
    onRefused: async (call) => {
      const outcome = await checkRefusedAccessToken(services, connection.id, token, call);
      if (!connectionChanged(outcome)) return;
      // The next call reads the row again: its new token, or its "Needs reconnect".
      held.delete(connection.id);
      forgetConnection(services, connection);
    },
  };
  // Only a token decrypted from this very row is kept; a refreshed one is picked up with the next row read.
  if (usable) {
    if (held.size >= MAX_HELD_TOKENS) held.clear();
    held.set(connection.id, { sealed: connection.accessTokenEncrypted, credentials });
  }
  return credentials;
}

export async function chooseCredentials(
  services: Services,
  connection: JiraConnection,
  headers: IncomingHttpHeaders,
): Promise<ProxyCredentials> {
  if (!headersApply(connection)) return connectingUserCredentials(services, connection);
  const useConnectAuth = firstValue(headers[USE_CONNECT_AUTH_HEADER])?.trim().toLowerCase() === 'true';
  const asJiraUser = firstValue(headers[AS_JIRA_USER_HEADER])?.trim() || undefined;
  if (!useConnectAuth) {
    if (asJiraUser) throw new ApiError('invalid_auth_headers', proxyMessages.asUserNeedsConnectAuth);
    return connectingUserCredentials(services, connection);
  }
  if (asJiraUser !== undefined && !ACCOUNT_ID.test(asJiraUser)) {
    throw new ApiError('invalid_auth_headers', proxyMessages.invalidAccountId);
  }
  const forge = await getServiceAccountCredentials(services, connection);
  const baseUrl = forge.apiBaseUrl.replace(/\/+$/, '');
  if (!asJiraUser) return { mode: 'service_account', token: forge.token, baseUrl, identity: FORGE };
  const token = await impersonationTokens(services).tokenFor({
    installationId: forge.installationId,
    cloudId: forge.cloudId,
    systemToken: forge.token,
    accountId: asJiraUser,
  });
  return { mode: 'impersonation', token, baseUrl, identity: FORGE, asJiraUser };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
