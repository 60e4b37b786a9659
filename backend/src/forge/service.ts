/**
 * Writing the Forge app's state: credential pushes (scheduled trigger and install/upgrade lifecycle), the
 * preUninstall call, and the upgrade/downgrade of managed connections that follows from them.
 */
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { and, eq, gt, inArray, isNotNull, isNull, notInArray } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { type AuditAction, writeAudit } from '../audit/log';
import type { Services } from '../context';
import { forgeInstallations, jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import { freshCredentialsExpireAfter, hasFreshCredentials } from '../model/forge-upgrade';
import { approvedTeamIds } from '../model/workspace-approval';
import { SYSTEM_TOKEN_PURPOSE } from './credentials';
import type { ForgeInvocation } from './verify';

export interface PushOutcome {
  /** false when the push came from an installation that was uninstalled since (a late delivery). */
  stored: boolean;
  upgradedConnectionIds: string[];
}

/**
 * The system token's expiry. The token is Atlassian's, for Atlassian: opaque to us except `exp`, which is
 * read without verifying the signature.
 */
export function systemTokenExpiry(token: string): Date {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number') return new Date(exp * 1000);
  } catch {
    // Falls through to the one error below.
  }
  throw new ApiError('invalid_system_token', forgeMessages.invalidSystemToken);
}

/**
 * Stores pushed credentials and, in the same transaction, upgrades every managed connection of that site
 * in every team whose workspace a Jira admin of the site approved (workspaces/service.ts). Safe to repeat and to run concurrently: the site's row is locked, a token older than the
 * stored one never replaces it, and connections already upgraded keep their upgrade time.
 */
export async function recordCredentials(
  services: Services,
  invocation: ForgeInvocation,
  systemToken: string,
): Promise<PushOutcome> {
  const expiresAt = systemTokenExpiry(systemToken);
  const now = services.clock.now();
  const { cloudId, installationId } = invocation;
  const outcome = await services.db.transaction(async (tx) => {
    await tx
      .insert(forgeInstallations)
      .values({
        cloudId,
        installationId,
        apiBaseUrl: invocation.apiBaseUrl,
        installedAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
    const [current] = await tx
      .select()
      .from(forgeInstallations)
      .where(eq(forgeInstallations.cloudId, cloudId))
      .for('update');
    const sameInstallation = current.installationId === installationId;
    if (sameInstallation && current.uninstalledAt) return { stored: false, upgradedConnectionIds: [] };
    const keepsNewerToken =
      sameInstallation && current.systemTokenExpiresAt !== null && current.systemTokenExpiresAt > expiresAt;
    const [installation] = await tx
      .update(forgeInstallations)
      .set({
        installationId,
        apiBaseUrl: invocation.apiBaseUrl,
        environmentId: invocation.environmentId,
        lastPushAt: now,
        uninstalledAt: null,
        updatedAt: now,
        ...(sameInstallation ? {} : { installedAt: now }),
        ...(keepsNewerToken
          ? {}
          : {
              systemTokenEncrypted: services.encryptor.encrypt(systemToken, SYSTEM_TOKEN_PURPOSE),
              systemTokenExpiresAt: expiresAt,
            }),
      })
      .where(eq(forgeInstallations.cloudId, cloudId))
      .returning();
    if (!hasFreshCredentials(installation, now)) return { stored: true, upgradedConnectionIds: [] };
    const upgraded = await tx
      .update(jiraConnections)
      .set({ forgeUpgradedAt: now, updatedAt: now })
      .where(
        and(
          eq(jiraConnections.cloudId, cloudId),
          eq(jiraConnections.method, 'managed'),
          isNull(jiraConnections.forgeUpgradedAt),
          inArray(jiraConnections.teamId, approvedTeamIds(tx, cloudId)),
        ),
      )
      .returning({ id: jiraConnections.id, teamId: jiraConnections.teamId });
    await writeAudit(
      tx,
      upgraded.map((connection) => ({
        teamId: connection.teamId,
        action: 'jira.connection.forge_upgraded' as const,
        target: connection.id,
        detail: { cloudId, installationId },
      })),
    );
    return { stored: true, upgradedConnectionIds: upgraded.map((connection) => connection.id) };
  });
  services.logger.info(
    { cloudId, installationId, stored: outcome.stored, upgraded: outcome.upgradedConnectionIds.length },
    'Forge credentials pushed',
  );
  return outcome;
}

/** preUninstall: forget the token, mark the installation uninstalled and downgrade the site's connections. */
export async function recordUninstall(services: Services, invocation: ForgeInvocation): Promise<string[]> {
  const now = services.clock.now();
  const { cloudId, installationId } = invocation;
  const downgraded = await services.db.transaction(async (tx) => {
    const [installation] = await tx
      .update(forgeInstallations)
      .set({ uninstalledAt: now, systemTokenEncrypted: null, systemTokenExpiresAt: null, updatedAt: now })
      .where(
        and(eq(forgeInstallations.cloudId, cloudId), eq(forgeInstallations.installationId, installationId)),
      )
      .returning();
    // A preUninstall from an older installation must not touch the current one.
    if (!installation) return [];
    return downgradeSites(tx, [cloudId], now, 'jira.connection.forge_downgraded_uninstalled');
  });
  services.logger.info({ cloudId, installationId, downgraded: downgraded.length }, 'Forge app uninstalled');
  return downgraded;
}

type Tx = Parameters<Parameters<Services['db']['transaction']>[0]>[0];

async function downgradeSites(tx: Tx, cloudIds: string[], now: Date, action: AuditAction) {
  if (!cloudIds.length) return [];
  const rows = await tx
    .update(jiraConnections)
    .set({ forgeUpgradedAt: null, updatedAt: now })
    .where(and(inArray(jiraConnections.cloudId, cloudIds), isNotNull(jiraConnections.forgeUpgradedAt)))
    .returning({ id: jiraConnections.id, teamId: jiraConnections.teamId, cloudId: jiraConnections.cloudId });
  await writeAudit(
    tx,
    rows.map((row) => ({ teamId: row.teamId, action, target: row.id, detail: { cloudId: row.cloudId } })),
  );
  return rows.map((row) => row.id);
}

/**
 * Downgrades every upgraded connection whose site has no fresh credentials any more (the app stopped
 * pushing, or was uninstalled). Service-account calls check freshness themselves; this keeps the stored
 * state, and so every view of it, true.
 */
export async function downgradeStaleConnections(services: Services): Promise<string[]> {
  const now = services.clock.now();
  const freshSites = services.db
    .select({ cloudId: forgeInstallations.cloudId })
    .from(forgeInstallations)
    .where(
      and(
        isNull(forgeInstallations.uninstalledAt),
        isNotNull(forgeInstallations.systemTokenEncrypted),
        gt(forgeInstallations.systemTokenExpiresAt, freshCredentialsExpireAfter(now)),
      ),
    );
  const stale = await services.db
    .selectDistinct({ cloudId: jiraConnections.cloudId })
    .from(jiraConnections)
    .where(and(isNotNull(jiraConnections.forgeUpgradedAt), notInArray(jiraConnections.cloudId, freshSites)));
  const downgraded = await services.db.transaction((tx) =>
    downgradeSites(
      tx,
      stale.map((row) => row.cloudId),
      now,
      'jira.connection.forge_downgraded_stale',
    ),
  );
  if (downgraded.length) {
    services.logger.warn(
      { downgraded: downgraded.length },
      'Forge credentials stale: connections downgraded',
    );
  }
  return downgraded;
}
