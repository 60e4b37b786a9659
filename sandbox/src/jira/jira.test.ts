import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { API_MESSAGES } from '../api/errors';
import { UNIMPLEMENTED_HEADER } from '../api/mount';
import type { JiraChange } from '../contracts';
import { GATEWAY_SCOPE_MISMATCH, GATEWAY_UNAUTHORIZED } from '../gateway';
import { type Sandbox, startSandbox } from '../index';
import { JQL_MESSAGES } from './jql';
import { JIRA_MESSAGES } from './messages';

const start = Date.parse('2026-11-20T10:00:00Z');
let nowMs = start;
let sandbox: Sandbox;
let alice: string;
let changes: JiraChange[];

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => nowMs });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  nowMs = start;
  sandbox.reset();
  alice = userToken(sandbox, DEFAULT_SEED.alice);
  changes = [];
  vi.spyOn(sandbox.forge, 'onJiraChange').mockImplementation((change) => {
    changes.push(change);
  });
});

const adf = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

function jira(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; cloudId?: string } = {},
) {
  return callSandbox(sandbox, method, `/ex/jira/${options.cloudId ?? DEFAULT_SEED.acme}/rest/api/3${path}`, {
    token: options.token ?? alice,
    body: options.body,
  });
}

describe('authentication and scopes', () => {
  it('answers 401 for missing, unknown and other-site tokens', async () => {
    expect((await jira('GET', '/myself', { token: '' })).body).toEqual(GATEWAY_UNAUTHORIZED);
    expect((await jira('GET', '/myself', { token: 'forged' })).status).toBe(401);
    const bob = userToken(sandbox, DEFAULT_SEED.bob);
    expect((await jira('GET', '/myself', { token: bob, cloudId: DEFAULT_SEED.globex })).body).toEqual(
      GATEWAY_UNAUTHORIZED,
    );
  });

  it('answers 401 "scope does not match" when the token lacks the operation scope', async () => {
    const readOnly = userToken(sandbox, DEFAULT_SEED.alice, { scopes: ['read:jira-user', 'read:jira-work'] });
    expect((await jira('GET', '/issue/ENG-1', { token: readOnly })).status).toBe(200);
    const write = await jira('POST', '/issue/ENG-1/comment', { token: readOnly, body: { body: adf('x') } });
    expect([write.status, write.body]).toEqual([401, GATEWAY_SCOPE_MISMATCH]);
    const granular = userToken(sandbox, DEFAULT_SEED.alice, {
      scopes: ['read:application-role:jira', 'read:group:jira', 'read:user:jira', 'read:avatar:jira'],
    });
    expect((await jira('GET', '/myself', { token: granular })).status).toBe(200);
  });

  it('rejects malformed JSON bodies in Jira’s words', async () => {
    const response = await fetch(`${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: '{"fields":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errorMessages: [API_MESSAGES.invalidPayload], errors: {} });
  });
});

describe('unimplemented operations', () => {
  it('answer 501 in each API’s error shape, naming the operation, with the marking header', async () => {
    const platform = await jira('GET', '/workflowscheme');
    expect([platform.status, platform.headers.get(UNIMPLEMENTED_HEADER), platform.body]).toEqual([
      501,
      'GET /rest/api/3/workflowscheme',
      {
        errorMessages: [
          API_MESSAGES.notImplemented('GET', '/rest/api/3/workflowscheme', 'getAllWorkflowSchemes'),
        ],
        errors: {},
      },
    ]);
    const jsm = await callSandbox(
      sandbox,
      'GET',
      `/ex/jira/${DEFAULT_SEED.acme}/rest/servicedeskapi/knowledgebase/article?query=vpn`,
      { token: alice },
    );
    expect([jsm.status, (jsm.body as { errorMessage: string }).errorMessage]).toEqual([
      501,
      API_MESSAGES.notImplemented('GET', '/rest/servicedeskapi/knowledgebase/article', 'getArticles'),
    ]);
  });

  it('answer 501 for paths outside the specs too, never 404', async () => {
    const answer = await jira('GET', '/no/such/thing');
    expect([answer.status, answer.headers.get(UNIMPLEMENTED_HEADER)]).toEqual([
      501,
      'GET /rest/api/3/no/such/thing',
    ]);
  });
});

describe('project access', () => {
  it('hides what a user cannot browse: 404s and empty lists', async () => {
    const bob = userToken(sandbox, DEFAULT_SEED.bob);
    expect((await jira('GET', '/issue/ENG-1', { token: bob })).body).toEqual({
      errorMessages: [JIRA_MESSAGES.issueNotFound],
      errors: {},
    });
    const projects = await jira('GET', '/project/search', { token: bob });
    expect((projects.body as { values: Array<{ key: string }> }).values.map((p) => p.key)).toEqual(['SUP']);
    const search = await jira('GET', `/search/jql?jql=${encodeURIComponent('project = ENG')}`, {
      token: bob,
    });
    expect(search.body).toEqual({ errorMessages: [JQL_MESSAGES.unknownValue('ENG', 'project')], errors: {} });
  });

  it('answers 403 when the user can see the project but not change it', async () => {
    const carol = userToken(sandbox, DEFAULT_SEED.carol);
    const create = await jira('POST', '/issue', {
      token: carol,
      body: { fields: { project: { key: 'ENG' }, issuetype: { name: 'Task' }, summary: 'x' } },
    });
    expect([create.status, create.body]).toEqual([
      403,
      { errorMessages: [JIRA_MESSAGES.noCreatePermission], errors: {} },
    ]);
    const edit = await jira('PUT', '/issue/SUP-1', { token: carol, body: { fields: { summary: 'x' } } });
    expect(edit.body).toEqual({ errorMessages: [JIRA_MESSAGES.noEditPermission], errors: {} });
    const transitions = await jira('GET', '/issue/SUP-1/transitions', { token: carol });
    expect(transitions.body).toEqual({ expand: 'transitions', transitions: [] });
  });

  it('project/search with action=create lists only projects the user can create in', async () => {
    const carol = userToken(sandbox, DEFAULT_SEED.carol);
    const all = await jira('GET', '/project/search', { token: carol });
    expect((all.body as { total: number }).total).toBe(2);
    const creatable = await jira('GET', '/project/search?action=create', { token: carol });
    expect((creatable.body as { total: number }).total).toBe(0);
  });
});

describe('issues', () => {
  it('validates create requests field by field', async () => {
    const create = (fields: Record<string, unknown>) => jira('POST', '/issue', { body: { fields } });
    expect((await create({})).body).toEqual({
      errorMessages: [],
      errors: { project: JIRA_MESSAGES.specifyProject, issuetype: JIRA_MESSAGES.specifyIssueType },
    });
    expect((await create({ project: { key: 'ENG' }, issuetype: { id: '10003' } })).body).toEqual({
      errorMessages: [],
      errors: { issuetype: JIRA_MESSAGES.issueTypeNotFound },
    });
    const base = { project: { key: 'SUP' }, issuetype: { name: 'Task' } };
    expect(
      (
        await create({
          ...base,
          description: 'plain text',
          status: { id: '3' },
          customfield_10050: { id: '1' },
        })
      ).body,
    ).toEqual({
      errorMessages: [],
      errors: {
        summary: JIRA_MESSAGES.summaryRequired,
        description: JIRA_MESSAGES.notAdf,
        status: JIRA_MESSAGES.fieldNotSettable('status'),
        customfield_10050: JIRA_MESSAGES.invalidOptionId('1'),
      },
    });
    expect((await create({ ...base, summary: 'x', labels: ['two words'] })).body).toEqual({
      errorMessages: [],
      errors: { labels: JIRA_MESSAGES.labelWithSpace('two words') },
    });
    expect(changes).toEqual([]);
  });

  it('creates an issue with ADF, custom fields and properties, and reports it to Forge', async () => {
    const created = await jira('POST', '/issue', {
      body: {
        fields: {
          project: { key: 'SUP' },
          issuetype: { name: 'Task' },
          summary: 'Replace the printer',
          description: adf('It jams.'),
          priority: { name: 'High' },
          assignee: { accountId: DEFAULT_SEED.bob },
          customfield_10050: { value: 'MacBook Air 13' },
          duedate: '2026-12-24',
        },
        properties: [{ key: 'com.example.sync', value: { ticketId: 'T-1' } }],
      },
    });
    expect(created.status).toBe(201);
    const { key } = created.body as { key: string };
    expect(key).toBe('SUP-3');
    const issue = await jira('GET', `/issue/${key}?properties=com.example.sync`);
    const body = issue.body as { fields: Record<string, unknown>; properties: Record<string, unknown> };
    expect(body.properties).toEqual({ 'com.example.sync': { ticketId: 'T-1' } });
    expect(body.fields).toMatchObject({
      summary: 'Replace the printer',
      description: adf('It jams.'),
      priority: { name: 'High' },
      assignee: { accountId: DEFAULT_SEED.bob },
      reporter: { accountId: DEFAULT_SEED.alice },
      status: { name: 'To Do', statusCategory: { key: 'new', colorName: 'blue-gray' } },
      customfield_10050: { id: '10101', value: 'MacBook Air 13' },
      duedate: '2026-12-24',
      created: '2026-11-20T10:00:00.000+0000',
    });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      eventType: 'avi:jira:created:issue',
      cloudId: DEFAULT_SEED.acme,
      issue: { key, fields: { summary: 'Replace the printer' } },
      actorAccountId: DEFAULT_SEED.alice,
      byApp: false,
      timestamp: start,
    });
  });

  it('edits fields and labels, with a changelog in the update event', async () => {
    nowMs += 60_000;
    const edit = await jira('PUT', '/issue/ENG-2', {
      body: {
        fields: { summary: 'Upgrade Node to 22', assignee: { accountId: DEFAULT_SEED.bob } },
        update: { labels: [{ add: 'runtime' }] },
      },
    });
    expect(edit.status).toBe(204);
    const issue = (await jira('GET', '/issue/ENG-2?fields=summary,labels,assignee,updated')).body as {
      fields: Record<string, unknown>;
    };
    expect(issue.fields).toMatchObject({
      summary: 'Upgrade Node to 22',
      labels: ['runtime'],
      assignee: { displayName: 'Bob Builder' },
      updated: '2026-11-20T10:01:00.000+0000',
    });
    expect(changes.map((c) => c.eventType)).toEqual(['avi:jira:updated:issue']);
    expect(changes[0].changelog).toEqual({
      id: expect.any(String),
      items: [
        {
          field: 'summary',
          fieldtype: 'jira',
          fieldId: 'summary',
          from: null,
          fromString: 'Upgrade the Node runtime',
          to: null,
          toString: 'Upgrade Node to 22',
        },
        {
          field: 'assignee',
          fieldtype: 'jira',
          fieldId: 'assignee',
          from: null,
          fromString: null,
          to: DEFAULT_SEED.bob,
          toString: 'Bob Builder',
        },
        {
          field: 'labels',
          fieldtype: 'jira',
          fieldId: 'labels',
          from: null,
          fromString: '',
          to: null,
          toString: 'runtime',
        },
      ],
    });
  });

  it('transitions along the project workflow', async () => {
    const list = await jira('GET', '/issue/SUP-2/transitions');
    expect((list.body as { transitions: Array<{ id: string }> }).transitions.map((t) => t.id)).toEqual([
      '21',
      '31',
      '41',
    ]);
    expect((await jira('POST', '/issue/SUP-2/transitions', { body: {} })).body).toEqual({
      errorMessages: [JIRA_MESSAGES.transitionRequired],
      errors: {},
    });
    expect(
      (await jira('POST', '/issue/SUP-2/transitions', { body: { transition: { id: '11' } } })).body,
    ).toEqual({
      errorMessages: [JIRA_MESSAGES.transitionInvalid('11')],
      errors: {},
    });
    const done = await jira('POST', '/issue/SUP-2/transitions', {
      body: { transition: { id: '31' }, update: { comment: [{ add: { body: adf('Shipped.') } }] } },
    });
    expect(done.status).toBe(204);
    const issue = (await jira('GET', '/issue/SUP-2?fields=status,resolution,resolutiondate,comment'))
      .body as {
      fields: {
        status: { name: string };
        resolution: { name: string };
        resolutiondate: string;
        comment: { total: number };
      };
    };
    expect(issue.fields.status.name).toBe('Done');
    expect(issue.fields.resolution.name).toBe('Done');
    expect(issue.fields.resolutiondate).toBe('2026-11-20T10:00:00.000+0000');
    expect(issue.fields.comment.total).toBe(1);
    expect(changes.map((c) => c.eventType)).toEqual(['avi:jira:updated:issue', 'avi:jira:commented:issue']);
    expect(changes[0].changelog?.items).toEqual([
      expect.objectContaining({
        fieldId: 'status',
        from: '10000',
        fromString: 'To Do',
        to: '10001',
        toString: 'Done',
      }),
    ]);
    const after = await jira('GET', '/issue/SUP-2/transitions');
    expect((after.body as { transitions: Array<{ id: string }> }).transitions.map((t) => t.id)).toEqual([
      '11',
      '21',
    ]);
  });

  it('deletes an issue and reports it', async () => {
    expect((await jira('DELETE', '/issue/ENG-1')).status).toBe(204);
    expect((await jira('GET', '/issue/ENG-1')).status).toBe(404);
    expect(sandbox.state.comments.size).toBe(2);
    expect(changes.map((c) => [c.eventType, c.issue.key])).toEqual([['avi:jira:deleted:issue', 'ENG-1']]);
  });
});

describe('ADF validation', () => {
  const withNode = (node: unknown) => ({ type: 'doc', version: 1, content: [node] });

  it('refuses documents that break the schema with INVALID_INPUT, and non-documents by field', async () => {
    const unknownNode = withNode({ type: 'fancyWidget', content: [] });
    const created = await jira('POST', '/issue', {
      body: {
        fields: {
          project: { key: 'ENG' },
          issuetype: { id: '10001' },
          summary: 'x',
          description: unknownNode,
        },
      },
    });
    expect([created.status, created.body]).toEqual([400, { errorMessages: ['INVALID_INPUT'], errors: {} }]);
    const edited = await jira('PUT', '/issue/ENG-1', {
      body: { update: { description: [{ set: withNode({ type: 'taskList', content: [] }) }] } },
    });
    expect([edited.status, edited.body]).toEqual([400, { errorMessages: ['INVALID_INPUT'], errors: {} }]);
    const badMark = await jira('POST', '/issue/ENG-1/comment', {
      body: {
        body: withNode({
          type: 'paragraph',
          content: [{ type: 'text', text: 'x', marks: [{ type: 'blink' }] }],
        }),
      },
    });
    expect(badMark.status).toBe(400);
    const plain = await jira('PUT', '/issue/ENG-1', { body: { fields: { description: 'plain' } } });
    expect(plain.body).toEqual({ errorMessages: [], errors: { description: JIRA_MESSAGES.notAdf } });
    expect(changes).toEqual([]);
  });

  it('accepts the rich nodes Jira accepts', async () => {
    const rich = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Steps' }] },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'see ', marks: [{ type: 'strong' }] },
                    {
                      type: 'text',
                      text: 'docs',
                      marks: [{ type: 'link', attrs: { href: 'https://x.example' } }],
                    },
                    { type: 'mention', attrs: { id: DEFAULT_SEED.bob, text: '@Bob' } },
                  ],
                },
              ],
            },
          ],
        },
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'ls' }] },
      ],
    };
    expect((await jira('PUT', '/issue/ENG-1', { body: { fields: { description: rich } } })).status).toBe(204);
    expect((await jira('POST', '/issue/ENG-1/comment', { body: { body: rich } })).status).toBe(201);
  });
});

describe('comments and properties', () => {
  it('rejects empty comment bodies and records the author from the token', async () => {
    const empty = await jira('POST', '/issue/ENG-1/comment', {
      body: {
        body: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
        },
      },
    });
    // An empty text node breaks the ADF schema: the whole request is INVALID_INPUT.
    expect(empty.body).toEqual({ errorMessages: [JIRA_MESSAGES.invalidAdfInput], errors: {} });
    const plain = await jira('POST', '/issue/ENG-1/comment', { body: { body: 'plain text' } });
    expect(plain.body).toEqual({ errorMessages: [], errors: { comment: JIRA_MESSAGES.commentInvalid } });
    const blank = await jira('POST', '/issue/ENG-1/comment', { body: { body: adf(' ') } });
    expect(blank.body).toEqual({ errorMessages: [], errors: { comment: JIRA_MESSAGES.commentEmpty } });
    const missing = await jira('POST', '/issue/ENG-1/comment', { body: {} });
    expect(missing.body).toEqual({ errorMessages: [], errors: { comment: JIRA_MESSAGES.commentEmpty } });

    const bob = userToken(sandbox, DEFAULT_SEED.bob);
    const added = await jira('POST', '/issue/SUP-1/comment', {
      token: bob,
      body: { body: adf('On it.'), properties: [{ key: 'sd.public.comment', value: { internal: true } }] },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      author: { accountId: DEFAULT_SEED.bob },
      body: adf('On it.'),
      jsdPublic: false,
    });
    expect(changes.map((c) => [c.eventType, (c.comment as { id: string }).id])).toEqual([
      ['avi:jira:commented:issue', (added.body as { id: string }).id],
    ]);
    const list = await jira('GET', '/issue/SUP-1/comment?orderBy=-created&maxResults=1');
    expect(list.body).toMatchObject({ total: 3, maxResults: 1, comments: [{ body: adf('On it.') }] });
  });

  it('stores issue properties: 201 on create, 200 on update, then delete', async () => {
    const path = '/issue/ENG-1/properties/com.example.link';
    expect((await jira('GET', path)).body).toEqual({
      errorMessages: [JIRA_MESSAGES.propertyNotFound('com.example.link')],
      errors: {},
    });
    expect((await jira('PUT', path, { body: { ticket: 1 } })).status).toBe(201);
    expect((await jira('PUT', path, { body: { ticket: 2 } })).status).toBe(200);
    expect((await jira('GET', path)).body).toEqual({ key: 'com.example.link', value: { ticket: 2 } });
    expect((await jira('PUT', path, {})).body).toEqual({
      errorMessages: [JIRA_MESSAGES.propertyValueRequired],
      errors: {},
    });
    const keys = await jira('GET', '/issue/ENG-1/properties');
    expect((keys.body as { keys: Array<{ key: string }> }).keys.map((k) => k.key)).toEqual([
      'com.example.link',
    ]);
    expect((await jira('DELETE', path)).status).toBe(204);
    expect((await jira('GET', path)).status).toBe(404);
  });
});

describe('search/jql', () => {
  it('returns only ids without fields, and pages with nextPageToken', async () => {
    const jql = encodeURIComponent('project in (ENG, SUP) ORDER BY key');
    const bare = await jira('GET', `/search/jql?jql=${jql}&maxResults=1`);
    expect((bare.body as { issues: unknown[] }).issues).toEqual([{ id: '10020' }]);

    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await jira('POST', '/search/jql', {
        body: {
          jql: 'project in (ENG, SUP) ORDER BY key',
          fields: ['summary'],
          maxResults: 2,
          nextPageToken: token,
        },
      });
      const body = answer.body as { issues: Array<{ key: string }>; nextPageToken?: string; isLast: boolean };
      seen.push(...body.issues.map((i) => i.key));
      token = body.nextPageToken;
      if (body.isLast) break;
    }
    expect(seen).toEqual(['ENG-1', 'ENG-2', 'ENG-3', 'SUP-1', 'SUP-2']);
    expect(token).toBeUndefined();
  });

  it('refuses a page token issued for another query', async () => {
    const first = await jira('GET', `/search/jql?jql=${encodeURIComponent('project = ENG')}&maxResults=1`);
    const { nextPageToken } = first.body as { nextPageToken: string };
    const other = await jira(
      'GET',
      `/search/jql?jql=${encodeURIComponent('project = SUP')}&nextPageToken=${nextPageToken}`,
    );
    expect(other.body).toEqual({ errorMessages: [JIRA_MESSAGES.invalidNextPageToken], errors: {} });
  });

  it('finds recently updated issues with a relative date', async () => {
    nowMs = Date.parse('2026-11-07T09:10:00Z');
    const recent = await jira('GET', `/search/jql?jql=${encodeURIComponent('updated >= -15m')}&fields=key`);
    expect((recent.body as { issues: Array<{ key: string }> }).issues.map((i) => i.key)).toEqual(['ENG-2']);
  });

  it('answers 410 on the removed /search', async () => {
    expect((await jira('GET', '/search?jql=project%3DENG')).body).toEqual({
      errorMessages: [JIRA_MESSAGES.searchRemoved],
      errors: {},
    });
  });
});

describe('Forge tokens', () => {
  it('a system token acts as the app bot user, with the token scopes', async () => {
    sandbox.tokens.add('system-token', {
      kind: 'system',
      appId: 'ari:cloud:ecosystem::app/test',
      accountId: DEFAULT_SEED.appBot,
      cloudIds: [DEFAULT_SEED.acme],
      scopes: ['read:jira-work', 'write:jira-work', 'read:jira-user'],
      expiresAt: start + 3_600_000,
    });
    const me = await jira('GET', '/myself', { token: 'system-token' });
    expect(me.body).toMatchObject({ accountId: DEFAULT_SEED.appBot, accountType: 'app' });
    const created = await jira('POST', '/issue', {
      token: 'system-token',
      body: { fields: { project: { key: 'ENG' }, issuetype: { name: 'Task' }, summary: 'From the app' } },
    });
    expect(created.status).toBe(201);
    expect(changes[0]).toMatchObject({ byApp: true, actorAccountId: DEFAULT_SEED.appBot });
    const jsm = await callSandbox(
      sandbox,
      'GET',
      `/ex/jira/${DEFAULT_SEED.acme}/rest/servicedeskapi/servicedesk`,
      {
        token: 'system-token',
      },
    );
    expect(jsm.body).toEqual(GATEWAY_SCOPE_MISMATCH);
  });

  it('an impersonation token acts as the user, with the user permissions', async () => {
    sandbox.tokens.add('as-bob', {
      kind: 'impersonation',
      appId: 'ari:cloud:ecosystem::app/test',
      accountId: DEFAULT_SEED.bob,
      cloudIds: [DEFAULT_SEED.acme],
      scopes: ['read:jira-work', 'write:jira-work'],
      expiresAt: start + 3_600_000,
    });
    expect((await jira('GET', '/issue/ENG-1', { token: 'as-bob' })).status).toBe(404);
    const comment = await jira('POST', '/issue/SUP-1/comment', {
      token: 'as-bob',
      body: { body: adf('hi') },
    });
    expect(comment.body).toMatchObject({ author: { accountId: DEFAULT_SEED.bob } });
    expect(changes[0]).toMatchObject({ byApp: true, actorAccountId: DEFAULT_SEED.bob });
  });
});

describe('attachments', () => {
  const contentUrl = () =>
    `${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/attachment/content/${DEFAULT_SEED.attachmentId}`;

  it('answers 303 to a signed media URL that streams the generated content without a bearer', async () => {
    const redirect = await fetch(contentUrl(), {
      headers: { authorization: `Bearer ${alice}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get('location') ?? '';
    expect(location.startsWith(`${sandbox.url}/media/file/${DEFAULT_SEED.attachmentId}/binary?`)).toBe(true);
    const response = await fetch(location);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(5 * 1024 * 1024);
    expect(bytes.subarray(0, 65_536)).toEqual(bytes.subarray(65_536, 131_072));
    const forged = new URL(location);
    forged.searchParams.set('expires', String(Number(forged.searchParams.get('expires')) + 1));
    expect((await fetch(forged)).status).toBe(401);
    nowMs += 11 * 60 * 1000;
    expect((await fetch(location)).status).toBe(401);
  });

  it('answers 200 with the bytes when redirect=false', async () => {
    const response = await fetch(`${contentUrl()}?redirect=false`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect([response.status, response.headers.get('content-length')]).toEqual([200, String(5 * 1024 * 1024)]);
    await response.arrayBuffer();
  });

  it('uploads multipart files only with X-Atlassian-Token: no-check, then serves, describes and deletes them', async () => {
    const upload = (headers: Record<string, string>) => {
      const form = new FormData();
      form.append('file', new Blob(['hello, jira'], { type: 'text/plain' }), 'note.txt');
      return fetch(`${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/ENG-2/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, ...headers },
        body: form,
      });
    };
    const refused = await upload({});
    expect([refused.status, await refused.text()]).toEqual([403, JIRA_MESSAGES.xsrfCheckFailed]);
    const uploaded = await upload({ 'X-Atlassian-Token': 'no-check' });
    expect(uploaded.status).toBe(200);
    const [attachment] = (await uploaded.json()) as Array<{ id: string; size: number; content: string }>;
    expect(attachment.size).toBe(11);
    expect(attachment.content).toBe(
      `${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/attachment/content/${attachment.id}`,
    );
    const bytes = await fetch(`${attachment.content}?redirect=false`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(await bytes.text()).toBe('hello, jira');
    expect((await jira('GET', `/attachment/${attachment.id}`)).body).toMatchObject({
      filename: 'note.txt',
      mimeType: 'text/plain',
    });
    const bob = userToken(sandbox, DEFAULT_SEED.bob);
    expect((await jira('DELETE', `/attachment/${attachment.id}`, { token: bob })).status).toBe(404);
    expect((await jira('DELETE', `/attachment/${attachment.id}`)).status).toBe(204);
    expect((await jira('GET', `/attachment/${attachment.id}`)).status).toBe(404);
  });
});
