import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED } from '../../test-support/seed';
import { type Sandbox, startSandbox } from '../index';
import { OAUTH_MESSAGES } from './messages';

const client = {
  clientId: 'oauth-test-client',
  clientSecret: 'oauth-test-secret',
  callbackUrls: ['http://127.0.0.1:9/callback'],
  name: 'Test App',
};
const callback = client.callbackUrls[0];
const start = Date.parse('2026-11-20T10:00:00Z');
let nowMs = start;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => nowMs });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  nowMs = start;
  sandbox.reset();
  sandbox.registerOAuthClient(client);
});

function authorizeParams(overrides: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: client.clientId,
    scope: 'read:jira-user read:jira-work offline_access',
    redirect_uri: callback,
    state: 'state-123',
    response_type: 'code',
    prompt: 'consent',
    ...overrides,
  });
}

async function getAuthorize(overrides: Record<string, string> = {}) {
  return fetch(`${sandbox.url}/authorize?${authorizeParams(overrides)}`, { redirect: 'manual' });
}

async function postConsent(form: Record<string, string | string[]>, overrides: Record<string, string> = {}) {
  const body = authorizeParams(overrides);
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return fetch(`${sandbox.url}/authorize`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
}

async function approvedCode(overrides: Record<string, string> = {}, cloudIds = [DEFAULT_SEED.acme]) {
  const redirect = await sandbox.approveAuthorization(
    `${sandbox.url}/authorize?${authorizeParams(overrides)}`,
    {
      accountId: DEFAULT_SEED.alice,
      cloudIds,
    },
  );
  const url = new URL(redirect);
  expect(url.searchParams.get('state')).toBe('state-123');
  return url.searchParams.get('code') ?? '';
}

function token(body: Record<string, string>) {
  return callSandbox(sandbox, 'POST', '/oauth/token', {
    body: { client_id: client.clientId, client_secret: client.clientSecret, ...body },
  });
}

async function exchange(code: string, extra: Record<string, string> = {}) {
  const { status, body } = await token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: callback,
    ...extra,
  });
  return { status, body: body as Record<string, string | number> };
}

async function myselfStatus(accessToken: string): Promise<number> {
  const answer = await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
    token: accessToken,
  });
  return answer.status;
}

const invalidRefresh = { error: 'invalid_grant', error_description: OAUTH_MESSAGES.unknownRefreshToken };

describe('GET /authorize', () => {
  it('shows an error page without redirecting for an unknown client or callback', async () => {
    for (const [overrides, message] of [
      [{ client_id: 'nobody' }, OAUTH_MESSAGES.unknownClient],
      [{ redirect_uri: 'http://127.0.0.1:9/other' }, OAUTH_MESSAGES.redirectUriNotRegistered],
      [{ redirect_uri: `${callback}/` }, OAUTH_MESSAGES.redirectUriNotRegistered],
    ] as const) {
      const response = await getAuthorize(overrides);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain(message);
    }
  });

  it('sends other request errors back to the app with the state', async () => {
    for (const [overrides, error, description] of [
      [{ response_type: 'token' }, 'unsupported_response_type', OAUTH_MESSAGES.unsupportedResponseType],
      [{ audience: 'example.com' }, 'invalid_request', OAUTH_MESSAGES.wrongAudience],
      [
        { scope: 'read:jira-work read:everything' },
        'invalid_scope',
        OAUTH_MESSAGES.unknownScopes(['read:everything']),
      ],
      [{ scope: '' }, 'invalid_scope', OAUTH_MESSAGES.missingScope],
      [
        { code_challenge: 'abc', code_challenge_method: 'plain' },
        'invalid_request',
        OAUTH_MESSAGES.unsupportedChallengeMethod,
      ],
    ] as const) {
      const response = await getAuthorize(overrides);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(callback);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        error,
        error_description: description,
        state: 'state-123',
      });
    }
  });

  it('shows a consent page with the scopes, the accounts and the sites', async () => {
    const response = await getAuthorize();
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Test App is requesting access');
    expect(page).toContain('<select name="accountId"');
    expect(page.match(/<input type="checkbox" name="cloudId"/g)).toHaveLength(2);
    expect(page).toContain(`value="${DEFAULT_SEED.acme}" checked`);
    expect(page).toContain('id="approve"');
    expect(page).toContain('id="deny"');
    for (const scope of ['read:jira-user', 'read:jira-work', 'offline_access']) {
      expect(page).toContain(`data-scope="${scope}"`);
    }
    expect(page).not.toContain(DEFAULT_SEED.appBot);
  });
});

