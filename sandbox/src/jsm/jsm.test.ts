import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { type Sandbox, startSandbox } from '../index';
import { JSM_MESSAGES } from './messages';

let sandbox: Sandbox;
let alice: string;
let carol: string;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  alice = userToken(sandbox, DEFAULT_SEED.alice);
  carol = userToken(sandbox, DEFAULT_SEED.carol);
});

function jsm(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  return callSandbox(sandbox, method, `/ex/jira/${DEFAULT_SEED.acme}/rest/servicedeskapi${path}`, {
    token: options.token ?? alice,
    body: options.body,
  });
}

function problem(p: { message: string; key: string }) {
  return { errorMessage: p.message, i18nErrorMessage: { i18nKey: p.key, parameters: [] } };
}

const hardware = (values: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  serviceDeskId: DEFAULT_SEED.serviceDeskId,
  requestTypeId: '11',
  requestFieldValues: values,
  ...extra,
});

describe('service desks and request types', () => {
  it('lists the desk, its request types and their fields with required flags and valid values', async () => {
    const desks = await jsm('GET', '/servicedesk');
    expect(desks.body).toMatchObject({ size: 1, isLastPage: true, values: [{ id: '1', projectKey: 'SUP' }] });
    const types = await jsm('GET', '/servicedesk/1/requesttype?searchQuery=hardware');
    expect((types.body as { values: Array<{ name: string }> }).values.map((t) => t.name)).toEqual([
      'Request new hardware',
    ]);
    const fields = await jsm('GET', '/servicedesk/1/requesttype/12/field');
    expect(fields.body).toMatchObject({
      canRaiseOnBehalfOf: true,
      requestTypeFields: [
        { fieldId: 'summary', name: 'Summarize the problem', required: true, jiraSchema: { type: 'string' } },
        { fieldId: 'description', name: 'What happened?', required: true },
        {
          fieldId: 'customfield_10051',
          required: false,
          validValues: [
            { value: '10110', label: 'Critical', children: [] },
            { value: '10111', label: 'High', children: [] },
            { value: '10112', label: 'Medium', children: [] },
            { value: '10113', label: 'Low', children: [] },
          ],
          jiraSchema: {
            type: 'option',
            custom: 'com.atlassian.jira.plugin.system.customfieldtypes:radiobuttons',
          },
        },
      ],
    });
    const asCustomer = await jsm('GET', '/servicedesk/1/requesttype/12/field', { token: carol });
    expect((asCustomer.body as { canRaiseOnBehalfOf: boolean }).canRaiseOnBehalfOf).toBe(false);
  });

  it('answers 404 in JSM’s error shape', async () => {
    expect((await jsm('GET', '/servicedesk/7')).body).toEqual(problem(JSM_MESSAGES.serviceDeskNotFound('7')));
    expect((await jsm('GET', '/servicedesk/1/requesttype/70')).body).toEqual(
      problem(JSM_MESSAGES.requestTypeNotFound('70')),
    );
    expect((await jsm('GET', '/request/ENG-1')).body).toEqual(problem(JSM_MESSAGES.requestNotFound('ENG-1')));
  });
});

