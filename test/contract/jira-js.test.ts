/** An independent client (jira.js 5, Version3Client and ServiceDeskClient) talking to the sandbox. */
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED, userToken } from '@jira-integration/sandbox/test-support/seed';
import { ServiceDeskClient, Version3Client } from 'jira.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let sandbox: Sandbox;
let jira: Version3Client;
let serviceDesk: ServiceDeskClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  const host = `${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}`;
  const accessToken = userToken(sandbox, DEFAULT_SEED.alice);
  jira = new Version3Client({ host, authentication: { oauth2: { accessToken } } });
  serviceDesk = new ServiceDeskClient({ host, authentication: { oauth2: { accessToken } } });
});
afterAll(async () => {
  await sandbox.close();
});

describe('jira.js against the sandbox', () => {
  it('reads the current user', async () => {
    const me = await jira.myself.getCurrentUser();
    expect(me).toMatchObject({
      accountId: DEFAULT_SEED.alice,
      displayName: 'Alice Admin',
      accountType: 'atlassian',
    });
  });

  it('searches projects with their leads', async () => {
    const page = await jira.projects.searchProjects({ expand: 'lead', orderBy: 'key' });
    expect(page.values.map((p) => [p.key, p.lead?.displayName])).toEqual([
      ['ENG', 'Bob Builder'],
      ['SUP', 'Alice Admin'],
    ]);
    expect(page.isLast).toBe(true);
  });

  it('creates an issue, lists its transitions and moves it to Done', async () => {
    const created = await jira.issues.createIssue({
      fields: {
        project: { key: 'ENG' },
        issuetype: { name: 'Task' },
        summary: 'Created by jira.js',
        description: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hello from jira.js' }] }],
        },
      },
    });
    expect(created.key).toMatch(/^ENG-\d+$/);

    const { transitions } = await jira.issues.getTransitions({ issueIdOrKey: created.key });
    expect(transitions?.map((t) => t.name)).toEqual(['In Progress', 'Done']);

    const done = transitions?.find((t) => t.to?.statusCategory?.key === 'done');
    await jira.issues.doTransition({ issueIdOrKey: created.key, transition: { id: done?.id } });
    const issue = await jira.issues.getIssue({ issueIdOrKey: created.key, fields: ['status', 'summary'] });
    expect(issue.fields.status.name).toBe('Done');
    expect(issue.fields.summary).toBe('Created by jira.js');
  });

  it('searches with JQL and follows nextPageToken', async () => {
    const first = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
      jql: 'project = ENG ORDER BY key ASC',
      fields: ['summary'],
      maxResults: 2,
    });
    expect(first.issues?.map((i) => i.key)).toEqual(['ENG-1', 'ENG-2']);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
      jql: 'project = ENG ORDER BY key ASC',
      fields: ['summary'],
      maxResults: 2,
      nextPageToken: first.nextPageToken,
    });
    expect(second.issues?.[0]?.key).toBe('ENG-3');
  });

  it('reads JSM request type fields', async () => {
    const meta = await serviceDesk.serviceDesk.getRequestTypeFields({
      serviceDeskId: DEFAULT_SEED.serviceDeskId,
      requestTypeId: 11,
    });
    const laptop = meta.requestTypeFields?.find((f) => f.fieldId === 'customfield_10050');
    expect(laptop?.required).toBe(true);
    expect(laptop?.validValues?.map((v) => v.label)).toEqual([
      'MacBook Pro 14',
      'MacBook Air 13',
      'ThinkPad X1 Carbon',
    ]);
  });
});
