/**
 * Contract: every Jira/JSM route the sandbox serves answers in the shape Atlassian's OpenAPI specs document,
 * for its success answers and for the error answers the specs describe.
 */

import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { SPEC_INDEX } from '@jira-integration/sandbox/api/route-scopes';
import { buildSpecIndex, type SpecDocumentLike } from '@jira-integration/sandbox/api/spec-index';
import {
  type ApiAnswer,
  callSandbox,
  DEFAULT_SEED,
  userToken,
} from '@jira-integration/sandbox/test-support/seed';
import type { RunnerTask } from 'vitest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SpecName, specDocument, validateAgainstSpec, validateComponent } from './spec-validator';

let sandbox: Sandbox;
let alice: string;
let bob: string;
let carol: string;
/** The routes the sandbox served before the table-driven suite (operations.test.ts), checked here by hand. */
const HAND_CHECKED = [
  'GET /rest/api/3/myself',
  'GET /rest/api/3/project/search',
  'GET /rest/api/3/project/{projectIdOrKey}',
  'GET /rest/api/3/project/{projectIdOrKey}/statuses',
  'GET /rest/api/3/search/jql',
  'POST /rest/api/3/search/jql',
  'GET /rest/api/3/search',
  'POST /rest/api/3/search',
  'POST /rest/api/3/issue',
  'GET /rest/api/3/issue/createmeta',
  'GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes',
  'GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
  'GET /rest/api/3/issue/{issueIdOrKey}',
  'PUT /rest/api/3/issue/{issueIdOrKey}',
  'DELETE /rest/api/3/issue/{issueIdOrKey}',
  'GET /rest/api/3/issue/{issueIdOrKey}/transitions',
  'POST /rest/api/3/issue/{issueIdOrKey}/transitions',
  'GET /rest/api/3/issue/{issueIdOrKey}/comment',
  'POST /rest/api/3/issue/{issueIdOrKey}/comment',
  'GET /rest/api/3/issue/{issueIdOrKey}/properties',
  'GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
  'PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
  'DELETE /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
  'GET /rest/api/3/user/search',
  'GET /rest/api/3/priority',
  'GET /rest/api/3/status',
  'GET /rest/api/3/field',
  'GET /rest/api/3/attachment/content/{id}',
  'GET /rest/servicedeskapi/servicedesk',
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}',
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype',
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
  'GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
  'POST /rest/servicedeskapi/request',
  'GET /rest/servicedeskapi/request/{issueIdOrKey}',
  'GET /rest/servicedeskapi/request/{issueIdOrKey}/comment',
  'POST /rest/servicedeskapi/request/{issueIdOrKey}/comment',
];
/** `METHOD /template` of every route that gave its intended answer (2xx; 410 for removed APIs) in a validated call. */
const covered = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** Whether every test below ran and passed: only then does `covered` speak for the whole file. */
function allPassed(tasks: readonly RunnerTask[]): boolean {
  return tasks.every((task) =>
    task.type === 'suite' ? allPassed(task.tasks) : task.result?.state === 'pass',
  );
}

// Judged once every test has run, whatever order they ran in (a filtered or failing run is not judged).
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a hook's first argument as its fixtures.
afterAll(({}, file) => {
  if (!allPassed(file.tasks)) return;
  expect(HAND_CHECKED.filter((route) => !covered.has(route))).toEqual([]);
});
beforeEach(() => {
  sandbox.reset();
  alice = userToken(sandbox, DEFAULT_SEED.alice);
  bob = userToken(sandbox, DEFAULT_SEED.bob);
  carol = userToken(sandbox, DEFAULT_SEED.carol);
});

function specOf(template: string): SpecName {
  return template.startsWith('/rest/servicedeskapi') ? 'jsm' : 'platform';
}

/** The gateway answers 401 itself, before Jira or JSM (jira-api.md §1.5), in its own shape. */
function expectGateway401(answer: ApiAnswer): void {
  expect(answer.body).toEqual({ code: 401, message: expect.any(String) });
}

/** Errors the spec lists without a schema must still be in the API's own error shape. */
function expectErrorShape(spec: SpecName, answer: ApiAnswer): void {
  if (spec === 'platform') {
    expect(validateComponent('platform', 'ErrorCollection', answer.body)).toEqual([]);
    const body = answer.body as { errorMessages: string[]; errors: Record<string, string> };
    expect(body.errorMessages.length + Object.keys(body.errors).length).toBeGreaterThan(0);
  } else {
    expect(validateComponent('jsm', 'ErrorResponse', answer.body)).toEqual([]);
    expect((answer.body as { errorMessage: string }).errorMessage.length).toBeGreaterThan(0);
  }
}

