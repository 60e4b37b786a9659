import { defineWorkflow } from '../definition';
import { readableFieldValue } from '../issues';

interface SearchPage {
  issues: Array<{ id: string; key: string; fields?: Record<string, unknown> }>;
  nextPageToken?: string;
  isLast?: boolean;
}

const PAGE_SIZE = 100;
const DEFAULT_FIELDS = ['summary', 'status', 'assignee', 'priority', 'updated'];

export default defineWorkflow<{ jql: string; fields?: string[]; maxResults?: number }>({
  key: 'search-issues',
  kind: 'action',
  name: 'Search Issues',
  description: 'Finds issues with a JQL query, following every page up to the result cap.',
  defaultApproval: 'installer-approval',
  writes: false,
  inputSchema: {
    type: 'object',
    required: ['jql'],
    additionalProperties: false,
    properties: {
      jql: {
        type: 'string',
        title: 'JQL',
        minLength: 1,
        maxLength: 10_000,
        description: 'e.g. project = ENG AND status != Done',
      },
      fields: {
        type: 'array',
        title: 'Fields',
        items: { type: 'string', minLength: 1, maxLength: 255 },
        maxItems: 100,
        description: `Field ids to return (default: ${DEFAULT_FIELDS.join(', ')}).`,
      },
      maxResults: { type: 'integer', title: 'Result cap', minimum: 1, maximum: 5_000, default: 500 },
    },
  },
  async run({ jira }, input) {
    const cap = input.maxResults ?? 500;
    const fields = input.fields?.length ? input.fields : DEFAULT_FIELDS;
    const issues: Array<{ id: string; key: string; fields: Record<string, unknown> }> = [];
    let nextPageToken: string | undefined;
    let truncated = false;
    for (let page = 1; ; page += 1) {
      const answer = await jira.json<SearchPage>(`Search (page ${page})`, 'POST', 'rest/api/3/search/jql', {
        json: { jql: input.jql, fields, maxResults: Math.min(PAGE_SIZE, cap - issues.length), nextPageToken },
      });
      for (const issue of answer.issues) {
        issues.push({
          id: issue.id,
          key: issue.key,
          fields: Object.fromEntries(
            Object.entries(issue.fields ?? {}).map(([id, value]) => [id, readableFieldValue(value)]),
          ),
        });
      }
      nextPageToken = answer.isLast === false ? answer.nextPageToken : undefined;
      if (!nextPageToken || answer.issues.length === 0) break;
      if (issues.length >= cap) {
        truncated = true;
        break;
      }
    }
    return { count: issues.length, truncated, issues };
  },
});
