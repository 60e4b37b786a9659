import { lookup } from 'node:dns/promises';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../../test-support/context';
import { startWorkflowWorld, type WorkflowWorld } from '../../test-support/workflows';
import { executeRun } from './service';

interface RunBody {
  id: string;
  state: string;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  steps: Array<{ name: string; method: string; path: string; status: number | null; identity: string }>;
}

const ACTIONS = [
  'search-issues',
  'update-issue-fields',
  'add-comment',
  'assign-issue',
  'add-attachment',
  'add-watcher',
  'find-user-by-email',
];

let world: WorkflowWorld;
let files: Awaited<ReturnType<typeof listen>>;
const FILE = Buffer.alloc(300 * 1024, 7);

beforeAll(async () => {
  // The file server is on 127.0.0.1: allowed here as a development setup would allow it; nothing else is.
  world = await startWorkflowWorld('pglite', { env: { WORKFLOW_FETCH_ALLOWED_HOSTS: '127.0.0.1' } });
  const app = new Hono();
  app.get('/report.pdf', (c) => c.body(new Uint8Array(FILE), 200, { 'content-type': 'application/pdf' }));
  app.get('/to-metadata', (c) => c.redirect('http://169.254.169.254/latest/meta-data/', 302));
  // No Content-Length: the limit is found while the bytes stream through.
  app.get('/endless.bin', () => {
    const chunk = new Uint8Array(1024 * 1024);
    return new Response(new ReadableStream({ pull: (controller) => controller.enqueue(chunk) }), {
      headers: { 'content-type': 'application/octet-stream' },
    });
  });
  app.get('*', (c) => c.text('gone', 404));
  files = await listen(app.fetch);
});
afterAll(async () => {
  await files?.close();
  await world?.close();
});
beforeEach(async () => {
  await world.resetSandbox();
});

function issue(key: string) {
  return [...world.sandbox.state.issues.values()].find((candidate) => candidate.key === key)!;
}

