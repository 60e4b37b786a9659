/**
 * The one rule for "may this connection act as the Forge app's service account": a managed connection, on a
 * site where the app is installed, whose pushed credentials are fresh, and that a push (or connect) has
 * marked upgraded, which happens only when a Jira admin of the site approved its workspace
 * (workspace-approval.ts). Connections, forge, proxy, sync readiness, workflows and the console all ask here.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { writeAudit } from '../audit/log';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { forgeInstallations, jiraConnections } from '../db/schema';
import type { JiraConnection } from './connection';
import { isTeamApprovedOnSite } from './workspace-approval';

export type ForgeInstallation = typeof forgeInstallations.$inferSelect;

/** Credentials this close to `exp` count as stale, so a call never starts with a token about to die. */
export const CREDENTIALS_EXPIRY_MARGIN_MS = 60_000;

/** What is known about the Forge app on one site. */
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

/** The earliest token expiry that still counts as fresh at `now` (for queries that filter on it). */
export function freshCredentialsExpireAfter(now: Date): Date {
  return new Date(now.getTime() + CREDENTIALS_EXPIRY_MARGIN_MS);
}

export function siteStatusOf(installation: ForgeInstallation | undefined, now: Date): ForgeSiteStatus {
  return {
    installed: isInstalled(installation),
    lastPushAt: installation?.lastPushAt ?? null,
    credentialsFresh: hasFreshCredentials(installation, now),
    expiresAt: isInstalled(installation) ? installation.systemTokenExpiresAt : null,
    uninstalledAt: installation?.uninstalledAt ?? null,
  };
}

export type NotUpgradedReason =
  /** Bring-your-own connections are never upgraded. */
  | 'custom'
  | 'not_installed'
  | 'uninstalled'
  /** The app stopped pushing: stale credentials count as downgraded at once, before any sweep. */
  | 'stale'
  /** Fresh credentials, but no push or connect has upgraded this connection yet. */
  | 'pending';

export type ForgeUpgradeStatus = { upgraded: true } | { upgraded: false; reason: NotUpgradedReason };

/** Is this connection upgraded, and are its site's Forge credentials fresh? */
export function forgeUpgradeStatus(
  connection: Pick<JiraConnection, 'method' | 'forgeUpgradedAt'>,
  site: ForgeSiteStatus | undefined,
): ForgeUpgradeStatus {
  if (connection.method !== 'managed') return { upgraded: false, reason: 'custom' };
  if (!site?.installed)
    return { upgraded: false, reason: site?.uninstalledAt ? 'uninstalled' : 'not_installed' };
  if (!site.credentialsFresh) return { upgraded: false, reason: 'stale' };
  if (!connection.forgeUpgradedAt) return { upgraded: false, reason: 'pending' };
  return { upgraded: true };
}

/** A managed connection on a site with fresh credentials is to be marked upgraded (by a push or on connect). */
export function qualifiesForUpgrade(
  connection: Pick<JiraConnection, 'method'>,
  installation: ForgeInstallation | undefined,
  now: Date,
): boolean {
  return connection.method === 'managed' && hasFreshCredentials(installation, now);
}

/**
 * The site's installation row. `lock: 'share'` holds off a concurrent credential push (which locks the row for
 * update) until the caller's transaction ends, so a connection made meanwhile is seen by one or the other.
 */
export async function findInstallation(
  db: Pick<Db, 'select'>,
  cloudId: string,
  options: { lock?: 'share' } = {},
): Promise<ForgeInstallation | undefined> {
  const query = db.select().from(forgeInstallations).where(eq(forgeInstallations.cloudId, cloudId));
  const [row] = options.lock ? await query.for(options.lock) : await query;
  return row;
}

/**
 * A managed connection made (or reconnected) for a site whose Forge credentials are fresh is upgraded at
 * once, with its audit row, inside `tx` when given. Returns the row as it now stands.
 */
export async function upgradeIfForgeCredentialsFresh(
  services: Services,
  connection: JiraConnection,
  tx: Pick<Db, 'select' | 'update' | 'insert'> = services.db,
): Promise<JiraConnection> {
  if (connection.method !== 'managed' || connection.forgeUpgradedAt) return connection;
  const now = services.clock.now();
  const installation = await findInstallation(tx, connection.cloudId);
  if (!qualifiesForUpgrade(connection, installation, now)) return connection;
  // Only a workspace a Jira admin of the site approved may act as the app there (workspace-approval.ts).
  if (!(await isTeamApprovedOnSite(tx, connection.teamId, connection.cloudId))) return connection;
  const [row] = await tx
    .update(jiraConnections)
    .set({ forgeUpgradedAt: now, updatedAt: now })
    .where(and(eq(jiraConnections.id, connection.id), isNull(jiraConnections.forgeUpgradedAt)))
    .returning();
  if (!row) {
    // A concurrent push upgraded it first.
    const [current] = await tx.select().from(jiraConnections).where(eq(jiraConnections.id, connection.id));
    return current ?? connection;
  }
  await writeAudit(tx, {
    teamId: row.teamId,
    action: 'jira.connection.forge_upgraded',
    target: row.id,
    detail: { cloudId: row.cloudId },
  });
  return row;
}

/** The connection's upgrade status as of now, with its site's installation (undefined when never installed). */
export async function loadForgeUpgradeStatus(
  services: Services,
  connection: Pick<JiraConnection, 'method' | 'forgeUpgradedAt' | 'cloudId'>,
): Promise<{
  status: ForgeUpgradeStatus;
  site: ForgeSiteStatus;
  installation: ForgeInstallation | undefined;
}> {
  const installation = await findInstallation(services.db, connection.cloudId);
  const site = siteStatusOf(installation, services.clock.now());
  return { status: forgeUpgradeStatus(connection, site), site, installation };
}

/** Per cloudId (for the console, sync readiness and the proxy's budget view): installed?, last push, fresh? */
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
  return new Map(unique.map((cloudId) => [cloudId, siteStatusOf(byCloudId.get(cloudId), now)]));
}
