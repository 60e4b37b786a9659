/** Every text the Forge UI shows, once (tests compare against these). */
import type { IssueSyncState } from '@jira-integration/shared/forge-ui';

export const backendCallMessages = {
  unreachable: 'The sync service could not be reached. Try again in a moment.',
  httpStatus: (status: number) => `The sync service answered with HTTP ${status}.`,
  unexpectedAnswer: 'The sync service sent an answer this app does not understand.',
} as const;

export const issuePanelMessages = {
  heading: 'Sync status',
  stateLabels: {
    synced: 'Synced',
    pending: 'Pending',
    error: 'Error',
    not_linked: 'Not linked',
  } satisfies Record<IssueSyncState, string>,
  linkedTicket: 'Platform ticket:',
  lastSynced: (when: string) => `Last synced: ${when}`,
  neverSynced: 'Not synced yet.',
  pendingExplanation: 'A change is waiting to be synced; this panel shows the result once the sync has run.',
  errorTitle: 'The last sync failed',
  errorWithoutDetails: 'The sync service did not report why.',
  retry: 'Retry sync',
  notLinkedExplanation:
    'This issue is not linked to a platform ticket. It gets linked when the platform creates it from a ticket, ' +
    'or when a sync configuration for its project picks it up.',
  loadFailedTitle: 'Could not load the sync status',
  retryFailedTitle: 'Could not retry the sync',
  reload: 'Try again',
} as const;

export const adminPageMessages = {
  heading: 'Jira sync',
  siteSection: 'Site',
  siteLinked: 'Linked',
  siteNotLinked: 'Not linked',
  cloudId: (cloudId: string) => `Cloud ID: ${cloudId}`,
  credentialsSection: 'Service-account credentials',
  lastCredentialPush: (when: string) => `Last credential push: ${when}`,
  noCredentialPush: 'No credential push received yet.',
  credentialsFresh: 'Fresh',
  credentialsStale: 'Expired',
  connectionsSection: 'Upgraded connections',
  connectionsHead: { team: 'Team', connection: 'Connection', upgradedAt: 'Upgraded' },
  noUpgradedConnections: 'No connection to this site has been upgraded yet.',
  syncSection: 'Sync settings',
  syncHead: {
    team: 'Team',
    enabled: 'Enabled',
    project: 'Project',
    strategy: 'Strategy',
    interval: 'Interval',
    linked: 'Linked issues',
    queued: 'Queued',
    lastReconciled: 'Last reconciliation',
  },
  yes: 'Yes',
  no: 'No',
  notSet: '—',
  everyMinutes: (minutes: number) => `Every ${minutes} min`,
  linkedIssues: (linked: number, failing: number) =>
    failing ? `${linked} (${failing} failing)` : `${linked}`,
  noSyncSettings: 'No team has configured sync for this site yet.',
  workspacesSection: 'Workspaces using the app',
  workspacesHelp:
    'Each workspace is one customer of the platform. Only approved workspaces may act as the app or as other users on this site; a workspace connected by a Jira admin is approved at once.',
  noWorkspaces: 'No workspace has connected this site yet.',
  workspacesHead: { workspace: 'Workspace', teams: 'Teams', status: 'Status', action: '' },
  approve: 'Approve',
  revoke: 'Revoke',
  decisionFailedTitle: 'Could not change the workspace',
  readyTitle: 'Sync can run',
  readyDetails: 'The site is linked, credentials are fresh, and at least one connection syncs a project.',
  blockedTitle: 'Sync cannot run yet',
  loadFailedTitle: 'Could not load the sync overview',
  reload: 'Try again',
  blockers: {
    siteNotLinked: 'No team has connected this Jira site to the platform yet.',
    noCredentialPush:
      'The Forge app has not pushed service-account credentials yet; the first push follows the install within minutes.',
    credentialsExpired: (lastPush: string) =>
      `The service-account credentials have expired (last push ${lastPush}); pushes run every five minutes, so check that the app is installed and the backend is reachable.`,
    noUpgradedConnection:
      'No managed connection to this site is upgraded; custom connections are never upgraded.',
    noSyncEnabled: 'No connection has sync enabled.',
    missingProject: (teamName: string) => `Sync for team ${teamName} has no Jira project configured.`,
    teamNotReady: (teamName: string, reason: string) => `Team ${teamName}: ${reason}`,
  },
} as const;
