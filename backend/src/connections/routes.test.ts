import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, ManualClock, type TestContext } from '../../test-support/context';

const SCOPES =
  'read:jira-user read:jira-work write:jira-work manage:jira-project manage:jira-configuration manage:jira-webhook read:servicedesk-request write:servicedesk-request manage:servicedesk-customer offline_access';

describe('connection routes', () => {
  let t: TestContext;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await createTestContext({
      clock,
      env: {
        ATLASSIAN_CLIENT_ID: 'managed-client',
        ATLASSIAN_CLIENT_SECRET: 'managed-secret',
        // Nothing listens here: a valid state gets past the state check and then fails at the code exchange.
        ATLASSIAN_AUTH_URL: 'http://127.0.0.1:9',
        ATLASSIAN_API_URL: 'http://127.0.0.1:9',
      },
    });
  });
  afterAll(() => t.close());

  async function errorOf(response: Response) {
    return ((await response.json()) as { error: { code: string; message: string } }).error;
  }

  describe('managed start', () => {
    it('builds the Atlassian authorize URL with exactly the ten scopes and PKCE', async () => {
      const response = await t.request('/v1/jira/connections/managed/start', {
        method: 'POST',
        json: { subdomain: 'acme' },
      });
      expect(response.status).toBe(200);
      const url = new URL(((await response.json()) as { authorizeUrl: string }).authorizeUrl);
      expect(url.origin + url.pathname).toBe('http://127.0.0.1:9/authorize');
      expect(url.searchParams.get('audience')).toBe('api.atlassian.com');
      expect(url.searchParams.get('client_id')).toBe('managed-client');
      expect(url.searchParams.get('scope')).toBe(SCOPES);
      expect(url.searchParams.get('scope')).not.toMatch(/form/);
      expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/v1/jira/oauth/callback');
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('prompt')).toBe('consent');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    });

    it.each([
      ['', 'Jira subdomain is required'],
      ['acme corp', 'Please enter a valid subdomain (letters, numbers, and hyphens only)'],
      ['-acme', 'Please enter a valid subdomain (letters, numbers, and hyphens only)'],
      ['acme-', 'Please enter a valid subdomain (letters, numbers, and hyphens only)'],
      ['ACME', 'Please enter a valid subdomain (letters, numbers, and hyphens only)'],
      ['acme.atlassian.net', 'Please enter a valid subdomain (letters, numbers, and hyphens only)'],
      [
        'https://acme.atlassian.net/jira/your-work',
        'Please enter a valid subdomain (letters, numbers, and hyphens only)',
      ],
    ])('rejects subdomain %j with the exact message', async (subdomain, message) => {
      const response = await t.request('/v1/jira/connections/managed/start', {
        method: 'POST',
        json: { subdomain },
      });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toBe(message);
    });

    it('says "Failed to initiate Jira OAuth" when the managed app is not configured', async () => {
      // Configuration is read-only once loaded: a backend started without the managed app.
      const unconfigured = await createTestContext();
      try {
        const response = await unconfigured.request('/v1/jira/connections/managed/start', {
          method: 'POST',
          json: { subdomain: 'acme' },
        });
        expect(response.status).toBe(500);
        expect(await errorOf(response)).toMatchObject({
          code: 'oauth_start_failed',
          message: 'Failed to initiate Jira OAuth',
        });
      } finally {
        await unconfigured.close();
      }
    });

    it('needs a team key', async () => {
      const response = await t.request('/v1/jira/connections/managed/start', {
        method: 'POST',
        json: { subdomain: 'acme' },
        key: null,
      });
      expect(response.status).toBe(401);
    });
  });

  describe('custom start', () => {
    const complete = {
      displayName: 'My Company Jira',
      subdomain: 'acme',
      clientId: 'byo-client',
      clientSecret: 'ATOA-byo-secret',
    };

    it.each(['clientId', 'clientSecret', 'subdomain'])(
      'rejects an empty %s with the exact message',
      async (field) => {
        for (const value of ['', undefined]) {
          const response = await t.request('/v1/jira/connections/custom/start', {
            method: 'POST',
            json: { ...complete, [field]: value },
          });
          expect(response.status).toBe(400);
          expect((await errorOf(response)).message).toBe(
            `Failed to initiate custom Jira app: ${field} is required`,
          );
        }
      },
    );

    it("uses the team's own client id and never echoes the secret", async () => {
      const response = await t.request('/v1/jira/connections/custom/start', {
        method: 'POST',
        json: complete,
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(new URL(JSON.parse(text).authorizeUrl).searchParams.get('client_id')).toBe('byo-client');
      expect(text).not.toContain('ATOA-byo-secret');
      const { rows } = await t.services.database.executor.executeSql('select * from oauth_states', []);
      expect(JSON.stringify(rows)).not.toContain('ATOA-byo-secret');
    });

    it('serves the exact callback URL to register', async () => {
      const response = await t.request('/v1/jira/oauth/callback-url');
      expect(await response.json()).toEqual({ callbackUrl: 'http://localhost:3000/v1/jira/oauth/callback' });
    });
  });

  describe('callback state', () => {
    async function startState(key = t.team.key) {
      const response = await t.request('/v1/jira/connections/managed/start', {
        method: 'POST',
        json: { subdomain: 'acme' },
        key,
      });
      return new URL(((await response.json()) as { authorizeUrl: string }).authorizeUrl).searchParams.get(
        'state',
      )!;
    }
    function callback(state: string, headers: Record<string, string> = {}) {
      return t.app.request(`/v1/jira/oauth/callback?code=abc&state=${encodeURIComponent(state)}`, {
        headers: { accept: 'application/json', ...headers },
      });
    }

    it('rejects an unknown state', async () => {
      const response = await callback('made-up');
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({
        code: 'invalid_oauth_state',
        message: 'Invalid or expired OAuth state',
      });
    });

    it('accepts a state once, within 10 minutes, then never again', async () => {
      const state = await startState();
      clock.advance(9 * 60_000 + 59_000);
      const first = await callback(state, { authorization: `Bearer ${t.team.key}` });
      // Past the state check: the (unreachable) Atlassian token endpoint is what fails.
      expect((await errorOf(first)).code).toBe('oauth_callback_failed');
      const replay = await callback(state, { authorization: `Bearer ${t.team.key}` });
      expect(await errorOf(replay)).toMatchObject({
        code: 'invalid_oauth_state',
        message: 'Invalid or expired OAuth state',
      });
    });

    it('rejects a state older than 10 minutes', async () => {
      const state = await startState();
      clock.advance(10 * 60_000 + 1);
      expect(await errorOf(await callback(state))).toMatchObject({
        code: 'invalid_oauth_state',
        message: 'Invalid or expired OAuth state',
      });
    });

    it("rejects another team's state when the browser is signed in as a different team", async () => {
      const other = await t.createTeam('Other team');
      const state = await startState(other.key);
      const login = await t.app.request('/console/login', {
        method: 'POST',
        body: new URLSearchParams({ apiKey: t.team.key }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      expect(await errorOf(await callback(state, { cookie }))).toMatchObject({
        code: 'invalid_oauth_state',
        message: 'Invalid or expired OAuth state',
      });
    });

    it('sends the browser back to the console with the failure code (the console words it) when not asking for JSON', async () => {
      const response = await t.app.request('/v1/jira/oauth/callback?code=abc&state=nope');
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/console/connections?error=invalid_oauth_state');
    });
  });

  describe('connections of a team', () => {
    it('lists, reads, toggles, pre-fills and deletes without ever returning tokens or secrets', async () => {
      const custom = await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'cloud-custom',
        method: 'custom',
        accessToken: 'access-token-custom',
        refreshToken: 'refresh-token-custom',
        clientId: 'byo-client',
        clientSecret: 'ATOA-byo-secret-2',
        siteUrl: 'https://globex.atlassian.net',
      });
      const managed = await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'cloud-managed',
        accessToken: 'access-token-managed',
        refreshToken: 'refresh-token-managed',
      });
      const list = await (await t.request('/v1/jira/connections')).text();
      for (const secret of [
        'access-token-custom',
        'refresh-token-custom',
        'ATOA-byo-secret-2',
        'access-token-managed',
      ]) {
        expect(list).not.toContain(secret);
      }
      expect(JSON.parse(list).connections.map((c: { id: string }) => c.id)).toEqual([custom.id, managed.id]);

      expect(await (await t.request(`/v1/jira/connections/${custom.id}/reconnect`)).json()).toEqual({
        method: 'custom',
        subdomain: 'globex',
        displayName: '',
        clientId: 'byo-client',
      });
      expect(await (await t.request(`/v1/jira/connections/${managed.id}/reconnect`)).json()).toEqual({
        method: 'managed',
        subdomain: 'acme',
      });

      const toggled = await t.request(`/v1/jira/connections/${managed.id}`, {
        method: 'PATCH',
        json: { ticketSyncing: true },
      });
      expect(((await toggled.json()) as { ticketSyncing: boolean }).ticketSyncing).toBe(true);

      expect((await t.request(`/v1/jira/connections/${custom.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await t.request(`/v1/jira/connections/${custom.id}`)).status).toBe(404);
    });

    it("answers 404 for another team's connection on every route", async () => {
      const other = await t.createTeam('Neighbours');
      const theirs = await insertTestConnection(t.services, {
        teamId: other.id,
        cloudId: 'their-cloud',
        accessToken: 'their-token',
      });
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', ''],
        ['DELETE', ''],
        ['PATCH', '', { ticketSyncing: true }],
        ['GET', '/reconnect'],
        ['POST', '/health-checks'],
      ];
      for (const [method, suffix, json] of attempts) {
        const response = await t.request(`/v1/jira/connections/${theirs.id}${suffix}`, { method, json });
        expect(response.status, `${method} ${suffix}`).toBe(404);
        expect((await errorOf(response)).code).toBe('connection_not_found');
      }
      const stillThere = await t.request(`/v1/jira/connections/${theirs.id}`, { key: other.key });
      expect(stillThere.status).toBe(200);
    });

    it('answers 409 before starting over a site the team already connected, unless asked to replace', async () => {
      const team = await t.createTeam('Already connected');
      await insertTestConnection(t.services, {
        teamId: team.id,
        cloudId: 'exists-cloud',
        accessToken: 'x',
        siteUrl: 'https://initech.atlassian.net',
        accountName: 'Alice Admin',
      });
      const custom = { subdomain: 'initech', clientId: 'c', clientSecret: 's' };
      for (const [path, body] of [
        ['/v1/jira/connections/managed/start', { subdomain: 'initech' }],
        ['/v1/jira/connections/custom/start', custom],
      ] as const) {
        const refused = await t.request(path, { method: 'POST', json: body, key: team.key });
        expect(refused.status).toBe(409);
        expect(await errorOf(refused)).toMatchObject({
          code: 'connection_exists',
          message:
            'initech.atlassian.net is already connected (Sign in with Jira, connected as Alice Admin). Connecting again replaces that connection; send "replace": true to do so.',
        });
        const replacing = await t.request(path, {
          method: 'POST',
          json: { ...body, replace: true },
          key: team.key,
        });
        expect(replacing.status).toBe(200);
      }
      // Another site of the same team is not in the way.
      const other = await t.request('/v1/jira/connections/managed/start', {
        method: 'POST',
        json: { subdomain: 'globex' },
        key: team.key,
      });
      expect(other.status).toBe(200);
    });

    it('refuses Ticket Syncing on a bring-your-own connection, with the reason', async () => {
      const custom = await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'byo-sync-cloud',
        method: 'custom',
        accessToken: 'x',
        siteUrl: 'https://byo-sync.atlassian.net',
      });
      const response = await t.request(`/v1/jira/connections/${custom.id}`, {
        method: 'PATCH',
        json: { ticketSyncing: true },
      });
      expect(response.status).toBe(409);
      expect(await errorOf(response)).toMatchObject({
        code: 'ticket_syncing_unavailable',
        message:
          'Ticket Syncing needs a connection made with Sign in with Jira and the Forge app; connections with your own OAuth app are never upgraded by the Forge app. Reconnect with Sign in with Jira to use it.',
      });
      const off = await t.request(`/v1/jira/connections/${custom.id}`, {
        method: 'PATCH',
        json: { ticketSyncing: false },
      });
      expect(off.status).toBe(200);
    });

    it('rejects a bad toggle body with a clear message', async () => {
      const mine = await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'toggle-cloud',
        accessToken: 'x',
      });
      const response = await t.request(`/v1/jira/connections/${mine.id}`, {
        method: 'PATCH',
        json: { ticketSyncing: 'yes' },
      });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({
        code: 'invalid_request',
        message: 'ticketSyncing: Invalid input: expected boolean, received string',
      });
    });
  });
});
