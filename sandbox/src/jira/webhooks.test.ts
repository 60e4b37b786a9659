import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { type Sandbox, startSandbox } from '../index';
import { JIRA_MESSAGES } from './messages';
import { WEBHOOK_LIFETIME_MS } from './webhooks';

const start = Date.parse('2026-11-20T10:00:00Z');
let nowMs = start;
let sandbox: Sandbox;
let receiver: Server;
let receiverUrl: string;
let received: Array<Record<string, unknown>>;
let alice: string;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => nowMs });
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(text) as Record<string, unknown>);
      res.statusCode = req.url === '/broken' ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  nowMs = start;
  sandbox.reset();
  received = [];
  alice = userToken(sandbox, DEFAULT_SEED.alice);
});

const api = (method: string, path: string, body?: unknown, token = alice) =>
  callSandbox(sandbox, method, `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3${path}`, { token, body });

async function register(url: string, webhooks: unknown[]) {
  const answer = await api('POST', '/webhook', { url, webhooks });
  return (
    answer.body as { webhookRegistrationResult: Array<{ createdWebhookId?: number; errors?: string[] }> }
  ).webhookRegistrationResult;
}

describe('dynamic webhooks', () => {
  it('registers, lists per app, and refuses bad entries with their reasons', async () => {
    const results = await register(`${receiverUrl}/hook`, [
      { events: ['jira:issue_updated'], jqlFilter: 'project = ENG' },
      { events: ['no_such_event'], jqlFilter: 'project = ENG' },
      { events: ['comment_created'], jqlFilter: 'project = ' },
    ]);
    expect(results[0].createdWebhookId).toEqual(expect.any(Number));
    expect(results[1].errors).toEqual([JIRA_MESSAGES.webhookEventUnknown('no_such_event')]);
    expect(results[2].errors?.[0]).toContain('Error in the JQL Query');
    const listed = await api('GET', '/webhook');
    expect(listed.body).toMatchObject({
      total: 1,
      values: [
        {
          id: results[0].createdWebhookId,
          expirationDate: start + WEBHOOK_LIFETIME_MS,
          url: `${receiverUrl}/hook`,
        },
      ],
    });
    const otherApp = userToken(sandbox, DEFAULT_SEED.alice, { clientId: 'another-app' });
    expect((await api('GET', '/webhook', undefined, otherApp)).body).toMatchObject({ total: 0, values: [] });
  });

  it('delivers Jira payloads for matching changes only, until it expires; refresh extends it', async () => {
    const [hook] = await register(`${receiverUrl}/hook`, [
      { events: ['jira:issue_updated', 'comment_created'], jqlFilter: 'project = ENG AND labels = checkout' },
    ]);
    await api('PUT', '/issue/ENG-1', { fields: { summary: 'Checkout fails with 500' } });
    await api('PUT', '/issue/ENG-2', { fields: { summary: 'Not matched by the filter' } });
    await api('POST', '/issue/ENG-1/comment', {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }],
      },
    });
    await sandbox.webhooks.flush();
    expect(
      received.map((b) => [b.webhookEvent, (b.issue as { key: string }).key, b.matchedWebhookIds]),
    ).toEqual([
      ['jira:issue_updated', 'ENG-1', [hook.createdWebhookId]],
      ['comment_created', 'ENG-1', [hook.createdWebhookId]],
    ]);
    expect(received[0]).toMatchObject({
      timestamp: start,
      issue_event_type_name: 'issue_generic',
      user: { accountId: DEFAULT_SEED.alice },
      changelog: {
        items: [expect.objectContaining({ field: 'summary', toString: 'Checkout fails with 500' })],
      },
    });
    expect(received[1]).toMatchObject({ comment: { author: { accountId: DEFAULT_SEED.alice } } });

    nowMs = start + WEBHOOK_LIFETIME_MS;
    alice = userToken(sandbox, DEFAULT_SEED.alice);
    received = [];
    await api('PUT', '/issue/ENG-1', { fields: { summary: 'After expiry' } });
    await sandbox.webhooks.flush();
    expect(received).toEqual([]);

    const refreshed = await api('PUT', '/webhook/refresh', { webhookIds: [hook.createdWebhookId] });
    expect(refreshed.body).toEqual({ expirationDate: nowMs + WEBHOOK_LIFETIME_MS });
    await api('PUT', '/issue/ENG-1', { fields: { summary: 'After refresh' } });
    await sandbox.webhooks.flush();
    expect(received).toHaveLength(1);
  });

  it('lists failed deliveries and deletes webhooks', async () => {
    const [hook] = await register(`${receiverUrl}/broken`, [
      { events: ['jira:issue_updated'], jqlFilter: 'project = ENG' },
    ]);
    await api('PUT', '/issue/ENG-2', { fields: { summary: 'x' } });
    await sandbox.webhooks.flush();
    const failed = await api('GET', '/webhook/failed');
    expect((failed.body as { values: Array<{ id: string }> }).values.map((v) => v.id)).toEqual([
      String(hook.createdWebhookId),
    ]);
    expect((await api('DELETE', '/webhook', {})).body).toEqual({
      errorMessages: [JIRA_MESSAGES.webhookIdsRequired],
      errors: {},
    });
    expect((await api('DELETE', '/webhook', { webhookIds: [hook.createdWebhookId] })).status).toBe(202);
    expect((await api('GET', '/webhook')).body).toMatchObject({ total: 0 });
  });
});
