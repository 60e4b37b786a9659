import { defineWorkflow } from '../definition';
import { presentUser } from '../people';

interface ProjectPage {
  isLast?: boolean;
  values: Array<{ id: string; key: string; name: string; projectTypeKey?: string; lead?: unknown }>;
}

const PAGE_SIZE = 50;
/** A guard against a site that never says isLast. */
const MAX_PAGES = 1_000;

export default defineWorkflow<Record<string, never>>({
  key: 'list-jira-projects',
  kind: 'prebuilt',
  name: 'List Jira Projects',
  description:
    'Lists all Jira projects the user has access to, including name, key, type, and lead information.',
  defaultApproval: 'installer-approval',
  writes: false,
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  async run({ jira }) {
    const projects = [];
    for (let page = 0, startAt = 0; page < MAX_PAGES; page += 1) {
      const answer = await jira.json<ProjectPage>(
        `List projects (page ${page + 1})`,
        'GET',
        'rest/api/3/project/search',
        {
          query: { startAt, maxResults: PAGE_SIZE, expand: 'lead', orderBy: 'key' },
        },
      );
      for (const project of answer.values) {
        projects.push({
          id: project.id,
          key: project.key,
          name: project.name,
          type: project.projectTypeKey ?? null,
          lead: presentUser(project.lead),
        });
      }
      startAt += answer.values.length;
      if (answer.isLast !== false || answer.values.length === 0) break;
    }
    return { total: projects.length, projects };
  },
});
