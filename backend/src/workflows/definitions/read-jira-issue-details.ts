import { adfToMarkdown } from '../adf';
import { defineWorkflow } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath, readableFieldValue } from '../issues';
import { presentUser } from '../people';

const MAIN_FIELDS = new Set(['summary', 'description', 'status', 'assignee', 'reporter', 'priority']);

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
    }>('Read issue', 'GET', issuePath(issue), {
      query: { expand: 'names' },
    });
    const { fields, names = {} } = checkIssueAnswer(answer, issue);
    const otherFields: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(fields)) {
      if (MAIN_FIELDS.has(id) || value === null || value === undefined) continue;
      if (Array.isArray(value) && value.length === 0) continue;
      otherFields[names[id] ?? id] = readableFieldValue(value);
    }
    return {
      id: answer.body.id,
      key: answer.body.key,
      summary: fields.summary ?? null,
      description: adfToMarkdown(fields.description),
      status: readableFieldValue(fields.status),
      assignee: presentUser(fields.assignee),
      reporter: presentUser(fields.reporter),
      priority: readableFieldValue(fields.priority),
      fields: otherFields,
    };
  },
});
