/**
 * Every user-facing message text lives here, once. The quoted texts of the product spec are exact;
 * tests compare against these constants and against literal copies of the spec's wording.
 */

export const connectMessages = {
  subdomainRequired: 'Jira subdomain is required',
  subdomainInvalid: 'Please enter a valid subdomain (letters, numbers, and hyphens only)',
  managedStartFailed: 'Failed to initiate Jira OAuth',
  customStartFailedPrefix: 'Failed to initiate custom Jira app',
  invalidOrExpiredState: 'Invalid or expired OAuth state',
  siteNotFound: (subdomain: string) =>
    `target Jira site ‘${subdomain}.atlassian.net’ not found in accessible resources. Please ensure you have access to this site and selected it during authorization`,
  multipleSites: (count: number) =>
    `multiple Jira sites found (${count}). Please specify which site to connect by providing the subdomain`,
  noRefreshToken:
    'custom Jira OAuth app access token expired and no refresh token available; reconnect required',
  noSitesAuthorized: 'No Jira sites were authorized. Please select a site during authorization',
  authorizationCancelled: 'Authorization was cancelled on Atlassian.',
  callbackFailed: 'Connecting to Jira failed. Please try again.',
  connectionNotFound: 'No Jira connection with that id.',
  reconnectRequired:
    "Atlassian no longer accepts this connection's refresh token. Reconnect the Jira site to continue.",
  tokenRefused:
    "Atlassian refused this connection's access token (HTTP 401). Reconnect the Jira site to continue.",
  oauthClientRejected:
    "Atlassian rejected the client ID or secret. Copy both again from the Settings page of your OAuth 2.0 (3LO) integration in Atlassian's developer console (developer.atlassian.com/console/myapps); click Show to reveal the secret.",
  /** A site the team has already connected: the API refuses unless the caller asks to replace it. */
  connectionExists: (site: string, method: string, connectedAs: string) =>
    `${site} is already connected (${method}, connected as ${connectedAs}). Connecting again replaces that connection; send "replace": true to do so.`,
  alreadyConnected: (subdomain: string) =>
    `${subdomain}.atlassian.net is already connected. Use Reconnect on its row to replace that connection.`,
  replaceQuestion: (site: string, method: string, connectedAs: string) =>
    `${site} is already connected with ${method}, as ${connectedAs}. Replace that connection?`,
  methodChange: (from: string, to: string) =>
    `This connection uses ${from}. Continuing replaces it with one using ${to}.`,
  ticketSyncingNeedsManaged:
    'Ticket Syncing needs a connection made with Sign in with Jira and the Forge app; connections with your own OAuth app are never upgraded by the Forge app. Reconnect with Sign in with Jira to use it.',
  disconnectQuestion: (site: string) =>
    `Disconnect ${site}? Workflows and ticket syncing stop using it until it is connected again.`,
  disconnected: (site: string) => `${site} was disconnected.`,
  connected: 'Jira site connected.',
  refreshUnavailable:
    "Atlassian's token endpoint did not answer, so the Jira token could not be refreshed. Try again in a moment.",
  refreshBusy:
    "Another request is still refreshing this connection's Jira token. Try again in a few seconds.",
} as const;

/** How each connection method is named to admins. */
export const METHOD_LABELS = { managed: 'Sign in with Jira', custom: 'Own OAuth app' } as const;

/** The spec's help line; the address follows the configured product name. */
export function supportContact(productName: string): string {
  const domain = productName.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'support';
  return `Need help? Contact support@${domain}.com for assistance with your Jira integration.`;
}

/** "Failed to initiate custom Jira app: clientId is required" and its siblings. */
export function customFieldRequired(field: 'clientId' | 'clientSecret' | 'subdomain'): string {
  return `${connectMessages.customStartFailedPrefix}: ${field} is required`;
}

export const healthMessages = {
  authSuccess: (name: string | null | undefined) =>
    `Successfully authenticated with Jira as ${name?.trim() ? name : 'user'}`,
  authFailure:
    'Unable to authenticate with Jira. Please verify your API credentials and permissions are correct.',
  projectsSuccess: (sampleSize: number) =>
    `Successfully listed projects from Jira (sample size: ${sampleSize})`,
  projectsFailure:
    'Unable to list projects from Jira. Please verify your API credentials have permission to browse projects.',
  searchSuccess: (found: number) => `Successfully searched issues in Jira (found: ${found})`,
  searchFailure:
    'Unable to search issues in Jira. Please verify your API credentials have permission to search and read issues.',
  /** What happened, added after the spec's text when the failure was not about credentials at all. */
  causeUnavailable: (status: number) => `Atlassian is unavailable right now (HTTP ${status}).`,
  causeRateLimited: (status: number) => `Atlassian is rate limiting requests (HTTP ${status}).`,
  causeTimedOut: 'Atlassian did not answer in time.',
  causeUnreachable: 'Atlassian could not be reached.',
  causeRefused: (status: number) => `Jira answered HTTP ${status}.`,
  causeReconnect: 'The connection needs to be reconnected.',
  running: 'Running…',
} as const;