async function run(workflow: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  // Loosening installer approval takes the installer's key.
  const loosened = await world.ctx.request(`/v1/workflows/${workflow}`, {
    method: 'PATCH',
    json: { approval: 'no-approval' },
    key: world.installer.key,
  });
  expect(loosened.status).toBe(200);
  const started = await world.ctx.request(`/v1/workflows/${workflow}/runs`, {
    method: 'POST',
    json: { connectionId: world.connection.id, input, ...extra },
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  await executeRun(world.ctx.services, id);
  return (await (await world.ctx.request(`/v1/workflow-runs/${id}`)).json()) as RunBody;
}

describe('common Jira actions', () => {
  it('are listed as actions with installer-approval by default', async () => {
    const other = await world.ctx.createTeam('Fresh team');
    const answer = await world.ctx.request('/v1/workflows?kind=action', { key: other.key });
    const { workflows } = (await answer.json()) as { workflows: Array<{ key: string; approval: string }> };
    expect(workflows.map((workflow) => workflow.key).sort()).toEqual([...ACTIONS].sort());
    expect(new Set(workflows.map((workflow) => workflow.approval))).toEqual(new Set(['installer-approval']));
  });

  it('Search Issues follows nextPageToken over every page, up to the cap', async () => {
    const template = issue('ENG-2');
    for (let n = 0; n < 120; n += 1) {
      const id = String(50_000 + n);
      world.sandbox.state.issues.set(id, {
        ...template,
        id,
        key: `ENG-${1000 + n}`,
        summary: `Bulk ${n}`,
        labels: ['bulk'],
        commentIds: [],
        attachmentIds: [],
        properties: new Map(),
      });
    }
    const all = await run('search-issues', { jql: 'labels = bulk', maxResults: 5000 });
    expect(all.error).toBeNull();
    expect(all.output).toMatchObject({ count: 120, truncated: false });
    expect(all.steps.map((step) => `${step.method} ${step.path} ${step.status}`)).toEqual([
      'POST rest/api/3/search/jql 200',
      'POST rest/api/3/search/jql 200',
    ]);
    const capped = await run('search-issues', { jql: 'labels = bulk', maxResults: 110 });
    expect(capped.output).toMatchObject({ count: 110, truncated: true });
    const first = (capped.output as { issues: Array<{ fields: Record<string, unknown> }> }).issues[0];
    expect(first.fields).toMatchObject({ status: 'To Do' });
  });

  it("Search Issues reports Jira's JQL error", async () => {
    const bad = await run('search-issues', { jql: 'project = ' });
    expect(bad.state).toBe('failed');
    expect(bad.error?.code).toBe('jira_error');
    expect(bad.error?.message).toMatch(/^Jira answered 400: /);
  });

  it('Update Issue Fields sets summary, Markdown description and labels; a missing issue is named', async () => {
    const done = await run('update-issue-fields', {
      issue: 'ENG-2',
      summary: 'Upgrade to Node 22',
      description: 'Use **nvm**',
      labels: ['runtime'],
    });
    expect(done.error).toBeNull();
    expect(done.output).toEqual({ issue: 'ENG-2', updated: ['summary', 'description', 'labels'] });
    expect(issue('ENG-2')).toMatchObject({ summary: 'Upgrade to Node 22', labels: ['runtime'] });
    expect(JSON.stringify(issue('ENG-2').description)).toContain('"type":"strong"');
    const missing = await run('update-issue-fields', { issue: 'ENG-999', summary: 'x' });
    expect(missing.error).toEqual({
      code: 'issue_not_found',
      message: "Issue ENG-999 does not exist or the connection's user may not see it.",
    });
  });

  it('Add Comment adds a public comment, or an internal one on a JSM request', async () => {
    const publicComment = await run('add-comment', { issue: 'ENG-1', body: 'Fixed in **1.2**' });
    expect(publicComment.error).toBeNull();
    const internal = await run('add-comment', { issue: 'SUP-1', body: 'Agents only', internal: true });
    expect(internal.output).toMatchObject({ issue: 'SUP-1', internal: true });
    const { comments } = world.sandbox.state;
    expect(comments.get((internal.output as { commentId: string }).commentId)).toMatchObject({
      jsdPublic: false,
    });
    expect(comments.get((publicComment.output as { commentId: string }).commentId)).toMatchObject({
      jsdPublic: true,
    });
  });

  it('Assign Issue assigns by email or accountId; an unknown person is named', async () => {
    const byEmail = await run('assign-issue', { issue: 'SUP-1', assignee: 'bob@acme.example' });
    expect(byEmail.error).toBeNull();
    expect(issue('SUP-1').assigneeId).toBe(DEFAULT_SEED.bob);
    expect(byEmail.steps.map((step) => `${step.method} ${step.path}`)).toEqual([
      'GET rest/api/3/user/search',
      'PUT rest/api/3/issue/SUP-1/assignee',
    ]);
    const byId = await run('assign-issue', { issue: 'SUP-1', assignee: DEFAULT_SEED.alice });
    expect(byId.error).toBeNull();
    expect(issue('SUP-1').assigneeId).toBe(DEFAULT_SEED.alice);
    const unknown = await run('assign-issue', { issue: 'SUP-1', assignee: 'no-such-account' });
    expect(unknown.error).toEqual({
      code: 'jira_field_errors',
      message: "Jira refused the fields: Assignee: User 'no-such-account' cannot be assigned issues.",
    });
  });

  it('Add Watcher adds a person by email', async () => {
    const added = await run('add-watcher', { issue: 'ENG-1', watcher: 'alice@acme.example' });
    expect(added.error).toBeNull();
    expect(issue('ENG-1').watcherIds).toContain(DEFAULT_SEED.alice);
  });

  it('Add Attachment streams a file from a URL, or takes an uploaded one', async () => {
    const fromUrl = await run('add-attachment', { issue: 'ENG-2', url: `${files.url}/report.pdf` });
    expect(fromUrl.error).toBeNull();
    expect(fromUrl.output).toMatchObject({ issue: 'ENG-2', filename: 'report.pdf', size: FILE.length });
    const stored = world.sandbox.state.attachments.get(
      (fromUrl.output as { attachmentId: string }).attachmentId,
    );
    expect(stored).toMatchObject({ mimeType: 'application/pdf', size: FILE.length });

    const uploaded = await run('add-attachment', {
      issue: 'ENG-2',
      contentBase64: Buffer.from('hello').toString('base64'),
      filename: 'hello.txt',
      mimeType: 'text/plain',
    });
    expect(uploaded.output).toMatchObject({ filename: 'hello.txt', size: 5 });

    const gone = await run('add-attachment', { issue: 'ENG-2', url: `${files.url}/missing.pdf` });
    expect(gone.error).toEqual({
      code: 'attachment_source_failed',
      message: `Downloading ${files.url}/missing.pdf failed: it answered 404.`,
    });
    expect(gone.steps).toEqual([]);
  });

  it('Add Attachment refuses internal addresses, redirects to them, other schemes and files over 100 MB', async () => {
    const refusals: Array<[string, string]> = [
      ['http://169.254.169.254/latest/meta-data/', workflowMessages.internalAddress('169.254.169.254')],
      ['http://10.0.0.8/report.pdf', workflowMessages.internalAddress('10.0.0.8')],
      ['http://[::1]:8080/report.pdf', workflowMessages.internalAddress('::1')],
      [
        `${files.url}/to-metadata`,
        workflowMessages.redirectsTo(
          'http://169.254.169.254/latest/meta-data/',
          workflowMessages.internalAddress('169.254.169.254'),
        ),
      ],
    ];
    for (const [url, reason] of refusals) {
      const refused = await run('add-attachment', { issue: 'ENG-2', url });
      expect(refused.error).toEqual({
        code: 'attachment_source_refused',
        message: workflowMessages.attachmentSourceRefused(url, reason),
      });
      expect(refused.steps).toEqual([]);
    }

    // Only 127.0.0.1 is allowed here: the name localhost, resolving to loopback, is not.
    const byName = `${files.url.replace('127.0.0.1', 'localhost')}/report.pdf`;
    const [resolved] = await lookup('localhost', { all: true, verbatim: true });
    expect((await run('add-attachment', { issue: 'ENG-2', url: byName })).error).toEqual({
      code: 'attachment_source_refused',
      message: workflowMessages.attachmentSourceRefused(
        byName,
        workflowMessages.resolvesToInternalAddress('localhost', resolved.address),
      ),
    });

    const ftp = await world.ctx.request('/v1/workflows/add-attachment/runs', {
      method: 'POST',
      json: { connectionId: world.connection.id, input: { issue: 'ENG-2', url: 'ftp://files.example/x' } },
    });
    expect(ftp.status).toBe(400);
    expect(((await ftp.json()) as { error: { message: string } }).error.message).toBe(
      workflowMessages.invalidInput('url must match pattern "^https?://"'),
    );

    const attachmentsBefore = world.sandbox.state.attachments.size;
    const endless = await run('add-attachment', { issue: 'ENG-2', url: `${files.url}/endless.bin` });
    expect(endless.error).toEqual({
      code: 'attachment_too_large',
      message: 'The file is larger than 100 MB.',
    });
    expect(world.sandbox.state.attachments.size).toBe(attachmentsBefore);
  });

  it('Find User by Email finds a person, or says none was found', async () => {
    const found = await run('find-user-by-email', { email: 'ALICE@acme.example' });
    expect(found.output).toEqual({
      found: true,
      user: { accountId: DEFAULT_SEED.alice, displayName: 'Alice Admin', email: 'alice@acme.example' },
    });
    const missing = await run('find-user-by-email', { email: 'nobody@acme.example' });
    expect(missing.output).toEqual({ found: false, user: null });
  });

  it('service-account mode is ignored on a connection the Forge app has not upgraded, as in the proxy', async () => {
    const read = await run(
      'find-user-by-email',
      { email: 'alice@acme.example' },
      { useServiceAccount: true, asJiraUser: DEFAULT_SEED.bob },
    );
    expect(read.error).toBeNull();
    expect(read.steps.map((step) => step.identity)).toEqual(['user']);
  });
});