async function check(
  method: string,
  template: string,
  path: string,
  expectedStatus: number,
  options: { token?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const spec = specOf(template);
  const answer = await callSandbox(sandbox, method, `/ex/jira/${DEFAULT_SEED.acme}${path}`, {
    token: options.token ?? alice,
    body: options.body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(expectedStatus);
  if (expectedStatus === 401) {
    expectGateway401(answer);
    return answer;
  }
  const result = validateAgainstSpec(spec, method, template, answer.status, answer.body);
  if (result.hasSchema) expect(result.errors).toEqual([]);
  else if (answer.status >= 400) expectErrorShape(spec, answer);
  if (answer.status < 300 || answer.status === 410) covered.add(`${method} ${template}`);
  return answer;
}

describe('Jira platform routes', () => {
  it('GET /myself', async () => {
    await check('GET', '/rest/api/3/myself', '/rest/api/3/myself', 200);
    await check('GET', '/rest/api/3/myself', '/rest/api/3/myself', 401, { token: 'not-a-token' });
  });

  it('GET /mypermissions: ADMINISTER for a site admin and for anyone else; the permissions parameter is required', async () => {
    const template = '/rest/api/3/mypermissions';
    const admin = await check('GET', template, `${template}?permissions=ADMINISTER`, 200);
    expect(admin.body).toMatchObject({
      permissions: { ADMINISTER: { havePermission: true, type: 'GLOBAL' } },
    });
    const other = await check('GET', template, `${template}?permissions=ADMINISTER`, 200, { token: bob });
    expect(other.body).toMatchObject({ permissions: { ADMINISTER: { havePermission: false } } });
    await check('GET', template, template, 400);
  });

  it('GET /project/search, /project/{key}, /project/{key}/statuses', async () => {
    const page = await check(
      'GET',
      '/rest/api/3/project/search',
      '/rest/api/3/project/search?expand=lead,description,issueTypes,url&maxResults=1',
      200,
    );
    expect((page.body as { nextPage?: string }).nextPage).toContain('startAt=1');
    await check('GET', '/rest/api/3/project/search', '/rest/api/3/project/search?startAt=-1', 400);
    await check('GET', '/rest/api/3/project/{projectIdOrKey}', '/rest/api/3/project/ENG', 200);
    await check('GET', '/rest/api/3/project/{projectIdOrKey}', '/rest/api/3/project/ENG', 404, {
      token: bob,
    });
    await check(
      'GET',
      '/rest/api/3/project/{projectIdOrKey}/statuses',
      '/rest/api/3/project/SUP/statuses',
      200,
    );
    await check(
      'GET',
      '/rest/api/3/project/{projectIdOrKey}/statuses',
      '/rest/api/3/project/NOPE/statuses',
      404,
    );
  });

  it('GET and POST /search/jql, and the removed /search', async () => {
    const template = '/rest/api/3/search/jql';
    await check('GET', template, `${template}?jql=${encodeURIComponent('project = ENG ORDER BY key')}`, 200);
    const first = await check(
      'GET',
      template,
      `${template}?jql=${encodeURIComponent('project in (ENG, SUP) ORDER BY key')}&fields=*all&expand=names,transitions&properties=*all&maxResults=2`,
      200,
    );
    const token = (first.body as { nextPageToken: string }).nextPageToken;
    await check('POST', template, template, 200, {
      body: {
        jql: 'project in (ENG, SUP) ORDER BY key',
        nextPageToken: token,
        fields: ['summary', 'status'],
      },
    });
    await check('GET', template, `${template}?jql=${encodeURIComponent('ORDER BY key')}`, 400);
    await check('POST', template, template, 400, { body: { jql: 'project = ' } });
    await check('GET', '/rest/api/3/search', '/rest/api/3/search?jql=project%3DENG', 410);
    await check('POST', '/rest/api/3/search', '/rest/api/3/search', 410, { body: { jql: 'project = ENG' } });
  });

  it('POST /issue', async () => {
    const description = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }],
    };
    await check('POST', '/rest/api/3/issue', '/rest/api/3/issue', 201, {
      body: {
        fields: { project: { key: 'ENG' }, issuetype: { name: 'Bug' }, summary: 'New bug', description },
        properties: [{ key: 'com.example.link', value: { ticket: 1 } }],
      },
    });
    await check('POST', '/rest/api/3/issue', '/rest/api/3/issue', 400, {
      body: { fields: { project: { key: 'ENG' }, issuetype: { name: 'Bug' } } },
    });
    await check('POST', '/rest/api/3/issue', '/rest/api/3/issue', 403, {
      token: carol,
      body: { fields: { project: { key: 'ENG' }, issuetype: { name: 'Bug' }, summary: 'No' } },
    });
    await check('POST', '/rest/api/3/issue', '/rest/api/3/issue', 401, { token: 'expired', body: {} });
  });

  it('create metadata', async () => {
    await check(
      'GET',
      '/rest/api/3/issue/createmeta',
      '/rest/api/3/issue/createmeta?projectKeys=SUP&expand=projects.issuetypes.fields',
      200,
    );
    await check(
      'GET',
      '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes',
      '/rest/api/3/issue/createmeta/SUP/issuetypes',
      200,
    );
    await check(
      'GET',
      '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
      '/rest/api/3/issue/createmeta/SUP/issuetypes/10003',
      200,
    );
    await check(
      'GET',
      '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}',
      '/rest/api/3/issue/createmeta/SUP/issuetypes/10002',
      404,
    );
  });

  it('GET, PUT and DELETE /issue/{key}', async () => {
    const template = '/rest/api/3/issue/{issueIdOrKey}';
    await check('GET', template, '/rest/api/3/issue/SUP-1?properties=*all&expand=names,transitions', 200);
    await check(
      'GET',
      template,
      '/rest/api/3/issue/ENG-2?fields=summary,-status&properties=com.acme.triage',
      200,
    );
    await check('GET', template, '/rest/api/3/issue/ENG-1', 404, { token: bob });
    await check('PUT', template, '/rest/api/3/issue/ENG-1', 204, {
      body: { fields: { summary: 'Renamed' }, update: { labels: [{ add: 'triaged' }] } },
    });
    await check('PUT', template, '/rest/api/3/issue/ENG-1?returnIssue=true', 200, {
      body: { fields: { priority: { name: 'Low' } } },
    });
    await check('PUT', template, '/rest/api/3/issue/ENG-1', 400, {
      body: { fields: { status: { id: '3' } } },
    });
    await check('PUT', template, '/rest/api/3/issue/SUP-1', 403, {
      token: carol,
      body: { fields: { summary: 'x' } },
    });
    await check('PUT', template, '/rest/api/3/issue/ENG-99', 404, { body: { fields: { summary: 'x' } } });
    await check('DELETE', template, '/rest/api/3/issue/ENG-3', 403, { token: carol });
    await check('DELETE', template, '/rest/api/3/issue/ENG-3', 204);
    await check('DELETE', template, '/rest/api/3/issue/ENG-3', 404);
  });

  it('transitions', async () => {
    const template = '/rest/api/3/issue/{issueIdOrKey}/transitions';
    await check('GET', template, '/rest/api/3/issue/SUP-2/transitions?expand=transitions.fields', 200);
    await check('GET', template, '/rest/api/3/issue/ENG-1/transitions', 404, { token: bob });
    await check('POST', template, '/rest/api/3/issue/SUP-2/transitions', 204, {
      body: { transition: { id: '41' } },
    });
    await check('POST', template, '/rest/api/3/issue/SUP-2/transitions', 400, {
      body: { transition: { id: '41' } },
    });
    await check('POST', template, '/rest/api/3/issue/SUP-404/transitions', 404, {
      body: { transition: { id: '11' } },
    });
  });

  it('comments', async () => {
    const template = '/rest/api/3/issue/{issueIdOrKey}/comment';
    await check('GET', template, '/rest/api/3/issue/SUP-1/comment', 200);
    await check('GET', template, '/rest/api/3/issue/SUP-404/comment', 404);
    const body = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hi' }] }],
    };
    await check('POST', template, '/rest/api/3/issue/SUP-1/comment', 201, { body: { body } });
    const empty = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
    };
    await check('POST', template, '/rest/api/3/issue/SUP-1/comment', 400, { body: { body: empty } });
    await check('POST', template, '/rest/api/3/issue/ENG-1/comment', 404, { token: bob, body: { body } });
  });

  it('watchers and assignee', async () => {
    const watchers = '/rest/api/3/issue/{issueIdOrKey}/watchers';
    await check('POST', watchers, '/rest/api/3/issue/ENG-2/watchers', 204, { body: DEFAULT_SEED.carol });
    const listed = await check('GET', watchers, '/rest/api/3/issue/ENG-2/watchers', 200);
    expect(
      (listed.body as { watchers: Array<{ accountId: string }> }).watchers.map((w) => w.accountId),
    ).toContain(DEFAULT_SEED.carol);
    await check('GET', watchers, '/rest/api/3/issue/ENG-404/watchers', 404);
    await check('POST', watchers, '/rest/api/3/issue/ENG-2/watchers', 404, { body: 'no-such-account' });
    // A person who cannot browse the project cannot watch its issues.
    await check('POST', watchers, '/rest/api/3/issue/ENG-2/watchers', 404, { body: DEFAULT_SEED.bob });
    const assignee = '/rest/api/3/issue/{issueIdOrKey}/assignee';
    await check('PUT', assignee, '/rest/api/3/issue/ENG-2/assignee', 204, {
      body: { accountId: DEFAULT_SEED.alice },
    });
    await check('PUT', assignee, '/rest/api/3/issue/ENG-2/assignee', 400, { body: { accountId: 'nobody' } });
    await check('PUT', assignee, '/rest/api/3/issue/ENG-404/assignee', 404, {
      body: { accountId: DEFAULT_SEED.alice },
    });
  });

  it('attachment upload (multipart)', async () => {
    const template = '/rest/api/3/issue/{issueIdOrKey}/attachments';
    const upload = async (path: string, headers: Record<string, string>) => {
      const form = new FormData();
      form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
      const response = await fetch(`${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, accept: 'application/json', ...headers },
        body: form,
      });
      const text = await response.text();
      return {
        status: response.status,
        text,
        body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
      };
    };
    const ok = await upload('/rest/api/3/issue/ENG-2/attachments', { 'x-atlassian-token': 'no-check' });
    expect(ok.status).toBe(200);
    expect(validateAgainstSpec('platform', 'POST', template, 200, ok.body).errors).toEqual([]);
    expect(ok.body).toMatchObject([{ filename: 'hello.txt', size: 5, mimeType: 'text/plain' }]);
    covered.add(`POST ${template}`);
    const xsrf = await upload('/rest/api/3/issue/ENG-2/attachments', {});
    // Jira refuses it before anything else, in plain text.
    expect(xsrf).toMatchObject({ status: 403, text: 'XSRF check failed' });
    const missing = await upload('/rest/api/3/issue/ENG-404/attachments', {
      'x-atlassian-token': 'no-check',
    });
    expect(missing.status).toBe(404);
    expectErrorShape('platform', { status: missing.status, body: missing.body, headers: new Headers() });
  });

  it('issue properties', async () => {
    const one = '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}';
    await check(
      'GET',
      '/rest/api/3/issue/{issueIdOrKey}/properties',
      '/rest/api/3/issue/ENG-2/properties',
      200,
    );
    await check(
      'GET',
      '/rest/api/3/issue/{issueIdOrKey}/properties',
      '/rest/api/3/issue/ENG-1/properties',
      404,
      {
        token: bob,
      },
    );
    await check('GET', one, '/rest/api/3/issue/ENG-2/properties/com.acme.triage', 200);
    await check('GET', one, '/rest/api/3/issue/ENG-2/properties/missing', 404);
    await check('PUT', one, '/rest/api/3/issue/ENG-2/properties/com.example.sync', 201, { body: { id: 1 } });
    await check('PUT', one, '/rest/api/3/issue/ENG-2/properties/com.example.sync', 200, { body: { id: 2 } });
    await check('PUT', one, '/rest/api/3/issue/ENG-2/properties/com.example.sync', 400, {
      body: 'x'.repeat(33_000),
    });
    await check('PUT', one, '/rest/api/3/issue/SUP-1/properties/k', 403, { token: carol, body: { id: 1 } });
    await check('DELETE', one, '/rest/api/3/issue/ENG-2/properties/com.example.sync', 204);
    await check('DELETE', one, '/rest/api/3/issue/ENG-2/properties/com.example.sync', 404);
  });

  it('users and reference data', async () => {
    await check('GET', '/rest/api/3/user/search', '/rest/api/3/user/search?query=bob', 200);
    await check('GET', '/rest/api/3/user/search', '/rest/api/3/user/search', 400);
    await check('GET', '/rest/api/3/priority', '/rest/api/3/priority', 200);
    await check('GET', '/rest/api/3/status', '/rest/api/3/status', 200);
    await check('GET', '/rest/api/3/field', '/rest/api/3/field', 200);
  });

  it('GET /mypermissions', async () => {
    const template = '/rest/api/3/mypermissions';
    const answer = await check('GET', template, `${template}?permissions=ADMINISTER`, 200);
    expect(answer.body).toMatchObject({ permissions: { ADMINISTER: { key: 'ADMINISTER', type: 'GLOBAL' } } });
    await check('GET', template, template, 400);
    // The spec: 400 when `permissions` "contains an invalid key".
    await check('GET', template, `${template}?permissions=NO_SUCH_PERMISSION`, 400);
  });

  it('attachment content', async () => {
    const template = '/rest/api/3/attachment/content/{id}';
    const answer = await check(
      'GET',
      template,
      `/rest/api/3/attachment/content/${DEFAULT_SEED.attachmentId}?redirect=false`,
      200,
    );
    expect(answer.headers.get('content-length')).toBe(String(5 * 1024 * 1024));
    const redirect = await check(
      'GET',
      template,
      `/rest/api/3/attachment/content/${DEFAULT_SEED.attachmentId}`,
      303,
    );
    expect(redirect.headers.get('location')).toMatch(/\/media\/file\/10500\/binary\?token=/);
    expect((answer.body as string).length).toBeGreaterThan(0);
    await check('GET', template, `/rest/api/3/attachment/content/${DEFAULT_SEED.attachmentId}`, 404, {
      token: bob,
    });
  });
});

describe('JSM routes', () => {
  it('service desks and request types', async () => {
    const desk = `/rest/servicedeskapi/servicedesk/${DEFAULT_SEED.serviceDeskId}`;
    await check('GET', '/rest/servicedeskapi/servicedesk', '/rest/servicedeskapi/servicedesk', 200);
    await check('GET', '/rest/servicedeskapi/servicedesk', '/rest/servicedeskapi/servicedesk', 401, {
      token: 'x',
    });
    await check('GET', '/rest/servicedeskapi/servicedesk/{serviceDeskId}', desk, 200);
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}',
      '/rest/servicedeskapi/servicedesk/9',
      404,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype',
      `${desk}/requesttype?expand=field`,
      200,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype',
      '/rest/servicedeskapi/servicedesk/9/requesttype',
      404,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
      `${desk}/requesttype/11`,
      200,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}',
      `${desk}/requesttype/99`,
      404,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
      `${desk}/requesttype/11/field`,
      200,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field',
      `${desk}/requesttype/99/field`,
      404,
    );
  });

  it('customer requests', async () => {
    const create = (body: unknown, token = alice) =>
      check('POST', '/rest/servicedeskapi/request', '/rest/servicedeskapi/request', 201, { body, token });
    await create({
      serviceDeskId: '1',
      requestTypeId: '11',
      requestFieldValues: { summary: 'Laptop', customfield_10050: { id: '10101' }, duedate: '2026-12-01' },
      raiseOnBehalfOf: DEFAULT_SEED.carol,
    });
    await create({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'Help' } }, carol);
    await check('POST', '/rest/servicedeskapi/request', '/rest/servicedeskapi/request', 400, {
      body: { serviceDeskId: '1', requestTypeId: '11', requestFieldValues: { summary: 'Laptop' } },
    });
    await check('POST', '/rest/servicedeskapi/request', '/rest/servicedeskapi/request', 403, {
      token: carol,
      body: {
        serviceDeskId: '1',
        requestTypeId: '10',
        requestFieldValues: { summary: 'x' },
        raiseOnBehalfOf: DEFAULT_SEED.bob,
      },
    });
    await check(
      'GET',
      '/rest/servicedeskapi/request/{issueIdOrKey}',
      '/rest/servicedeskapi/request/SUP-1',
      200,
    );
    await check(
      'GET',
      '/rest/servicedeskapi/request/{issueIdOrKey}',
      '/rest/servicedeskapi/request/ENG-2',
      404,
    );
  });

  it('request comments', async () => {
    const template = '/rest/servicedeskapi/request/{issueIdOrKey}/comment';
    await check('GET', template, '/rest/servicedeskapi/request/SUP-1/comment', 200);
    await check('GET', template, '/rest/servicedeskapi/request/SUP-99/comment', 404);
    await check('POST', template, '/rest/servicedeskapi/request/SUP-1/comment', 201, {
      body: { body: 'Internal note', public: false },
    });
    await check('POST', template, '/rest/servicedeskapi/request/SUP-1/comment', 400, { body: { body: ' ' } });
    await check('POST', template, '/rest/servicedeskapi/request/SUP-1/comment', 403, {
      token: carol,
      body: { body: 'Sneaky', public: false },
    });
  });
});

describe('spec index', () => {
  it('lists exactly the operations and scopes of the specs', () => {
    const rebuilt = buildSpecIndex(
      specDocument('platform') as SpecDocumentLike,
      specDocument('jsm') as SpecDocumentLike,
    );
    expect(SPEC_INDEX).toEqual(rebuilt);
  });
});
