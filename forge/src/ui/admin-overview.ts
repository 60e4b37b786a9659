/** What the admin page shows for an overview, decided outside React so it is easy to test. */
import type { AdminOverview, SyncSettingsSummary } from '@jira-integration/shared/forge-ui';
import { formatTimestamp } from './format';
import { adminPageMessages } from './messages';

/** Everything that keeps sync from running on this site, in the order an admin should fix it. */
export function findSyncBlockers(overview: AdminOverview): string[] {
  const { blockers } = adminPageMessages;
  const found: string[] = [];
  if (!overview.siteLinked) found.push(blockers.siteNotLinked);
  if (!overview.lastCredentialPushAt) found.push(blockers.noCredentialPush);
  else if (!overview.credentialsFresh)
    found.push(blockers.credentialsExpired(formatTimestamp(overview.lastCredentialPushAt)));
  if (overview.siteLinked && overview.upgradedConnections.length === 0)
    found.push(blockers.noUpgradedConnection);
  const enabled = overview.sync.filter((settings) => settings.enabled);
  if (enabled.length === 0) found.push(blockers.noSyncEnabled);
  for (const settings of enabled) {
    // The backend's one readiness decision says why, when it has a reason.
    if (settings.notReadyReason)
      found.push(blockers.teamNotReady(settings.teamName, settings.notReadyReason));
    else if (!settings.projectKey) found.push(blockers.missingProject(settings.teamName));
  }
  return found;
}

/** One row of the sync-settings table, as display strings. */
export function describeSyncSettings(settings: SyncSettingsSummary): {
  team: string;
  enabled: string;
  project: string;
  strategy: string;
  interval: string;
  linked: string;
  queued: string;
  lastReconciled: string;
} {
  const { notSet } = adminPageMessages;
  return {
    team: settings.teamName,
    enabled: settings.enabled ? adminPageMessages.yes : adminPageMessages.no,
    project: settings.projectKey ?? notSet,
    strategy: settings.strategy ?? notSet,
    interval: settings.intervalMinutes ? adminPageMessages.everyMinutes(settings.intervalMinutes) : notSet,
    linked: adminPageMessages.linkedIssues(settings.linkedIssues, settings.failingIssues),
    queued: String(settings.queuedChanges ?? 0),
    lastReconciled: settings.lastReconciledAt ? formatTimestamp(settings.lastReconciledAt) : notSet,
  };
}
