import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { type Sandbox, startSandbox } from '../index';
import { ADMIN_MESSAGES } from './routes';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
});

const post = (path: string, body: unknown) => callSandbox(sandbox, 'POST', path, { body });

describe('/_sandbox admin routes', () => {
  it('POST /_sandbox/clients registers an OAuth client the consent flow accepts', async () => {
    const client = {
      clientId: 'http-client',
      clientSecret: 's3cret',
      callbackUrls: ['http://127.0.0.1:9/cb'],
    };
    expect(await post('/_sandbox/clients', client)).toMatchObject({
      status: 201,
      body: { clientId: 'http-client' },
    });
    const params = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: 'http-client',
      scope: 'read:jira-work',
      redirect_uri: 'http://127.0.0.1:9/cb',
      state: 's',
      response_type: 'code',
    });
    expect((await fetch(`${sandbox.url}/authorize?${params}`)).status).toBe(200);
    expect(await post('/_sandbox/clients', { ...client, callbackUrls: ['not a url'] })).toMatchObject({
      status: 400,
      body: { message: ADMIN_MESSAGES.invalidClient },
    });
  });

  it('registered clients survive reset; seeded state comes back', async () => {
    sandbox.registerOAuthClient({
      clientId: 'kept',
      clientSecret: 'x',
      callbackUrls: ['http://127.0.0.1:9/cb'],
    });
    sandbox.state.issues.clear();
    const token = userToken(sandbox, DEFAULT_SEED.alice);
    expect((await post('/_sandbox/reset', {})).status).toBe(204);
    expect(sandbox.state.clients.has('kept')).toBe(true);
    expect(sandbox.state.clients.has(DEFAULT_SEED.managedClient.clientId)).toBe(true);
    expect(sandbox.state.issues.size).toBe(6);
    expect(sandbox.tokens.get(token)).toBeUndefined();
  });

  it('POST /_sandbox/faults and /_sandbox/rate-limits switch behaviour over HTTP', async () => {
    const token = userToken(sandbox, DEFAULT_SEED.alice);
    const myself = () =>
      callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, { token });
    expect((await post('/_sandbox/faults', { kind: 'status', status: 502, times: 1 })).status).toBe(204);
    expect((await myself()).status).toBe(502);
    expect((await myself()).status).toBe(200);
    expect(await post('/_sandbox/faults', { kind: 'explode' })).toMatchObject({
      status: 400,
      body: { message: ADMIN_MESSAGES.invalidFault },
    });

    expect((await post('/_sandbox/rate-limits', { hourlyPoints: 100 })).status).toBe(204);
    expect((await myself()).headers.get('x-ratelimit-limit')).toBe('100');
    expect((await post('/_sandbox/rate-limits', null)).status).toBe(204);
    expect((await myself()).headers.get('x-ratelimit-limit')).toBeNull();
    expect(await post('/_sandbox/rate-limits', { perSecond: -1 })).toMatchObject({
      status: 400,
      body: { message: ADMIN_MESSAGES.invalidRateLimits },
    });
  });

  it('GET /_sandbox/stats counts requests per route template', async () => {
    const token = userToken(sandbox, DEFAULT_SEED.alice);
    await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/ENG-1`, { token });
    await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/ENG-2`, { token });
    await callSandbox(sandbox, 'GET', '/oauth/token/accessible-resources', { token });
    const stats = await callSandbox(sandbox, 'GET', '/_sandbox/stats');
    expect(stats.body).toEqual({
      tokenRequests: { authorization_code: 0, refresh_token: 0 },
      requests: 3,
      byRoute: {
        'GET /rest/api/3/issue/{issueIdOrKey}': 2,
        'GET /oauth/token/accessible-resources': 1,
      },
    });
  });

  it('GET /_sandbox shows sites, users, projects, issues, clients and the Forge part', async () => {
    const page = await callSandbox(sandbox, 'GET', '/_sandbox');
    expect(page.status).toBe(200);
    const html = String(page.body);
    for (const id of ['sites', 'users', 'projects', 'issues', 'clients', 'grants', 'forge']) {
      expect(html).toContain(`id="${id}"`);
    }
    for (const text of [
      'acme',
      'Carol Contractor',
      'Engineering',
      'VPN drops every 30 minutes',
      'sandbox-managed-client',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain(sandbox.forge.appId);
  });

  it('mounts the Forge part at the root', async () => {
    const jwks = await callSandbox(sandbox, 'GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect((jwks.body as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });
});

describe('approveAuthorization', () => {
  it('throws the consent error for an invalid request and for an account without access', async () => {
    await expect(
      sandbox.approveAuthorization(`${sandbox.url}/authorize?client_id=nobody`, {
        accountId: DEFAULT_SEED.alice,
        cloudIds: [DEFAULT_SEED.acme],
      }),
    ).rejects.toThrow('Invalid client_id: this app is not registered.');
    const { clientId, callbackUrls } = DEFAULT_SEED.managedClient;
    const params = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: clientId,
      scope: 'read:jira-work',
      redirect_uri: callbackUrls[0],
      response_type: 'code',
    });
    await expect(
      sandbox.approveAuthorization(`${sandbox.url}/authorize?${params}`, {
        accountId: DEFAULT_SEED.bob,
        cloudIds: [DEFAULT_SEED.globex],
      }),
    ).rejects.toThrow('This account has no access to the site globex.');
  });
});
