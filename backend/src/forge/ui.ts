/**
 * Answers for the Forge UI modules (issue panel, admin page). The site, issue and user come from the verified
 * invocation token; a token can only ever reach the data of the site its installation belongs to.
 */

import { forgeMessages } from '@jira-integration/shared/forge-messages';
import type {
  AdminOverview,
  IssueSyncStatus,
  SiteWorkspace,
  WorkspaceDecision,
} from '@jira-integration/shared/forge-ui';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { and, eq } from 'drizzle-orm';
import { hasAdministerJira } from '../atlassian/jira';
import type { Services } from '../context';
import { jiraConnections, syncConfigs, teams } from '../db/schema';
import { ApiError } from '../http/errors';
import {
  type ForgeInstallation,
  findInstallation,
  forgeUpgradeStatus,
  hasFreshCredentials,
  isInstalled,
  siteStatusOf,
} from '../model/forge-upgrade';
import { impersonationTokens } from '../proxy/impersonation';
import { readUnlinkedIssue, resyncIssue } from '../sync/issue-sync';
import { countLinksByConnection, findIssueLink, markIssueLinksPending } from '../sync/links';
import { countQueuedByConnection } from '../sync/outbox';
import { syncReadinessOf } from '../sync/readiness';
import { decideWorkspace, workspacesOfSite } from '../workspaces/service';
import { SYSTEM_TOKEN_PURPOSE } from './credentials';
import { requeueLatestIssueEvent } from './events';
import type { ForgeInvocation } from './verify';

/** The installation the token was issued for, which must be the site's current one. */
async function installationOf(services: Services, invocation: ForgeInvocation): Promise<ForgeInstallation> {
  const contextCloudId = invocation.context?.cloudId;
  if (contextCloudId && contextCloudId !== invocation.cloudId) {
    throw new ApiError('forge_site_mismatch', forgeMessages.siteMismatch);
  }
  const installation = await findInstallation(services.db, invocation.cloudId);
  if (!isInstalled(installation) || installation.installationId !== invocation.installationId) {
    throw new ApiError('forge_not_installed', forgeMessages.notInstalled);
  }
  return installation;
}

async function managedConnectionsOf(services: Services, cloudId: string) {
  const rows = await services.db
    .select({ connection: jiraConnections, teamName: teams.name, config: syncConfigs })
    .from(jiraConnections)
    .innerJoin(teams, eq(teams.id, jiraConnections.teamId))
    .leftJoin(syncConfigs, eq(syncConfigs.connectionId, jiraConnections.id))
    .where(and(eq(jiraConnections.cloudId, cloudId), eq(jiraConnections.method, 'managed')))
    .orderBy(jiraConnections.createdAt);
  return rows.map(({ connection, teamName, config }) => ({ ...connection, connection, teamName, config }));
}

function requireIssue(invocation: ForgeInvocation) {
  const issue = invocation.context?.issue;
  if (!issue) throw new ApiError('missing_issue_context', forgeMessages.missingIssueContext);
  return issue;
}

/** Checks the issue's site can sync at all: installed, fresh credentials, an upgraded managed connection. */
async function requireSyncableSite(services: Services, invocation: ForgeInvocation) {
  const installation = await installationOf(services, invocation);
  const connections = await managedConnectionsOf(services, invocation.cloudId);
  const site = siteStatusOf(installation, services.clock.now());
  if (!site.credentialsFresh) {
    const siteUrl = connections[0]?.siteUrl ?? installation.apiBaseUrl;
    throw new ApiError(
      'forge_credentials_stale',
      forgeMessages.credentialsStale(siteUrl, installation.lastPushAt),
    );
  }
  if (!connections.some((connection) => forgeUpgradeStatus(connection, site).upgraded)) {
    throw new ApiError('site_not_connected', forgeMessages.siteNotConnected);
  }
}

/** The issue's sync status, from its link to a platform ticket (`not_linked` without one). */
async function linkStatusOf(
  services: Services,
  cloudId: string,
  issue: { id: string; key: string },
): Promise<IssueSyncStatus> {
  const link = await findIssueLink(services, cloudId, issue.id);
  if (!link) return { state: 'not_linked', issueKey: issue.key };
  return {
    state: link.state,
    issueKey: link.issueKey,
    ticket: { id: link.ticketId, title: link.ticketTitle },
    ...(link.lastSyncedAt ? { lastSyncedAt: link.lastSyncedAt.toISOString() } : {}),
    ...(link.lastError ? { lastError: link.lastError } : {}),
  };
}

export async function issueSyncStatus(
  services: Services,
  invocation: ForgeInvocation,
): Promise<IssueSyncStatus> {
  const issue = requireIssue(invocation);
  await requireSyncableSite(services, invocation);
  return linkStatusOf(services, invocation.cloudId, issue);
}

