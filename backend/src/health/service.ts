import { healthMessages } from '@jira-integration/shared';
import { type JiraTarget, jiraJson } from '../atlassian/jira';
import type { Services } from '../context';

export interface HealthCheckResult {
  name: 'Test Jira Connection' | 'List Jira Projects' | 'Search Jira Issues';
  ok: boolean;
  message: string;
  /** Why it failed, for people debugging (Jira's status or our error code); never a token. */
  detail?: string;
}

function failureDetail(error: unknown): string {
  if (error && typeof error === 'object' && 'status' in error)
    return `HTTP ${(error as { status: number }).status}`;
  return error instanceof Error ? error.message : 'unknown error';
}

async function check(
  name: HealthCheckResult['name'],
  run: () => Promise<string>,
  failure: string,
): Promise<HealthCheckResult> {
  try {
    return { name, ok: true, message: await run() };
  } catch (error) {
    return { name, ok: false, message: failure, detail: failureDetail(error) };
  }
}

/** The three checks of the spec, run in order: they exercise the OAuth credentials only. */
export async function runHealthChecks(services: Services, site: JiraTarget): Promise<HealthCheckResult[]> {
  const auth = await check(
    'Test Jira Connection',
    async () => {
      const me = await jiraJson<{ displayName?: string }>(services, site, 'GET', 'rest/api/3/myself');
      return healthMessages.authSuccess(me.displayName);
    },
    healthMessages.authFailure,
  );
  const projects = await check(
    'List Jira Projects',
    async () => {
      const page = await jiraJson<{ values: unknown[] }>(services, site, 'GET', 'rest/api/3/project/search', {
        query: { maxResults: 10 },
      });
      return healthMessages.projectsSuccess(page.values.length);
    },
    healthMessages.projectsFailure,
  );
  const search = await check(
    'Search Jira Issues',
    async () => {
      const result = await jiraJson<{ issues: unknown[] }>(services, site, 'GET', 'rest/api/3/search/jql', {
        query: { jql: 'assignee = currentUser() ORDER BY updated DESC', maxResults: 50, fields: 'summary' },
      });
      return healthMessages.searchSuccess(result.issues.length);
    },
    healthMessages.searchFailure,
  );
  return [auth, projects, search];
}
