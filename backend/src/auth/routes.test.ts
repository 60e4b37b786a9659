import { authMessages } from '@jira-integration/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test-support/context';

describe('team authentication', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('answers 401 in the error shape without a key', async () => {
    const response = await t.request('/v1/team', { key: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'unauthorized', message: authMessages.unauthorized },
    });
  });

  it('answers 401 for an unknown key, a malformed header and a revoked-looking key', async () => {
    for (const authorization of [
      'Bearer jik_not-a-real-key',
      'Basic Zm9vOmJhcg==',
      'Bearer',
      `Bearer ${t.team.key}x`,
    ]) {
      const response = await t.app.request('/v1/team', { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('resolves the key to its own team only', async () => {
    const other = await t.createTeam('Other team');
    const mine = await (await t.request('/v1/team')).json();
    const theirs = await (await t.request('/v1/team', { key: other.key })).json();
    expect(mine).toEqual({ id: t.team.id, name: 'Test team', workspaceId: expect.any(String) });
    expect(theirs).toEqual({ id: other.id, name: 'Other team', workspaceId: other.workspaceId });
    // A team created without a workspace is a customer of its own.
    expect(theirs.workspaceId).not.toBe(mine.workspaceId);
  });

  it('stores keys hashed, never in the clear', async () => {
    const rows = await t.services.database.executor.executeSql('select hash, prefix from api_keys', []);
    const stored = JSON.stringify(rows.rows);
    expect(stored).not.toContain(t.team.key);
    expect(stored).toContain(t.team.key.slice(0, 10));
  });
});

describe('console session', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  function login(apiKey: string) {
    return t.app.request('/console/login', {
      method: 'POST',
      body: new URLSearchParams({ apiKey }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    });
  }

  it('sends visitors without a session to the login page', async () => {
    const response = await t.app.request('/console/connections');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/console/login');
  });

  it('refuses a wrong key with a clear message', async () => {
    const response = await login('jik_wrong');
    expect(response.status).toBe(401);
    expect(await response.text()).toContain(authMessages.consoleLoginFailed);
  });

  it('signs in with the team key, then serves the console and the API with the cookie', async () => {
    const response = await login(t.team.key);
    expect(response.status).toBe(302);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/console_session=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax/);
    const session = cookie.split(';')[0];
    const page = await t.app.request('/console/connections', { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Connections');
    const api = await t.app.request('/v1/team', { headers: { cookie: session } });
    expect(await api.json()).toMatchObject({ id: t.team.id });
  });

  it('refuses cookie-authenticated writes from another origin', async () => {
    const session = ((await login(t.team.key)).headers.get('set-cookie') ?? '').split(';')[0];
    const response = await t.app.request('/v1/team', {
      method: 'POST',
      headers: { cookie: session, origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'forbidden', message: authMessages.crossSite },
    });
  });
});