describe('POST /authorize (the consent form)', () => {
  it('Cancel redirects with access_denied and the state', async () => {
    const response = await postConsent({ decision: 'deny', accountId: DEFAULT_SEED.alice });
    const location = new URL(response.headers.get('location') ?? '');
    expect(response.status).toBe(302);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('refuses a site the chosen account cannot use, and no site at all', async () => {
    const wrongSite = await postConsent({
      decision: 'approve',
      accountId: DEFAULT_SEED.bob,
      cloudId: DEFAULT_SEED.globex,
    });
    expect(wrongSite.status).toBe(400);
    expect(await wrongSite.text()).toContain(OAUTH_MESSAGES.siteNotAccessible('globex'));
    const noSite = await postConsent({ decision: 'approve', accountId: DEFAULT_SEED.alice });
    expect(noSite.status).toBe(400);
    expect(await noSite.text()).toContain(OAUTH_MESSAGES.noSiteChosen);
  });

  it('Accept redirects with a code that yields tokens for the chosen account and sites', async () => {
    const response = await postConsent({
      decision: 'approve',
      accountId: DEFAULT_SEED.bob,
      cloudId: DEFAULT_SEED.acme,
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('state-123');
    const { body } = await exchange(location.searchParams.get('code') ?? '');
    const me = await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
      token: String(body.access_token),
    });
    expect((me.body as { accountId: string }).accountId).toBe(DEFAULT_SEED.bob);
    expect(sandbox.state.grants.get(`${client.clientId} ${DEFAULT_SEED.bob}`)?.cloudIds).toEqual([
      DEFAULT_SEED.acme,
    ]);
  });
});

describe('POST /oauth/token: authorization_code', () => {
  it('issues a Bearer pair with the granted scopes, and a refresh token only with offline_access', async () => {
    const withOffline = await exchange(await approvedCode());
    expect(withOffline.status).toBe(200);
    expect(withOffline.body).toMatchObject({
      expires_in: 3600,
      scope: 'read:jira-user read:jira-work offline_access',
      token_type: 'Bearer',
    });
    expect(withOffline.body.refresh_token).toEqual(expect.any(String));
    const withoutOffline = await exchange(await approvedCode({ scope: 'read:jira-user' }));
    expect(withoutOffline.status).toBe(200);
    expect(withoutOffline.body.refresh_token).toBeUndefined();
    expect(sandbox.stats().tokenRequests).toEqual({ authorization_code: 2, refresh_token: 0 });
  });

  it('codes are single-use: a replay fails and revokes what the code produced', async () => {
    const code = await approvedCode();
    const first = await exchange(code);
    expect(await myselfStatus(String(first.body.access_token))).toBe(200);
    const replay = await exchange(code);
    expect(replay).toEqual({
      status: 403,
      body: { error: 'invalid_grant', error_description: OAUTH_MESSAGES.invalidCode },
    });
    expect(await myselfStatus(String(first.body.access_token))).toBe(401);
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expect(refresh.body).toEqual(invalidRefresh);
  });

  it('codes expire after 10 minutes', async () => {
    const code = await approvedCode();
    nowMs += 10 * 60_000 + 1;
    expect((await exchange(code)).body).toEqual({
      error: 'invalid_grant',
      error_description: OAUTH_MESSAGES.invalidCode,
    });
  });

  it('checks the redirect_uri and the client credentials', async () => {
    const code = await approvedCode();
    const mismatch = await exchange(code, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(mismatch).toEqual({
      status: 403,
      body: { error: 'invalid_grant', error_description: OAUTH_MESSAGES.redirectUriMismatch },
    });
    const wrongSecret = await exchange(code, { client_secret: 'wrong' });
    expect(wrongSecret).toEqual({
      status: 401,
      body: { error: 'access_denied', error_description: OAUTH_MESSAGES.clientUnauthorized },
    });
  });

  it('accepts a form body with HTTP Basic client credentials (oauth4webapi style)', async () => {
    const code = await approvedCode();
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
  });

  it('verifies PKCE (S256) when the authorization request carried a challenge', async () => {
    const verifier = 'a-long-enough-code-verifier-for-the-pkce-check-0123456789';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    const missing = await exchange(await approvedCode(pkce));
    expect(missing.body).toEqual({ error: 'invalid_grant', error_description: OAUTH_MESSAGES.pkceFailed });
    const wrong = await exchange(await approvedCode(pkce), { code_verifier: `${verifier}x` });
    expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: OAUTH_MESSAGES.pkceFailed });
    const right = await exchange(await approvedCode(pkce), { code_verifier: verifier });
    expect(right.status).toBe(200);
  });

  it('rejects unknown grant types and missing parameters', async () => {
    expect(await token({ grant_type: 'client_credentials' })).toMatchObject({
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: OAUTH_MESSAGES.unsupportedGrantType('client_credentials'),
      },
    });
    expect(await token({ grant_type: 'authorization_code', redirect_uri: callback })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: OAUTH_MESSAGES.missingParameter('code') },
    });
  });
});

