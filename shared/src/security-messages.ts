/** Texts of the security rules: keys, limits, workspace approval, OAuth callback binding. */

export const keyMessages = {
  notFound: 'No API key with that id.',
  lastKey:
    'This is the team’s last active API key. Create another key first: revoking it would lock the team out.',
  nameTooLong: 'name: at most 255 characters',
  created: 'Copy the key now: it is shown only once.',
  revoked: 'Key revoked.',
  pageTitle: 'API keys',
  lede: 'Keys sign in to this console and call the API. Revoking a key stops it everywhere within a second and ends the console sessions it opened.',
  createLabel: 'New key name',
  create: 'Create key',
  revoke: 'Revoke',
  revokedBadge: 'Revoked',
  activeBadge: 'Active',
} as const;

export const limitMessages = {
  bodyTooLarge: (maxBytes: number) =>
    `The request body is larger than this route accepts (${maxBytes} bytes).`,
  controlCharacters: (field: string) => `${field}: must not contain control characters`,
  invalidEncoding: (field: string) => `${field}: is not valid UTF-8`,
  tooDeep: (maxDepth: number) => `body: nested more than ${maxDepth} levels deep`,
  unknownFields: (path: ReadonlyArray<PropertyKey>, keys: readonly string[]) =>
    `${path.length ? path.join('.') : 'body'}: unknown ${keys.length === 1 ? 'field' : 'fields'} ${keys.map((key) => `"${key}"`).join(', ')}`,
  malformedBody: 'body: could not be read as the content type it names',
  unstorableValue: (field: string) => `${field}: holds a value that cannot be stored`,
  tooLong: (field: string, max: number) => `${field}: at most ${max} characters`,
  tooManyFailedKeys: (retryAfterSeconds: number) =>
    `Too many attempts with an invalid API key from this address. Try again in ${retryAfterSeconds} seconds.`,
  teamRateLimited: (limit: number, retryAfterSeconds: number) =>
    `This team sent more than ${limit} requests a minute. Try again in ${retryAfterSeconds} seconds.`,
  siteBudgetLow: (siteUrl: string, retryAfterSeconds: number) =>
    `The Jira site ${siteUrl} is close to Atlassian's hourly rate limit, shared with others; this team has used its fair share for now. Try again in ${retryAfterSeconds} seconds.`,
} as const;

export const idempotencyMessages = {
  invalidKey: 'Idempotency-Key: 1 to 255 visible ASCII characters',
  reused:
    'This Idempotency-Key was used with a different request in the last 24 hours. Use a new key for a new request.',
  inProgress: 'A request with this Idempotency-Key is still being answered. Try again in a moment.',
} as const;

export const workspaceMessages = {
  approved: 'Approved',
  pending: 'Waiting for a Jira admin',
  revoked: 'Revoked by a Jira admin',
  pendingHelp:
    'A Jira admin of this site must approve your workspace on the app’s admin page (Jira settings → Apps) before the Forge service account and impersonation can be used. Connecting as a Jira admin approves it at once.',
  notAdmin: 'Only a Jira admin of this site can approve or revoke workspaces.',
  notFound: 'No workspace has asked for this site.',
  workspaceNotFound: (id: string) => `No workspace with id ${id}`,
} as const;

export const callbackMessages = {
  /** Shown on the login page when a callback arrives in a browser that cannot prove it started the flow. */
  signInToFinish: 'Sign in to finish connecting your Jira site.',
  wrongBrowser:
    'This Jira authorization was started in another browser or by another team. Start the connection again from this console.',
} as const;