/** Marks the issue's links pending and queues its latest stored event again, then answers its status. */
export async function retryIssueSync(
  services: Services,
  invocation: ForgeInvocation,
): Promise<IssueSyncStatus> {
  const issue = requireIssue(invocation);
  await requireSyncableSite(services, invocation);
  await markIssueLinksPending(services, invocation.cloudId, issue.id);
  // Linked: each link re-reads the issue and pushes the ticket; not linked: the latest event runs again, or
  // without one, every connection of the site with sync settings reads the issue.
  const links = await resyncIssue(services, invocation.cloudId, issue.id);
  const eventId = links ? null : await requeueLatestIssueEvent(services, invocation.cloudId, issue.id);
  if (!links && eventId === null) await readUnlinkedIssue(services, invocation.cloudId, issue.id);
  services.logger.info(
    { cloudId: invocation.cloudId, issueId: issue.id, links, eventId },
    'issue sync retry requested',
  );
  return linkStatusOf(services, invocation.cloudId, issue);
}

export async function adminOverview(services: Services, invocation: ForgeInvocation): Promise<AdminOverview> {
  const installation = await installationOf(services, invocation);
  const connections = await managedConnectionsOf(services, invocation.cloudId);
  const linkCounts = await countLinksByConnection(services, invocation.cloudId);
  const queued = await countQueuedByConnection(services, invocation.cloudId);
  const readiness = await syncReadinessOf(
    services,
    connections.map((entry) => entry.connection),
  );
  const site = siteStatusOf(installation, services.clock.now());
  return {
    siteLinked: connections.length > 0,
    cloudId: invocation.cloudId,
    ...(installation.lastPushAt ? { lastCredentialPushAt: installation.lastPushAt.toISOString() } : {}),
    credentialsFresh: site.credentialsFresh,
    // Stale credentials leave no connection upgraded, whether or not the sweep has run yet.
    upgradedConnections: connections.flatMap((connection) =>
      connection.forgeUpgradedAt && forgeUpgradeStatus(connection, site).upgraded
        ? [
            {
              teamName: connection.teamName,
              connectionId: connection.id,
              upgradedAt: connection.forgeUpgradedAt.toISOString(),
            },
          ]
        : [],
    ),
    workspaces: await workspacesOfSite(services, invocation.cloudId),
    sync: connections.map((connection) => ({
      connectionId: connection.id,
      teamName: connection.teamName,
      enabled: connection.ticketSyncing,
      linkedIssues: linkCounts.get(connection.id)?.linked ?? 0,
      failingIssues: linkCounts.get(connection.id)?.failing ?? 0,
      ...(connection.config
        ? {
            projectKey: connection.config.projectKey,
            strategy: connection.config.strategy,
            intervalMinutes: connection.config.reconcileIntervalMinutes,
            ...(connection.config.requestTypeId ? { requestTypeId: connection.config.requestTypeId } : {}),
            ...(connection.config.lastReconciledAt
              ? { lastReconciledAt: connection.config.lastReconciledAt.toISOString() }
              : {}),
          }
        : {}),
      queuedChanges: queued.get(connection.id) ?? 0,
      ...(readiness.get(connection.id)?.reason
        ? { notReadyReason: readiness.get(connection.id)?.reason ?? '' }
        : {}),
    })),
  };
}

/**
 * The token's user must hold "Administer Jira" on the site. Forge shows the admin page to admins only, but
 * the endpoint can be called from any module, so the backend asks Jira itself, as that user (an
 * impersonation token of the app), and any doubt is a refusal.
 */
async function requireJiraAdmin(services: Services, invocation: ForgeInvocation) {
  const installation = await installationOf(services, invocation);
  const principal = invocation.principal;
  const refused = new ApiError('not_jira_admin', workspaceMessages.notAdmin);
  if (
    !principal ||
    !installation.systemTokenEncrypted ||
    !hasFreshCredentials(installation, services.clock.now())
  )
    throw refused;
  const systemToken = services.encryptor.decrypt(installation.systemTokenEncrypted, SYSTEM_TOKEN_PURPOSE);
  let userToken: string;
  try {
    userToken = await impersonationTokens(services).tokenFor({
      installationId: installation.installationId,
      cloudId: installation.cloudId,
      systemToken,
      accountId: principal,
    });
  } catch {
    throw refused;
  }
  if (!(await hasAdministerJira(installation.apiBaseUrl.replace(/\/+$/, ''), userToken))) throw refused;
  return principal;
}

/** A Jira admin approves or revokes a workspace's use of the app on this site. */
export async function decideSiteWorkspace(
  services: Services,
  invocation: ForgeInvocation,
  decision: WorkspaceDecision,
): Promise<SiteWorkspace> {
  const adminAccountId = await requireJiraAdmin(services, invocation);
  return decideWorkspace(services, {
    cloudId: invocation.cloudId,
    workspaceId: decision.workspaceId,
    decision: decision.decision,
    adminAccountId,
  });
}
