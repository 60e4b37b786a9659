/**
 * A run of an ingested request type: raise the customer request in JSM (on behalf of the requester when Jira
 * knows them, otherwise as the connection's user with the requester's email noted internally on the request).
 */
import type { workflows } from '../../db/schema';
import { type RunContext, WorkflowError } from '../definition';
import { jiraErrorText, jiraFailure } from '../jira-steps';
import { findUserByEmail } from '../people';
import { REQUESTER_PROPERTY, type RequestTypeField } from './schema';

export interface RequestTypeSource {
  serviceDeskId: string;
  requestTypeId: string;
  projectKey?: string;
  fields: RequestTypeField[];
}

function requestValue(field: RequestTypeField | undefined, value: unknown): unknown {
  const type = field?.jiraSchema?.type;
  const hasChoices = Boolean(field?.validValues?.length);
  if (Array.isArray(value)) return hasChoices ? value.map((id) => ({ id: String(id) })) : value;
  if (hasChoices && type !== 'priority') return { id: String(value) };
  if (type === 'priority') return { id: String(value) };
  if (type === 'user' && typeof value === 'string') return { accountId: value };
  return value;
}

export async function runRequestType(
  { jira }: RunContext,
  workflow: typeof workflows.$inferSelect,
  input: Record<string, unknown>,
) {
  const source = workflow.source as unknown as RequestTypeSource;
  const fields = new Map(source.fields.map((field) => [field.fieldId, field]));
  const requestFieldValues: Record<string, unknown> = {};
  for (const [fieldId, value] of Object.entries(input)) {
    if (fieldId === REQUESTER_PROPERTY || value === undefined || value === '') continue;
    requestFieldValues[fieldId] = requestValue(fields.get(fieldId), value);
  }
  const requesterEmail =
    typeof input[REQUESTER_PROPERTY] === 'string' ? (input[REQUESTER_PROPERTY] as string) : undefined;
  const requester = requesterEmail ? await findUserByEmail(jira, requesterEmail) : undefined;

  const created = await jira.call<{ issueId: string; issueKey: string; _links?: { web?: string } }>(
    'Raise customer request',
    'POST',
    'rest/servicedeskapi/request',
    {
      json: {
        serviceDeskId: source.serviceDeskId,
        requestTypeId: source.requestTypeId,
        requestFieldValues,
        ...(requester ? { raiseOnBehalfOf: requester.accountId } : {}),
      },
    },
  );
  if (created.status === 400) {
    throw new WorkflowError(
      'jsm_request_refused',
      `Jira Service Management refused the request: ${jiraErrorText(created.body)}`,
    );
  }
  if (!created.ok) throw jiraFailure(created);
  const { issueKey } = created.body;
  if (requesterEmail && !requester) {
    await jira.json(
      'Note the requester',
      'POST',
      `rest/servicedeskapi/request/${encodeURIComponent(issueKey)}/comment`,
      {
        json: { body: `Requested by ${requesterEmail} (not a Jira user).`, public: false },
      },
    );
  }
  return {
    requestKey: issueKey,
    issueId: created.body.issueId,
    raisedOnBehalfOf: requester ? { accountId: requester.accountId, email: requesterEmail } : null,
    requesterEmail: requesterEmail ?? null,
    url: created.body._links?.web ?? null,
  };
}
