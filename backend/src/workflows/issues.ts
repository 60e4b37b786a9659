/** Issue references in workflow inputs, and what a 404 on an issue means, shared by every issue action. */
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { adfToMarkdown } from './adf';
import { WorkflowError } from './definition';
import { type JiraAnswer, jiraFailure, jiraFieldErrors } from './jira-steps';
import { presentUser } from './people';

/** PROJ-123 (any case) or a numeric issue id. */
export const ISSUE_KEY_OR_ID = /^(?:[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*|[1-9][0-9]*)$/;

export function checkIssueKey(value: string): string {
  const trimmed = value.trim();
  if (!ISSUE_KEY_OR_ID.test(trimmed)) {
    throw new WorkflowError('malformed_issue_key', workflowMessages.malformedIssueKey(value));
  }
  return /^\d+$/.test(trimmed) ? trimmed : trimmed.toUpperCase();
}

export const issueInput = {
  type: 'string',
  title: 'Issue',
  minLength: 1,
  maxLength: 100,
  description: 'An issue key such as PROJ-123, or a numeric issue id.',
} as const;

export function issuePath(issue: string, rest = ''): string {
  return `rest/api/3/issue/${encodeURIComponent(issue)}${rest}`;
}

/** 404 → "issue not found"; 400 with field errors → one readable line per field; other failures as Jira said. */
export function checkIssueAnswer<T>(
  answer: JiraAnswer<T>,
  issue: string,
  fieldNames: Map<string, string> = new Map(),
) {
  if (answer.ok) return answer.body;
  if (answer.status === 404)
    throw new WorkflowError('issue_not_found', workflowMessages.issueNotFound(issue));
  const errors = jiraFieldErrors(answer.body).map(([field, message]): [string, string] => [
    fieldNames.get(field) ?? field,
    message,
  ]);
  if (answer.status === 400 && errors.length) {
    throw new WorkflowError('jira_field_errors', workflowMessages.fieldErrors(errors), {
      fields: Object.fromEntries(errors),
    });
  }
  throw jiraFailure(answer);
}

/** A field value as people read it: names instead of objects, Markdown instead of ADF. */
export function readableFieldValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(readableFieldValue);
  if (typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record.type === 'doc') return adfToMarkdown(record);
  if (typeof record.displayName === 'string') return presentUser(record);
  if (typeof record.value === 'string') return record.value;
  if (typeof record.name === 'string') return record.name;
  if (typeof record.key === 'string') return record.key;
  return value;
}
