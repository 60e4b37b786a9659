/** Every message the workflows and the JSM catalog answer with (Jira's own words are quoted inside some). */

export const APPROVAL_POLICIES = ['installer-approval', 'team-approval', 'no-approval'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

export const RUN_STATES = [
  'queued',
  'awaiting_approval',
  'running',
  'succeeded',
  'failed',
  'rejected',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** How long a run may wait for its approval before it can no longer be approved. */
export const APPROVAL_EXPIRY_DAYS = 7;

export const workflowMessages = {
  workflowNotFound: 'No workflow with that id.',
  runNotFound: 'No workflow run with that id.',
  ingestionNotFound: 'No catalog ingestion with that id.',
  connectionNotFound: 'No Jira connection with that id.',
  connectionRequired: 'connectionId is required: the Jira connection the run calls.',
  workflowPaused: (name: string) => `The workflow "${name}" is paused. Enable it before running it.`,
  workflowRetired: (name: string) =>
    `The workflow "${name}" was removed from the Jira Service Management catalog and can no longer run.`,
  wrongConnection:
    'This catalog workflow belongs to another Jira connection; run it on the connection it came from.',
  invalidInput: (details: string) => `The input is not valid: ${details}`,
  nothingToChange: 'Send enabled, approval or both.',
  notAwaitingApproval: (state: string) => `The run is ${state.replace('_', ' ')}, not awaiting approval.`,
  approvalExpired: (days: number) => `The run waited more than ${days} days for approval and expired.`,
  notInstaller:
    'Only the API key that made this Jira connection (or a console session signed in with it) may approve or reject runs that need installer approval.',
  noInstallerRecorded:
    'This Jira connection does not record who made it, so nobody can give installer approval. Reconnect the site, or change the workflow to team-approval.',
  noActor: 'Sign in again with an API key to approve or reject runs.',
  looseningNeedsInstaller:
    'Only the API key that made the team’s Jira connections (or a console session signed in with it) may loosen installer approval: the same authority that gives it.',
  looseningNeedsAdmin: 'Sign in with an API key of the team to turn off team approval.',
  interrupted: (method: string, path: string) =>
    `The run was interrupted while ${method} ${path} was under way; it was not retried, so nothing is done twice. Check Jira before running it again.`,
  jiraUnavailable: 'Jira could not be reached or did not answer in time.',
  jiraFailed: (status: number, detail: string) => `Jira answered ${status}${detail ? `: ${detail}` : ''}`,

  // Read Jira Issue Details
  malformedIssueKey: (value: string) => `"${value}" is not an issue key like PROJ-123 or a numeric issue id.`,
  issueNotFound: (value: string) => `Issue ${value} does not exist or the connection's user may not see it.`,

  // Create Jira Issue
  projectNotFound: (project: string) =>
    `Project ${project} does not exist or the connection's user may not create issues in it.`,
  issueTypeNotInProject: (issueType: string, project: string, available: string[]) =>
    `Issue type "${issueType}" is not available in project ${project}. Available: ${available.join(', ')}.`,
  priorityNotAllowed: (priority: string, allowed: string[]) =>
    `Priority "${priority}" is not allowed here. Allowed: ${allowed.join(', ')}.`,
  requiredFieldsMissing: (fields: string[]) =>
    `These fields are required by the project's create screen: ${fields.join(', ')}.`,
  fieldErrors: (errors: Array<[string, string]>) =>
    `Jira refused the fields: ${errors.map(([field, message]) => `${field}: ${message}`).join('; ')}`,
  userNotFoundByEmail: (email: string) =>
    `No Jira user with the email ${email} is visible to the connection.`,

  // Transition Jira Issue
  statusNotReachable: (issue: string, status: string, reachable: string[]) =>
    reachable.length
      ? `Issue ${issue} cannot move to "${status}" from where it is. Reachable statuses: ${reachable.join(', ')}.`
      : `Issue ${issue} cannot move to "${status}": no transitions are available to the connection's user.`,

  // Add Attachment
  attachmentTooLarge: (bytes: number) => `The file is larger than ${Math.round(bytes / 1024 / 1024)} MB.`,
  attachmentSourceFailed: (url: string, status: number) =>
    status
      ? `Downloading ${shownUrl(url)} failed: it answered ${status}.`
      : `Downloading ${shownUrl(url)} failed: it could not be reached.`,
  attachmentSourceTimedOut: (url: string) =>
    `Downloading ${shownUrl(url)} failed: it did not answer in time.`,
  attachmentTooManyRedirects: (url: string, limit: number) =>
    `Downloading ${shownUrl(url)} failed: it redirected more than ${limit} times.`,
  attachmentSourceRefused: (url: string, reason: string) =>
    `Downloading ${shownUrl(url)} was refused: ${reason}`,
  /** The reasons attachmentSourceRefused gives. */
  internalAddress: (host: string) =>
    `${host} is a private, loopback, link-local or otherwise internal address.`,
  resolvesToInternalAddress: (host: string, address: string) =>
    `${host} resolves to ${address}, a private, loopback, link-local or otherwise internal address.`,
  unsupportedScheme: (scheme: string) => `only http: and https: URLs are downloaded, not ${scheme}.`,
  redirectsTo: (location: string, reason: string) => `it redirects to ${shownUrl(location)}, and ${reason}`,

  // JSM catalog
  catalogNeedsJsm: 'The connection sees no Jira Service Management service desks.',
  ingestionAbandoned: (attempts: number) =>
    `The ingestion's worker was lost ${attempts} times before it could finish; start it again.`,
  ingestionResumed: 'resumed after its worker was lost',
} as const;

/** A URL as a run's error shows it: a user name or password in it is a secret and is left out. */
function shownUrl(href: string): string {
  try {
    const url = new URL(href);
    if (!url.username && !url.password) return href;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return href;
  }
}
