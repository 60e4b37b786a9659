/**
 * Reading the Forge app's service-account credentials: what the proxy, workflows and sync use to act as the
 * app, and what the console and admin page show about each site.
 */
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { eq } from 'drizzle-orm';
import type { Services } from '../context';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { loadForgeUpgradeStatus } from '../model/forge-upgrade';

/** Purpose bound into the system token's ciphertext. */
export const SYSTEM_TOKEN_PURPOSE = SECRET_PURPOSE.systemToken;

export interface ServiceAccountCredentials {
  token: string;
  apiBaseUrl: string;
  installationId: string;
  cloudId: string;
  expiresAt: Date;
}

/**
 * The Forge system token for an upgraded managed connection. Throws ApiError(409, 'not_upgraded') when the
 * connection is not upgraded, and ApiError(409, 'forge_credentials_stale') when the site's credentials are
 * stale or missing.
 */
export async function getServiceAccountCredentials(
  services: Services,
  connection: JiraConnection,
): Promise<ServiceAccountCredentials> {
  // The upgrade is read again: a caller may hold a cached row (the proxy's), and a revoked workspace or a
  // downgrade must stop the service account at once.
  const [current] = await services.db
    .select({ forgeUpgradedAt: jiraConnections.forgeUpgradedAt })
    .from(jiraConnections)
    .where(eq(jiraConnections.id, connection.id));
  const { status, installation } = await loadForgeUpgradeStatus(services, {
    ...connection,
    // Both the caller's row and the stored one must say upgraded.
    forgeUpgradedAt: connection.forgeUpgradedAt && (current?.forgeUpgradedAt ?? null),
  });
  if (!status.upgraded) {
    switch (status.reason) {
      case 'custom':
        throw new ApiError('not_upgraded', forgeMessages.customNeverUpgraded);
      case 'not_installed':
      case 'uninstalled':
        throw new ApiError('not_upgraded', forgeMessages.appNotInstalledOnSite(connection.siteUrl));
      case 'stale':
        throw new ApiError(
          'forge_credentials_stale',
          forgeMessages.credentialsStale(connection.siteUrl, installation?.lastPushAt ?? null),
        );
      case 'pending':
        throw new ApiError('not_upgraded', forgeMessages.notUpgradedYet);
    }
  }
  // Upgraded implies an installation holding a fresh token.
  const site = installation!;
  return {
    token: services.encryptor.decrypt(site.systemTokenEncrypted!, SYSTEM_TOKEN_PURPOSE),
    apiBaseUrl: site.apiBaseUrl,
    installationId: site.installationId,
    cloudId: site.cloudId,
    expiresAt: site.systemTokenExpiresAt!,
  };
}

/** true when the connection is managed AND currently upgraded AND its site's credentials are fresh. */
export async function isServiceAccountAvailable(
  services: Services,
  connection: JiraConnection,
): Promise<boolean> {
  return (await loadForgeUpgradeStatus(services, connection)).status.upgraded;
}
