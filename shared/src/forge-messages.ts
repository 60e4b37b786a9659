/**
 * User-facing texts of the Forge app integration (backend answers, console, issue panel and admin page).
 * One home per text; tests compare against these.
 */

/** "2026-11-23 10:00 UTC": the one way these texts show a time. */
export function formatPushTime(at: Date | null): string {
  if (!at) return 'never';
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const forgeMessages = {
  invalidInvocationToken: 'The Forge invocation token could not be verified.',
  missingInvocationToken: 'A Forge invocation token is required: send "Authorization: Bearer <token>".',
  missingSystemToken: 'The x-forge-oauth-system header with the app system token is required.',
  invalidSystemToken: 'The x-forge-oauth-system token is not a JWT with an exp claim.',
  invalidEvent: 'The event has no eventType or issue id.',
  missingIssueContext: 'The invocation token carries no issue (context.extension.issue).',
  siteMismatch: 'The invocation token’s site does not match its installation.',
  notInstalled:
    'This site’s Forge app installation is not registered with the integration. Reinstall the app, or wait up to five minutes for its next credential push.',
  siteNotConnected:
    'No team has connected this Jira site with Sign in with Jira and had it upgraded by the Forge app, so its issues are not synced.',
  customNeverUpgraded:
    'This connection uses your own Atlassian OAuth app. Only Sign in with Jira connections are upgraded by the Forge app.',
  appNotInstalledOnSite: (siteUrl: string) =>
    `The Forge app is not installed on ${siteUrl}, so this connection is not upgraded. Install the app on the site to use the service account.`,
  notUpgradedYet:
    'The Forge app has not upgraded this connection yet. It is upgraded at the app’s next credential push, within five minutes.',
  credentialsStale: (siteUrl: string, lastPushAt: Date | null) =>
    `The Forge app has not pushed credentials for ${siteUrl} recently (last push ${formatPushTime(lastPushAt)}). Reinstall the app, or wait up to five minutes for its next push.`,
} as const;

/** What the console shows beside a connection about the Forge upgrade. */
export const forgeConsoleMessages = {
  upgraded: 'Upgraded by the Forge app',
  lastPush: (at: Date | null) => `Last credential push: ${formatPushTime(at)}`,
  custom: 'Own OAuth app: not upgraded by the Forge app',
  notInstalled: 'Not upgraded: the Forge app is not installed on this site',
  uninstalled: (at: Date) =>
    `Not upgraded: the Forge app was uninstalled from this site (${formatPushTime(at)})`,
  stale: (lastPushAt: Date | null) =>
    `Not upgraded: the Forge app’s credentials are stale (last push ${formatPushTime(lastPushAt)})`,
  pending: 'Not upgraded yet: waiting for the Forge app’s next credential push',
  installLink: 'Open the Forge app install page',
  /** The spec's guidance after installing, with the configured product name. */
  installWait: (productName: string) =>
    `The install can take up to five minutes to reflect in ${productName}. Refresh the ${productName} page to see the updated status.`,
} as const;

/** The Ticket Syncing page: what must hold before sync can run, and what to do when it does not. */
export const ticketSyncReadinessMessages = {
  pageTitle: 'Tickets',
  /** The list's own heading, apart from the page's. */
  listTitle: (productName: string) => `${productName} tickets`,
  title: 'Ticket syncing',
  lede: (productName: string) =>
    `Two-way sync between ${productName} tickets and Jira issues runs as the Forge app’s service account.`,
  noConnections: 'Connect a Jira site with Sign in with Jira to sync tickets.',
  checkManaged: 'Connected with Sign in with Jira',
  checkInstalled: 'Forge app installed on the site',
  checkFresh: 'Forge app credentials fresh',
  checkEnabled: 'Ticket Syncing turned on',
  fixManaged:
    'Ticket syncing needs a Sign in with Jira connection; connections that use your own OAuth app cannot be upgraded.',
  fixInstalled: 'Ask a Jira admin of the site to install the Forge app.',
  fixFresh: 'The app pushes credentials every five minutes; reinstall it if this persists.',
  fixEnabled: 'Turn on Ticket Syncing for this connection on the Connections page.',
  ready: 'Ready: sync can run for this site.',
  notReady: 'Sync cannot run yet:',
} as const;