describe('POST /oauth/token: refresh_token rotation', () => {
  async function freshPair() {
    const { body } = await exchange(await approvedCode());
    return { access: String(body.access_token), refresh: String(body.refresh_token) };
  }

  it('rotates: every refresh returns a new refresh token', async () => {
    const pair = await freshPair();
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh });
    expect(rotated.status).toBe(200);
    const body = rotated.body as Record<string, string>;
    expect(body.refresh_token).not.toBe(pair.refresh);
    expect(body.access_token).not.toBe(pair.access);
    expect(await myselfStatus(body.access_token)).toBe(200);
    expect(sandbox.stats().tokenRequests.refresh_token).toBe(1);
  });

  it('a rotated token reused within the grace window gets the same live pair', async () => {
    const pair = await freshPair();
    const rotated = (await token({ grant_type: 'refresh_token', refresh_token: pair.refresh })).body;
    nowMs += 599_000;
    const reused = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh });
    expect(reused.status).toBe(200);
    expect(reused.body).toMatchObject({
      access_token: (rotated as Record<string, string>).access_token,
      refresh_token: (rotated as Record<string, string>).refresh_token,
    });
  });

  it('reuse after the grace window revokes the whole family, access tokens included', async () => {
    const pair = await freshPair();
    const rotated = (await token({ grant_type: 'refresh_token', refresh_token: pair.refresh }))
      .body as Record<string, string>;
    nowMs += 601_000;
    const reused = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh });
    expect(reused).toMatchObject({ status: 403, body: invalidRefresh });
    expect(await myselfStatus(rotated.access_token)).toBe(401);
    expect(await myselfStatus(pair.access)).toBe(401);
    const newest = await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token });
    expect(newest).toMatchObject({ status: 403, body: invalidRefresh });
  });

  it('refuses a refresh token of another client without revoking it', async () => {
    const pair = await freshPair();
    sandbox.registerOAuthClient({ clientId: 'other', clientSecret: 's', callbackUrls: [callback] });
    const stolen = await token({
      grant_type: 'refresh_token',
      refresh_token: pair.refresh,
      client_id: 'other',
      client_secret: 's',
    });
    expect(stolen).toMatchObject({ status: 403, body: invalidRefresh });
    expect((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh })).status).toBe(200);
  });

  it('refresh tokens die after 90 days unused', async () => {
    const pair = await freshPair();
    nowMs += 91 * 86_400_000;
    expect(await token({ grant_type: 'refresh_token', refresh_token: pair.refresh })).toMatchObject({
      status: 403,
      body: invalidRefresh,
    });
  });
});

describe('access tokens', () => {
  it('expire after the configured lifetime', async () => {
    const { body } = await exchange(await approvedCode());
    nowMs += 3599_000;
    expect(await myselfStatus(String(body.access_token))).toBe(200);
    nowMs += 2_000;
    const expired = await callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
      token: String(body.access_token),
    });
    expect([expired.status, expired.body]).toEqual([401, { code: 401, message: 'Unauthorized' }]);
  });

  it('reach every site of the grant: consenting again adds sites', async () => {
    await exchange(await approvedCode());
    const { body } = await exchange(await approvedCode({}, [DEFAULT_SEED.globex]));
    const resources = await callSandbox(sandbox, 'GET', '/oauth/token/accessible-resources', {
      token: String(body.access_token),
    });
    expect(
      (resources.body as Array<{ name: string; scopes: string[] }>).map((r) => [r.name, r.scopes]),
    ).toEqual([
      ['acme', ['read:jira-user', 'read:jira-work']],
      ['globex', ['read:jira-user', 'read:jira-work']],
    ]);
  });
});

describe('startSandbox options', () => {
  it('accessTokenTtlSeconds sets expires_in', async () => {
    const short = await startSandbox({ accessTokenTtlSeconds: 60 });
    try {
      short.registerOAuthClient(client);
      const redirect = await short.approveAuthorization(`${short.url}/authorize?${authorizeParams()}`, {
        accountId: DEFAULT_SEED.alice,
        cloudIds: [DEFAULT_SEED.acme],
      });
      const answer = await callSandbox(short, 'POST', '/oauth/token', {
        body: {
          grant_type: 'authorization_code',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          code: new URL(redirect).searchParams.get('code'),
          redirect_uri: callback,
        },
      });
      expect((answer.body as { expires_in: number }).expires_in).toBe(60);
    } finally {
      await short.close();
    }
  });
});
