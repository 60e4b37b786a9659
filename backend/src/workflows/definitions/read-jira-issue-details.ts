import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { adfToMarkdown } from '../adf';
import { defineWorkflow, WorkflowError } from '../definition';
import { jiraFailure } from '../jira-steps';
import { presentUser } from '../people';

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

const MAIN_FIELDS = new Set(['summary', 'description', 'status', 'assignee', 'reporter', 'priority']);

/** A field value as people read it: names instead of objects, Markdown instead of ADF. */
function readable(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(readable);
  if (typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record.type === 'doc') return adfToMarkdown(record);
  if (typeof record.displayName === 'string') return presentUser(record);
  if (typeof record.value === 'string') return record.value;
  if (typeof record.name === 'string') return record.name;
  if (typeof record.key === 'string') return record.key;
  return value;
}

export default defineWorkflow<{ issue: string }>({
  key: 'read-jira-issue-details',
  kind: 'prebuilt',
  name: 'Read Jira Issue Details',
  description:
    'Retrieves comprehensive details about a Jira issue by its issue key (e.g., PROJ-123) or issue ID - summary, description, status, assignee, reporter, priority, and other fields.',
  defaultApproval: 'installer-approval',
  writes: false,
  inputSchema: {
    type: 'object',
    required: ['issue'],
    additionalProperties: false,
    properties: { issue: issueInput },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const answer = await jira.call<{
      id: string;
      key: string;
      fields: Record<string, unknown>;
      names?: Record<string, string>;
    }>('Read issue', 'GET', `rest/api/3/issue/${encodeURIComponent(issue)}`, {
      query: { expand: 'names' },
    });
    if (answer.status === 404)
      throw new WorkflowError('issue_not_found', workflowMessages.issueNotFound(issue));
    if (!answer.ok) throw jiraFailure(answer);
    const { fields, names = {} } = answer.body;
    const otherFields: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(fields)) {
      if (MAIN_FIELDS.has(id) || value === null || value === undefined) continue;
      if (Array.isArray(value) && value.length === 0) continue;
      otherFields[names[id] ?? id] = readable(value);
    }
    return {
      id: answer.body.id,
      key: answer.body.key,
      summary: fields.summary ?? null,
      description: adfToMarkdown(fields.description),
      status: readable(fields.status),
      assignee: presentUser(fields.assignee),
      reporter: presentUser(fields.reporter),
      priority: readable(fields.priority),
      fields: otherFields,
    };
  },
});
