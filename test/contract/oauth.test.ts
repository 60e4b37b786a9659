/**
 * Contract for the OAuth 2.0 (3LO) endpoints, which no OpenAPI spec covers: the shapes of
 * Atlassian's OAuth 2.0 (3LO) documentation (token responses, OAuth errors, accessible resources).
 */
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { callSandbox, DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ajv = new Ajv({ allErrors: true });
addFormats(ajv);

const tokenResponse = ajv.compile({
  type: 'object',
  required: ['access_token', 'expires_in', 'scope', 'token_type'],
  additionalProperties: false,
  properties: {
    access_token: { type: 'string', minLength: 1 },
    refresh_token: { type: 'string', minLength: 1 },
    expires_in: { type: 'integer', minimum: 1 },
    scope: { type: 'string' },
    token_type: { const: 'Bearer' },
  },
});
const oauthError = ajv.compile({
  type: 'object',
  required: ['error', 'error_description'],
  additionalProperties: false,
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
});
const accessibleResources = ajv.compile({
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'url', 'name', 'scopes', 'avatarUrl'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', format: 'uuid' },
      url: { type: 'string', format: 'uri' },
      name: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      avatarUrl: { type: 'string', format: 'uri' },
    },
  },
});

const client = {
  clientId: 'contract-client',
  clientSecret: 'contract-secret',
  callbackUrls: ['http://127.0.0.1:9/cb'],
};
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.registerOAuthClient(client);
});
afterAll(async () => {
  await sandbox.close();
});

function authorizeUrl(scope: string): string {
  const params = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: client.clientId,
    scope,
    redirect_uri: client.callbackUrls[0],
    state: 'xyz',
    response_type: 'code',
    prompt: 'consent',
  });
  return `${sandbox.url}/authorize?${params}`;
}

async function code(scope: string): Promise<string> {
  const redirect = await sandbox.approveAuthorization(authorizeUrl(scope), {
    accountId: DEFAULT_SEED.alice,
    cloudIds: [DEFAULT_SEED.acme, DEFAULT_SEED.globex],
  });
  return new URL(redirect).searchParams.get('code') ?? '';
}

function exchange(body: Record<string, string>) {
  return callSandbox(sandbox, 'POST', '/oauth/token', {
    body: { client_id: client.clientId, client_secret: client.clientSecret, ...body },
  });
}

describe('OAuth endpoint shapes', () => {
  it('token responses for both grants, and accessible resources', async () => {
    const first = await exchange({
      grant_type: 'authorization_code',
      code: await code('read:jira-work offline_access'),
      redirect_uri: client.callbackUrls[0],
    });
    expect(first.status).toBe(200);
    expect(tokenResponse(first.body), JSON.stringify(tokenResponse.errors)).toBe(true);
    const { access_token, refresh_token } = first.body as { access_token: string; refresh_token: string };

    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token });
    expect(refreshed.status).toBe(200);
    expect(tokenResponse(refreshed.body), JSON.stringify(tokenResponse.errors)).toBe(true);

    const resources = await callSandbox(sandbox, 'GET', '/oauth/token/accessible-resources', {
      token: access_token,
    });
    expect(resources.status).toBe(200);
    expect(accessibleResources(resources.body), JSON.stringify(accessibleResources.errors)).toBe(true);
    expect((resources.body as unknown[]).length).toBe(2);
  });

  it('OAuth errors', async () => {
    const cases: Array<{ body: Record<string, string>; status: number }> = [
      { body: { grant_type: 'refresh_token', refresh_token: 'nope' }, status: 403 },
      {
        body: { grant_type: 'authorization_code', code: 'nope', redirect_uri: client.callbackUrls[0] },
        status: 403,
      },
      { body: { grant_type: 'password' }, status: 400 },
      { body: { grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'wrong' }, status: 401 },
    ];
    for (const { body, status } of cases) {
      const answer = await exchange(body);
      expect(answer.status).toBe(status);
      expect(oauthError(answer.body), JSON.stringify(answer.body)).toBe(true);
    }
    const unauthorized = await callSandbox(sandbox, 'GET', '/oauth/token/accessible-resources', {
      token: 'nope',
    });
    expect([unauthorized.status, unauthorized.body]).toEqual([401, { code: 401, message: 'Unauthorized' }]);
  });
});
