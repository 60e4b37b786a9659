import { markdownToAdf } from '../adf';
import { defineWorkflow } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';

interface UpdateInput {
  issue: string;
  summary?: string;
  description?: string;
  priority?: string;
  labels?: string[];
  dueDate?: string;
  fields?: Record<string, unknown>;
}

export default defineWorkflow<UpdateInput>({
  key: 'update-issue-fields',
  kind: 'action',
  name: 'Update Issue Fields',
  description:
    'Sets fields of an issue: summary, description (Markdown), priority, labels, due date, or any field by id.',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue'],
    minProperties: 2,
    additionalProperties: false,
    properties: {
      issue: issueInput,
      summary: { type: 'string', title: 'Summary', minLength: 1, maxLength: 255 },
      description: { type: 'string', title: 'Description', format: 'markdown', maxLength: 32_000 },
      priority: {
        type: 'string',
        title: 'Priority',
        minLength: 1,
        maxLength: 255,
        description: 'Name or id.',
      },
      labels: {
        type: 'array',
        title: 'Labels',
        items: { type: 'string', pattern: '^\\S+$', maxLength: 255 },
        maxItems: 50,
      },
      dueDate: { type: 'string', title: 'Due date', format: 'date' },
      fields: {
        type: 'object',
        title: 'Other fields (JSON)',
        description: 'Field id → value as Jira takes it, e.g. {"customfield_10050": {"id": "10100"}}.',
      },
    },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const fields: Record<string, unknown> = { ...(input.fields ?? {}) };
    if (input.summary !== undefined) fields.summary = input.summary;
    if (input.description !== undefined) fields.description = markdownToAdf(input.description);
    if (input.priority !== undefined) {
      fields.priority = /^\d+$/.test(input.priority) ? { id: input.priority } : { name: input.priority };
    }
    if (input.labels !== undefined) fields.labels = input.labels;
    if (input.dueDate !== undefined) fields.duedate = input.dueDate;
    const answer = await jira.call('Update issue', 'PUT', issuePath(issue), { json: { fields } });
    checkIssueAnswer(answer, issue);
    return { issue, updated: Object.keys(fields) };
  },
});