export const authMessages = {
  unauthorized: 'A valid team API key is required: send "Authorization: Bearer <key>".',
  consoleLoginFailed: 'That API key is not valid.',
  crossSite: 'Cross-site requests are not allowed.',
} as const;

export const genericMessages = {
  notFound: 'Not found.',
  internal: 'Something went wrong on our side. Please try again.',
  databaseUnavailable: 'The database connection was lost. Please try again in a few seconds.',
} as const;

export const operationsMessages = {
  dataDirLocked: (
    dataDir: string,
    holder: { pid: number; host: string; command: string; startedAt: string },
  ) =>
    `The embedded database in ${dataDir} is in use by process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.startedAt}). Only one process can open it: stop that process, use "npm run cli" (it asks the running server), or set DATABASE_URL to share a PostgreSQL database.`,
  sandboxPortTaken: (port: number) =>
    `SANDBOX_PORT ${port} is in use by something that is not the Atlassian sandbox. Set SANDBOX_PORT to a free port, or ATLASSIAN_CLIENT_ID and ATLASSIAN_CLIENT_SECRET to use Atlassian itself.`,
  cliNoServerEndpoint: (dataDir: string, pid: number) =>
    `Process ${pid} holds the embedded database in ${dataDir} but offers no admin endpoint (still starting, or not a server). Wait for it to start, or stop it.`,
  cliServerUnreachable: (url: string, pid: number) =>
    `The server (process ${pid}) holding the embedded database does not answer at ${url}. Is it still starting?`,
  cliServerRefused: (status: number) => `The running server refused the command (HTTP ${status}).`,
  localAdminUnauthorized: 'The local admin endpoint needs the secret from DATA_DIR/admin.json.',
  keysRotateNeedsStoppedServer:
    'keys rotate changes the key the running server encrypts with: stop the server, run it, then start the server again.',
  metricsUnauthorized: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".',
  metricsTokenRequired:
    'GET /metrics is served without a token only on a loopback HOST; set METRICS_TOKEN to scrape it over the network.',
} as const;

/** The connect modal's copy. The product name is configurable; the sentences are the spec's. */
export function connectModalCopy(productName: string) {
  return {
    managedTitle: 'Sign in with Jira',
    managedBadge: 'Recommended',
    managedDescription: `Connect using the ${productName}-managed Jira integration.`,
    customTitle: 'Use your own Atlassian OAuth app',
    customDescription: 'Connect with an OAuth 2.0 (3LO) integration owned by your Atlassian workspace.',
    siteLabel: 'Jira site',
    siteSuffix: '.atlassian.net',
    siteHelp: 'For example, if your Jira URL is acme.atlassian.net, enter acme.',
    displayNameLabel: 'Display name',
    displayNamePlaceholder: 'My Company Jira',
    displayNameHelp: `A friendly name shown in ${productName} - you choose this.`,
    clientIdLabel: 'Client ID',
    clientIdPlaceholder: '00000000-0000-0000-0000-000000000000',
    clientIdHelp: 'Found on the Settings page of your OAuth 2.0 (3LO) integration.',
    secretLabel: 'Secret',
    secretPlaceholder: 'ATOA…',
    secretHelp: 'Click Show next to the secret on your integration’s Settings page to reveal it.',
    callbackLabel: 'Callback URL',
    callbackHelp: 'Register exactly this URL in your Atlassian OAuth app.',
    copy: 'Copy',
    copied: 'Copied',
    submit: 'Continue to Atlassian',
    title: 'Connect a Jira Cloud site',
    reconnectTitle: (site: string) => `Reconnect ${site}`,
    secretReenter:
      'The Secret is never pre-filled and must be re-entered every time - leaving it blank does not keep the existing secret.',
    scopesIntro:
      "In Atlassian's developer console, add these scopes to your OAuth 2.0 (3LO) integration (Permissions: Jira API and Jira Service Management API):",
    authorizationWindow:
      'After you continue, you have 10 minutes to finish on Atlassian; after that you’ll see “Invalid or expired OAuth state”.',
    replace: 'Replace connection',
    support: supportContact(productName),
  };
}
