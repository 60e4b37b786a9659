/** People in workflow inputs: an accountId as is, an email looked up in Jira (the first exact match). */
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { WorkflowError } from './definition';
import type { JiraSteps } from './jira-steps';

interface JiraUser {
  accountId: string;
  displayName?: string;
  emailAddress?: string;
  active?: boolean;
}

export async function findUserByEmail(jira: JiraSteps, email: string): Promise<JiraUser | undefined> {
  const users = await jira.json<JiraUser[]>('Find user by email', 'GET', 'rest/api/3/user/search', {
    query: { query: email, maxResults: 50 },
  });
  return users.find((user) => user.emailAddress?.toLowerCase() === email.toLowerCase());
}

/** `alice@example.com` → her accountId (or a clear error); anything else is taken as an accountId. */
export async function resolveAccountId(jira: JiraSteps, person: string): Promise<string> {
  if (!person.includes('@')) return person;
  const user = await findUserByEmail(jira, person);
  if (!user) throw new WorkflowError('user_not_found', workflowMessages.userNotFoundByEmail(person));
  return user.accountId;
}

/** A Jira user object as workflow output: who, not the avatar URLs. */
export function presentUser(value: unknown) {
  if (!value || typeof value !== 'object') return null;
  const user = value as JiraUser;
  return {
    accountId: user.accountId,
    displayName: user.displayName ?? null,
    email: user.emailAddress ?? null,
  };
}

export const personSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 254,
  description: 'An Atlassian accountId, or an email address looked up in Jira.',
} as const;
