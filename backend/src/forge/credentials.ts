/**
 * Reading the Forge app's service-account credentials: what the proxy, workflows and sync use to act as the
 * app, and what the console and admin page show about each site.
 */
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { eq, inArray, sql } from 'drizzle-orm';
import type { JiraConnection } from '../connections/service';
import type { Services } from '../context';
import { forgeInstallations, jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';

export type ForgeInstallation = typeof forgeInstallations.$inferSelect;

/** Purpose bound into the system token's ciphertext. */
export const SYSTEM_TOKEN_PURPOSE = 'forge_installations.system_token';

/** Credentials this close to `exp` count as stale, so a call never starts with a token about to die. */
export const CREDENTIALS_EXPIRY_MARGIN_MS = 60_000;

export interface ServiceAccountCredentials {
  token: string;
  apiBaseUrl: string;
  installationId: string;
  cloudId: string;
  expiresAt: Date;
}

export interface ForgeSiteStatus {
  installed: boolean;
  lastPushAt: Date | null;
  credentialsFresh: boolean;
  expiresAt: Date | null;
  /** When the app was uninstalled (preUninstall), if it is not installed again since. */
  uninstalledAt: Date | null;
}

export function isInstalled(installation: ForgeInstallation | undefined): installation is ForgeInstallation {
  return Boolean(installation && !installation.uninstalledAt);
}

/** Installed, holding a token, and that token valid for more than the margin. */
export function hasFreshCredentials(installation: ForgeInstallation | undefined, now: Date): boolean {
  return (
    isInstalled(installation) &&
    Boolean(installation.systemTokenEncrypted) &&
    installation.systemTokenExpiresAt !== null &&
    installation.systemTokenExpiresAt.getTime() - now.getTime() > CREDENTIALS_EXPIRY_MARGIN_MS
  );
}

export async function findInstallation(
  services: Services,
  cloudId: string,
): Promise<ForgeInstallation | undefined> {
  const [row] = await services.db
    .select()
    .from(forgeInstallations)
    .where(eq(forgeInstallations.cloudId, cloudId));
  return row;
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
  if (connection.method !== 'managed')
    throw new ApiError(409, 'not_upgraded', forgeMessages.customNeverUpgraded);
  // The upgrade is read again with the installation (one query): a caller may hold a cached row, and a
  // revoked workspace or a downgrade must stop the service account at once.
  const [found] = await services.db
    .select({
      installation: forgeInstallations,
      upgraded: sql<boolean>`exists (select 1 from ${jiraConnections} where ${jiraConnections.id} = ${connection.id} and ${jiraConnections.forgeUpgradedAt} is not null)`,
    })
    .from(forgeInstallations)
    .where(eq(forgeInstallations.cloudId, connection.cloudId));
  const installation = found?.installation;
  if (!isInstalled(installation)) {
    throw new ApiError(409, 'not_upgraded', forgeMessages.appNotInstalledOnSite(connection.siteUrl));
  }
  const now = services.clock.now();
  if (
    !hasFreshCredentials(installation, now) ||
    !installation.systemTokenEncrypted ||
    !installation.systemTokenExpiresAt
  ) {
    throw new ApiError(
      409,
      'forge_credentials_stale',
      forgeMessages.credentialsStale(connection.siteUrl, installation.lastPushAt),
    );
  }
  if (!connection.forgeUpgradedAt || !found.upgraded)
    throw new ApiError(409, 'not_upgraded', forgeMessages.notUpgradedYet);
  return {
    token: services.encryptor.decrypt(installation.systemTokenEncrypted, SYSTEM_TOKEN_PURPOSE),
    apiBaseUrl: installation.apiBaseUrl,
    installationId: installation.installationId,
    cloudId: installation.cloudId,
    expiresAt: installation.systemTokenExpiresAt,
  };
}

/** true when the connection is managed AND currently upgraded AND its site's credentials are fresh. */
export async function isServiceAccountAvailable(
  services: Services,
  connection: JiraConnection,
): Promise<boolean> {
  if (connection.method !== 'managed' || !connection.forgeUpgradedAt) return false;
  return hasFreshCredentials(await findInstallation(services, connection.cloudId), services.clock.now());
}

/** For the console: per cloudId, installed?, last push time, credentials fresh? */
export async function forgeSiteStatus(
  services: Services,
  cloudIds: string[],
): Promise<Map<string, ForgeSiteStatus>> {
  const unique = [...new Set(cloudIds)];
  const rows = unique.length
    ? await services.db.select().from(forgeInstallations).where(inArray(forgeInstallations.cloudId, unique))
    : [];
  const byCloudId = new Map(rows.map((row) => [row.cloudId, row]));
  const now = services.clock.now();
  return new Map(
    unique.map((cloudId) => {
      const installation = byCloudId.get(cloudId);
      return [
        cloudId,
        {
          installed: isInstalled(installation),
          lastPushAt: installation?.lastPushAt ?? null,
          credentialsFresh: hasFreshCredentials(installation, now),
          expiresAt: isInstalled(installation) ? installation.systemTokenExpiresAt : null,
          uninstalledAt: installation?.uninstalledAt ?? null,
        },
      ];
    }),
  );
}
