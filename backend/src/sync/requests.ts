/**
 * A ticket's issue in a JSM project is raised as a customer request of the configured request type
 * (`POST /rest/servicedeskapi/request`), so it has the request type's portal, notifications and SLAs; the rest
 * (the ticket property, priority, assignee, status) is written through the platform API afterwards.
 *
 * A request cannot carry an issue property, so unlike the platform create there is a moment when the issue
 * exists without the ticket id: the property is written right after Jira answers, and a retry after a crash in
 * between claims the unmarked request only when it can tell it is this ticket's (outbound.ts `findCreatedIssue`).
 */
import { syncErrorMessages } from '@jira-integration/shared/sync-messages';
import { JiraError } from '../atlassian/jira';
import type { Services } from '../context';
import type { JiraConnection } from '../model/connection';
import type { Ticket } from '../tickets/service';
import { toAdf } from './adf';
import type { SyncConfig } from './config';
import { type RequestTarget, SyncSetupError, serviceAccountJson, syncRuntime } from './jira-client';
import { TICKET_PROPERTY, ticketPropertyValue } from './mapping';

/** Raised when the config names a request type (JSM project), else the platform create is used. */
export const raisesRequests = (config: SyncConfig): config is SyncConfig & { requestTypeId: string } =>
  Boolean(config.requestTypeId);

/** The project's service desk and the request type's fields, read once per process (and again after a refusal). */
async function requestTarget(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig & { requestTypeId: string },
): Promise<RequestTarget> {
  const cache = syncRuntime(services).requestTargets;
  const key = `${connection.cloudId}:${config.projectId}:${config.requestTypeId}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let serviceDeskId: string | undefined;
  for (let start = 0; serviceDeskId === undefined; start += 100) {
    const page = await serviceAccountJson<{
      values: Array<{ id: string; projectId: string }>;
      isLastPage?: boolean;
    }>(services, connection, 'GET', '/rest/servicedeskapi/servicedesk', { query: { start, limit: 100 } });
    serviceDeskId = page.values.find((desk) => desk.projectId === config.projectId)?.id;
    if (page.isLastPage !== false || page.values.length === 0) break;
  }
  if (serviceDeskId === undefined)
    throw new SyncSetupError(syncErrorMessages.notServiceDesk(config.projectKey));
  let meta: { requestTypeFields: Array<{ fieldId: string }>; canRaiseOnBehalfOf?: boolean };
  try {
    meta = await serviceAccountJson(
      services,
      connection,
      'GET',
      `/rest/servicedeskapi/servicedesk/${serviceDeskId}/requesttype/${encodeURIComponent(config.requestTypeId)}/field`,
    );
  } catch (error) {
    if (error instanceof JiraError && error.status === 404) {
      throw new SyncSetupError(syncErrorMessages.requestTypeGone(config.requestTypeId, config.projectKey));
    }
    throw error;
  }
  const target = {
    serviceDeskId,
    fieldIds: new Set(meta.requestTypeFields.map((field) => field.fieldId)),
    canRaiseOnBehalfOf: meta.canRaiseOnBehalfOf === true,
  };
  cache.set(key, target);
  return target;
}

/**
 * Raises the request and marks it with the ticket id at once. `reporter` is the requester's account when they
 * are a user of the site (the request is raised on their behalf); otherwise the service account raises it.
 */
export async function raiseRequest(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig & { requestTypeId: string },
  ticket: Ticket,
  reporter: string | null,
): Promise<{ id: string; key: string }> {
  const send = async (target: RequestTarget) =>
    serviceAccountJson<{ issueId: string; issueKey: string }>(
      services,
      connection,
      'POST',
      '/rest/servicedeskapi/request',
      {
        body: {
          serviceDeskId: target.serviceDeskId,
          requestTypeId: config.requestTypeId,
          requestFieldValues: {
            summary: ticket.title,
            ...(ticket.description.trim() && target.fieldIds.has('description')
              ? { description: toAdf(ticket.description) }
              : {}),
          },
          isAdfRequest: true,
          ...(reporter && target.canRaiseOnBehalfOf ? { raiseOnBehalfOf: reporter } : {}),
        },
      },
    );
  let request: { issueId: string; issueKey: string };
  try {
    request = await send(await requestTarget(services, connection, config));
  } catch (error) {
    if (!(error instanceof JiraError) || (error.status !== 400 && error.status !== 404)) throw error;
    // The desk or request type may have changed since it was read: read it again, which names what is gone.
    syncRuntime(services).requestTargets.clear();
    await requestTarget(services, connection, config);
    throw error;
  }
  await markIssueWithTicket(services, connection, request.issueId, ticket);
  return { id: request.issueId, key: request.issueKey };
}

/** Writes the ticket property on an issue made without it: a retried create finds the issue by it. */
export async function markIssueWithTicket(
  services: Services,
  connection: JiraConnection,
  issueId: string,
  ticket: Pick<Ticket, 'id' | 'teamId'>,
): Promise<void> {
  await serviceAccountJson(
    services,
    connection,
    'PUT',
    `/rest/api/3/issue/${issueId}/properties/${TICKET_PROPERTY}`,
    { body: ticketPropertyValue(ticket) },
  );
}