describe('POST /request', () => {
  it('validates required fields, options and unknown fields', async () => {
    expect((await jsm('POST', '/request', { body: hardware({ summary: 'Laptop' }) })).body).toEqual(
      problem(JSM_MESSAGES.fieldRequired('Which laptop?')),
    );
    expect(
      (
        await jsm('POST', '/request', {
          body: hardware({ summary: 'Laptop', customfield_10050: { id: '999' } }),
        })
      ).body,
    ).toEqual(problem(JSM_MESSAGES.fieldInvalid('Which laptop?')));
    expect(
      (
        await jsm('POST', '/request', {
          body: hardware({ summary: 'L', customfield_10050: '10100', color: 'red' }),
        })
      ).body,
    ).toEqual(problem(JSM_MESSAGES.fieldUnknown('color')));
    expect(
      (
        await jsm('POST', '/request', {
          body: hardware({ summary: 'L', customfield_10050: '10100', duedate: 'tomorrow' }),
        })
      ).body,
    ).toEqual(problem(JSM_MESSAGES.fieldInvalid('Needed by')));
    expect((await jsm('POST', '/request', { body: { requestTypeId: '11' } })).body).toEqual(
      problem(JSM_MESSAGES.serviceDeskIdRequired),
    );
  });

  it('raises a request on behalf of a customer, visible as a Jira issue', async () => {
    const created = await jsm('POST', '/request', {
      body: hardware(
        {
          summary: 'Laptop for Carol',
          customfield_10050: { value: 'ThinkPad X1 Carbon' },
          duedate: '2026-12-01',
        },
        { raiseOnBehalfOf: DEFAULT_SEED.carol },
      ),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      issueKey: 'SUP-3',
      requestTypeId: '11',
      serviceDeskId: '1',
      reporter: { accountId: DEFAULT_SEED.carol },
      currentStatus: { status: 'To Do', statusCategory: 'NEW' },
      requestFieldValues: [
        { fieldId: 'summary', label: 'Summarize the request', value: 'Laptop for Carol' },
        { fieldId: 'customfield_10050', value: { id: '10102', value: 'ThinkPad X1 Carbon' } },
        { fieldId: 'customfield_10052', value: null },
        { fieldId: 'duedate', value: '2026-12-01' },
      ],
    });
    const issue = await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/SUP-3`, {
      token: alice,
    });
    expect(issue.body).toMatchObject({
      fields: {
        issuetype: { name: '[System] Service request' },
        reporter: { accountId: DEFAULT_SEED.carol },
        creator: { accountId: DEFAULT_SEED.alice },
        customfield_10050: { value: 'ThinkPad X1 Carbon' },
      },
    });
  });

  it('lets only agents raise on behalf of others, and only for known users', async () => {
    const asCustomer = await jsm('POST', '/request', {
      token: carol,
      body: hardware({ summary: 'x', customfield_10050: '10100' }, { raiseOnBehalfOf: DEFAULT_SEED.bob }),
    });
    expect([asCustomer.status, asCustomer.body]).toEqual([403, problem(JSM_MESSAGES.raiseOnBehalfForbidden)]);
    const unknown = await jsm('POST', '/request', {
      body: hardware({ summary: 'x', customfield_10050: '10100' }, { raiseOnBehalfOf: 'nobody@example.com' }),
    });
    expect(unknown.body).toEqual(problem(JSM_MESSAGES.userNotFound('nobody@example.com')));
    const byEmail = await jsm('POST', '/request', {
      body: hardware({ summary: 'x', customfield_10050: '10100' }, { raiseOnBehalfOf: 'bob@acme.example' }),
    });
    expect(byEmail.body).toMatchObject({ reporter: { accountId: DEFAULT_SEED.bob } });
  });
});

describe('request comments', () => {
  it('hides internal comments from customers and keeps them for agents', async () => {
    const asAgent = await jsm('GET', '/request/SUP-1/comment');
    expect((asAgent.body as { values: Array<{ public: boolean }> }).values.map((c) => c.public)).toEqual([
      true,
      false,
    ]);
    const internalOnly = await jsm('GET', '/request/SUP-1/comment?public=false');
    expect((internalOnly.body as { size: number }).size).toBe(1);
    const asCustomer = await jsm('GET', '/request/SUP-1/comment', { token: carol });
    expect((asCustomer.body as { values: Array<{ body: string }> }).values.map((c) => c.body)).toEqual([
      'Could you send the VPN client logs?',
    ]);
  });

  it('adds public and internal comments that Jira shows with jsdPublic', async () => {
    const reply = await jsm('POST', '/request/SUP-1/comment', {
      token: carol,
      body: { body: 'Logs attached.' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      body: 'Logs attached.',
      public: true,
      author: { accountId: DEFAULT_SEED.carol },
    });
    const note = await jsm('POST', '/request/SUP-1/comment', { body: { body: 'Escalate.', public: false } });
    expect(note.body).toMatchObject({ public: false });
    const comments = await callSandbox(
      sandbox,
      'GET',
      `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/SUP-1/comment`,
      {
        token: alice,
      },
    );
    expect(
      (comments.body as { comments: Array<{ jsdPublic: boolean }> }).comments
        .slice(-2)
        .map((c) => c.jsdPublic),
    ).toEqual([true, false]);
    expect(
      (await jsm('POST', '/request/SUP-1/comment', { token: carol, body: { body: 'x', public: false } }))
        .body,
    ).toEqual(problem(JSM_MESSAGES.internalCommentForbidden));
    expect((await jsm('POST', '/request/SUP-1/comment', { body: { body: '' } })).body).toEqual(
      problem(JSM_MESSAGES.commentBodyRequired),
    );
  });
});
