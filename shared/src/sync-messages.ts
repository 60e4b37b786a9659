import { ticketSyncReadinessMessages as readiness } from './forge-messages';

/**
 * User-facing texts of tickets and the two-way ticket sync (API answers, console, Forge panel and admin page).
 * One home per text; tests compare against these.
 */

export const ticketMessages = {
  notFound: 'No ticket with that id.',
  titleRequired: 'A ticket needs a title.',
  commentBodyRequired: 'A comment needs a body.',
  invalidEmail: 'Must be an email address.',
  invalidCursor: 'cursor: not a cursor this API handed out.',
} as const;

export const syncConfigMessages = {
  notConfigured: 'Ticket sync is not configured for this connection yet.',
  projectNotFound: (projectKey: string) => `Project '${projectKey}' does not exist on this Jira site.`,
  requestTypeRequired: (projectKey: string) =>
    `Project '${projectKey}' is a Jira Service Management project: choose a request type.`,
  requestTypeNotFound: (requestTypeId: string, projectKey: string) =>
    `Request type '${requestTypeId}' does not exist in project '${projectKey}'.`,
  requestTypeNotApplicable: (projectKey: string) =>
    `Project '${projectKey}' is not a Jira Service Management project: it has no request types.`,
  platformValueUnmapped: (kind: 'priority' | 'status', value: string) =>
    `The platform ${kind} '${value}' is not mapped to a Jira ${kind}.`,
  jiraValueMissing: (kind: 'priority' | 'status', id: string, where: string) =>
    `Jira ${kind} '${id}' does not exist ${where}.`,
  jiraValueUnmapped: (kind: 'priority' | 'status', name: string) =>
    `The Jira ${kind} '${name}' is not mapped to a platform ${kind}.`,
  siteUnreachable: 'The Jira site could not be read to check these settings. Please try again.',
} as const;

/** Readiness: the conditions sync needs, in the order they are checked, and the fix for each. */
export const syncReadinessMessages = {
  checkManaged: readiness.checkManaged,
  checkInstalled: readiness.checkInstalled,
  checkFresh: readiness.checkFresh,
  checkUpgraded: 'Connection upgraded by the Forge app',
  checkEnabled: readiness.checkEnabled,
  checkConfigured: 'Sync settings saved',
  fixManaged: readiness.fixManaged,
  fixInstalled: readiness.fixInstalled,
  fixFresh: readiness.fixFresh,
  fixUpgraded: 'The connection is upgraded at the Forge app’s next credential push, within five minutes.',
  fixEnabled: readiness.fixEnabled,
  fixConfigured: 'Save the sync settings (project, mappings, strategy) below.',
  notReady: (check: string) => `Sync is not running. Missing: ${check}.`,
} as const;

/** What a link's last error says. */
export const syncErrorMessages = {
  statusNotInWorkflow: (statusName: string, projectKey: string) =>
    `The status mapping names Jira status '${statusName}', which the workflow of project '${projectKey}' no longer has. Update the sync settings.`,
  noTransitionPath: (statusId: string, issueKey: string) =>
    `No workflow transition takes ${issueKey} to Jira status '${statusId}' named by the status mapping. Update the sync settings.`,
  unmappedJiraValue: (kind: 'priority' | 'status', name: string) =>
    `The Jira ${kind} '${name}' is not mapped to a platform ${kind}. Update the sync settings.`,
  statusWalkStopped: (issueKey: string, target: string, at: string, steps: number, reason: string) =>
    `Moving ${issueKey} to Jira status '${target}' stopped at '${at}' after ${steps} of its transitions: ${reason} The next attempt goes on from '${at}'.`,
  jiraRejected: (status: number, detail: string) => `Jira refused the change (${status}): ${detail}`,
  rateLimited: 'Jira asked the sync to slow down (429); it will retry after the wait Jira asked for.',
  unavailable: 'Jira could not be reached; the sync will retry.',
  issueDeleted: (issueKey: string) => `The Jira issue ${issueKey} was deleted.`,
  unstorableContent: (issueKey: string) =>
    `The Jira issue ${issueKey} holds content that could not be stored; edit the issue in Jira and it syncs again.`,
  unknownRequester: (email: string) =>
    `Requester ${email} is not a user of this Jira site, so the issue was created without them. Their email: ${email}`,
  requestTypeGone: (requestTypeId: string, projectKey: string) =>
    `Request type '${requestTypeId}' no longer exists in project '${projectKey}', so no request was created. Choose another request type in the sync settings.`,
  notServiceDesk: (projectKey: string) =>
    `Project '${projectKey}' is no longer a Jira Service Management project, so no request was created. Update the sync settings.`,
  createAmbiguous: (issueKeys: string[]) =>
    `An interrupted create left ${issueKeys.join(', ')} in Jira without a ticket id, and the sync cannot tell whether one of them is this ticket's, so it created nothing. Delete the ones the sync made in Jira and the sync creates the issue again.`,
} as const;

/** Backfill progress as the console shows it. */
export const syncProgressMessages = {
  backfill: (done: number, total: number | null, ratePerSecond: number | null, etaSeconds: number | null) =>
    `Backfill: ${done}${total === null ? '' : ` of ${total}`} issues${
      ratePerSecond === null ? '' : `, ${ratePerSecond.toFixed(1)}/s`
    }${etaSeconds === null ? '' : `, about ${Math.ceil(etaSeconds)} s left`}`,
  backfillDone: (total: number) => `Backfill finished: ${total} issues.`,
} as const;
