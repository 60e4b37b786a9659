import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { markdownToAdf } from '../adf';
import { defineWorkflow, WorkflowError } from '../definition';
import { jiraFailure, jiraFieldErrors } from '../jira-steps';
import { personSchema, resolveAccountId } from '../people';

interface IssueTypeMeta {
  id: string;
  name: string;
}

interface FieldMeta {
  fieldId: string;
  name: string;
  required: boolean;
  hasDefaultValue?: boolean;
  allowedValues?: Array<{ id: string; name?: string; value?: string }>;
}

export interface CreateIssueInput {
  project: string;
  summary: string;
  description?: string;
  issueType?: string;
  priority?: string;
  assignee?: string;
  labels?: string[];
}

/** Fields this workflow fills itself (or Jira defaults), so they never count as missing. */
const FILLED = new Set(['project', 'issuetype', 'summary', 'reporter']);

export default defineWorkflow<CreateIssueInput>({
  key: 'create-jira-issue',
  kind: 'prebuilt',
  name: 'Create Jira Issue',
  description:
    'Creates a new Jira issue in a specified project with customizable fields including summary, description, issue type, priority, and assignee.',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['project', 'summary'],
    additionalProperties: false,
    properties: {
      project: {
        type: 'string',
        title: 'Project',
        minLength: 1,
        maxLength: 255,
        description: 'Project key (e.g. ENG) or id.',
      },
      summary: { type: 'string', title: 'Summary', minLength: 1, maxLength: 255 },
      description: {
        type: 'string',
        title: 'Description',
        maxLength: 32_000,
        format: 'markdown',
        description: 'Markdown; sent to Jira as rich text.',
      },
      issueType: {
        type: 'string',
        title: 'Issue type',
        minLength: 1,
        maxLength: 255,
        default: 'Task',
        description: 'Name (e.g. Task, Bug) or id.',
      },
      priority: {
        type: 'string',
        title: 'Priority',
        minLength: 1,
        maxLength: 255,
        description: 'Name (e.g. High) or id.',
      },
      assignee: { ...personSchema, title: 'Assignee' },
      labels: {
        type: 'array',
        title: 'Labels',
        items: { type: 'string', pattern: '^\\S+$', maxLength: 255 },
        maxItems: 50,
      },
    },
  },
  async run({ jira, connection }, input) {
    const project = input.project.trim();
    const base = `rest/api/3/issue/createmeta/${encodeURIComponent(project)}/issuetypes`;
    const types = await jira.call<{ issueTypes: IssueTypeMeta[] }>(
      'Read create metadata (issue types)',
      'GET',
      base,
      { query: { maxResults: 200 } },
    );
    if (types.status === 404)
      throw new WorkflowError('project_not_found', workflowMessages.projectNotFound(project));
    if (!types.ok) throw jiraFailure(types);
    const wantedType = (input.issueType ?? 'Task').trim();
    const issueType = types.body.issueTypes.find(
      (type) => type.id === wantedType || type.name.toLowerCase() === wantedType.toLowerCase(),
    );
    if (!issueType) {
      throw new WorkflowError(
        'issue_type_not_available',
        workflowMessages.issueTypeNotInProject(
          wantedType,
          project,
          types.body.issueTypes.map((type) => type.name),
        ),
      );
    }
    const meta = await jira.json<{ fields: FieldMeta[] }>(
      'Read create metadata (fields)',
      'GET',
      `${base}/${encodeURIComponent(issueType.id)}`,
      { query: { maxResults: 200 } },
    );
    const byId = new Map(meta.fields.map((field) => [field.fieldId, field]));
    const fields: Record<string, unknown> = {
      project: /^\d+$/.test(project) ? { id: project } : { key: project.toUpperCase() },
      issuetype: { id: issueType.id },
      summary: input.summary,
    };
    if (input.description) fields.description = markdownToAdf(input.description);
    if (input.labels?.length) fields.labels = input.labels;
    if (input.priority) {
      const wanted = input.priority.trim().toLowerCase();
      const allowed = byId.get('priority')?.allowedValues ?? [];
      const priority = allowed.find(
        (value) => value.id === input.priority || value.name?.toLowerCase() === wanted,
      );
      if (!priority) {
        throw new WorkflowError(
          'priority_not_allowed',
          workflowMessages.priorityNotAllowed(
            input.priority,
            allowed.map((value) => value.name ?? value.id),
          ),
        );
      }
      fields.priority = { id: priority.id };
    }
    if (input.assignee) fields.assignee = { accountId: await resolveAccountId(jira, input.assignee) };
    const missing = meta.fields
      .filter(
        (field) =>
          field.required &&
          !field.hasDefaultValue &&
          !FILLED.has(field.fieldId) &&
          !(field.fieldId in fields),
      )
      .map((field) => field.name);
    if (missing.length)
      throw new WorkflowError('required_fields_missing', workflowMessages.requiredFieldsMissing(missing));

    const created = await jira.call<{ id: string; key: string }>('Create issue', 'POST', 'rest/api/3/issue', {
      json: { fields },
    });
    if (created.status === 400) {
      const errors = jiraFieldErrors(created.body).map(([field, message]): [string, string] => [
        byId.get(field)?.name ?? field,
        message,
      ]);
      if (errors.length) {
        throw new WorkflowError('jira_field_errors', workflowMessages.fieldErrors(errors), {
          fields: Object.fromEntries(errors),
        });
      }
    }
    if (!created.ok) throw jiraFailure(created);
    return {
      id: created.body.id,
      key: created.body.key,
      url: `${connection.siteUrl.replace(/\/+$/, '')}/browse/${created.body.key}`,
    };
  },
});
