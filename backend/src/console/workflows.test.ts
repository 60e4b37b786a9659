import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowWorld, type WorkflowWorld } from '../../test-support/workflows';
import { createConsoleSession, SESSION_COOKIE } from '../auth/sessions';
import { formToInput } from './workflows';

describe('Workflows console pages', () => {
  let world: WorkflowWorld;
  let cookie: string;

  beforeAll(async () => {
    world = await startWorkflowWorld();
    const token = await createConsoleSession(
      world.ctx.services.db,
      world.ctx.team.id,
      world.installer.id,
      new Date(),
    );
    cookie = `${SESSION_COOKIE}=${token}`;
  });
  afterAll(async () => {
    await world?.close();
  });

  const page = (path: string, init: RequestInit = {}) =>
    world.ctx.request(path, { ...init, key: null, headers: { cookie, ...(init.headers as object) } });

  it('lists the workflows with their state and policy, and renders a run form from the input schema', async () => {
    const list = await page('/console/workflows');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('data-workflow="Create Jira Issue"');
    expect(html).toContain('Ingest JSM catalog');
    const form = await page('/console/workflows/create-jira-issue');
    const formHtml = await form.text();
    expect(formHtml).toContain('name="input.project"');
    expect(formHtml).toContain('<textarea id="input-input.description"');
  });

  it('refuses form posts from another origin', async () => {
    const answer = await page('/console/workflows/create-jira-issue/settings', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'enabled=false',
    });
    expect(answer.status).toBe(403);
    const workflow = await (await world.ctx.request('/v1/workflows/create-jira-issue')).json();
    expect(workflow).toMatchObject({ enabled: true });
  });

  it('sends the login to the login page without a session', async () => {
    const answer = await world.ctx.request('/console/workflow-runs', { key: null });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/console/login');
  });

  it('turns form fields back into typed input', () => {
    const schema = {
      type: 'object',
      properties: {
        summary: { type: 'string' },
        count: { type: 'integer' },
        internal: { type: 'boolean' },
        labels: { type: 'array', items: { type: 'string' } },
        extra: { type: 'object' },
        empty: { type: 'string' },
      },
    };
    expect(
      formToInput(schema, {
        'input.summary': ' Hello ',
        'input.count': '3',
        'input.internal': 'on',
        'input.labels': 'a\nb\n',
        'input.extra': '{"x":1}',
        'input.empty': '',
      }),
    ).toEqual({ summary: 'Hello', count: 3, internal: true, labels: ['a', 'b'], extra: { x: 1 } });
  });
});
