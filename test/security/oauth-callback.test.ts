/**
 * Attack (login CSRF): team B starts a Sign in with Jira flow and sends the consent link to Bob; Bob approves
 * in a browser with no console session, and team B's connection would act as Bob. The callback completes
 * only in a browser that proves it belongs to the team that started the flow.
 */
import { jiraConnections } from '@jira-integration/backend/db/schema';
import { authMessages, connectMessages } from '@jira-integration/shared';
import { callbackMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { startWorld, type World } from '../support/world';

describe('the OAuth callback completes only for the team that started the flow', () => {
  let world: World;
  const json = { accept: 'application/json' };

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.close());
  beforeEach(async () => {
    world.sandbox.reset();
    await world.backend.services.db.delete(jiraConnections);
  });

  /** Start (as the team's API client or console page) → Bob's consent; the redirect and the start's cookie. */
  async function startAndConsent() {
    const started = await fetchAsTeam(
      world.backend.url,
      world.backend.team.key,
      '/v1/jira/connections/managed/start',
      {
        method: 'POST',
        json: { subdomain: 'acme' },
      },
    );
    const bindingCookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, {
      accountId: world.seeded.bob.accountId,
      cloudIds: [world.seeded.acme.cloudId],
    });
    return { redirect, bindingCookie, setCookie: started.headers.get('set-cookie') ?? '' };
  }

  async function connectionCount() {
    return (await world.backend.services.db.select().from(jiraConnections)).length;
  }

  async function login(apiKey: string, extra: Record<string, string> = {}, origin = world.backend.url) {
    return fetch(`${world.backend.url}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ apiKey, ...extra }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    });
  }

  it('the start sets an HttpOnly, SameSite=Lax binding cookie scoped to the callback', async () => {
    const { setCookie } = await startAndConsent();
    expect(setCookie).toMatch(
      /^oauth_binding=[A-Za-z0-9_-]+; Max-Age=600; Path=\/v1\/jira\/oauth\/callback; HttpOnly; SameSite=Lax$/,
    );
  });

  it('a browser with no proof (Bob’s) is sent to sign in, and nothing is connected', async () => {
    const { redirect } = await startAndConsent();
    const response = await fetch(redirect, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!, world.backend.url);
    expect(location.pathname).toBe('/console/login');
    expect(location.searchParams.get('continue')).toBe(
      `${new URL(redirect).pathname}${new URL(redirect).search}`,
    );
    const page = await fetch(location);
    expect(await page.text()).toContain(callbackMessages.signInToFinish);
    const asJson = await fetch(redirect, { headers: json });
    expect(asJson.status).toBe(401);
    expect(await asJson.json()).toMatchObject({
      error: { code: 'sign_in_required', message: callbackMessages.wrongBrowser },
    });
    expect(await connectionCount()).toBe(0);
  });

  it('the browser holding the binding cookie completes it', async () => {
    const { redirect, bindingCookie } = await startAndConsent();
    const response = await fetch(redirect, { headers: { ...json, cookie: bindingCookie } });
    expect(response.status).toBe(200);
    expect(await connectionCount()).toBe(1);
  });

  it('a forged binding cookie is no proof', async () => {
    const { redirect } = await startAndConsent();
    const response = await fetch(redirect, { headers: { ...json, cookie: 'oauth_binding=guessed' } });
    expect(response.status).toBe(401);
    expect(await connectionCount()).toBe(0);
  });

  it('signing in as the team that started it continues the flow', async () => {
    const { redirect } = await startAndConsent();
    const asked = await fetch(redirect, { redirect: 'manual' });
    const next = new URL(asked.headers.get('location')!, world.backend.url).searchParams.get('continue')!;
    const signedIn = await login(world.backend.team.key, { continue: next });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get('location')).toBe(next);
    const session = (signedIn.headers.get('set-cookie') ?? '').split(';')[0];
    const finished = await fetch(`${world.backend.url}${next}`, {
      redirect: 'manual',
      headers: { cookie: session },
    });
    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toMatch(/^\/console\/connections\?connected=/);
    expect(await connectionCount()).toBe(1);
  });

  it('another team’s session does not complete it', async () => {
    const { createApiKey, createTeam } = await import('@jira-integration/backend/auth/keys');
    const other = await createTeam(world.backend.services.db, 'Other');
    const { key } = await createApiKey(world.backend.services.db, other.id);
    const { redirect } = await startAndConsent();
    const session = ((await login(key)).headers.get('set-cookie') ?? '').split(';')[0];
    const response = await fetch(redirect, { headers: { ...json, cookie: session } });
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_oauth_state', message: connectMessages.invalidOrExpiredState },
    });
    expect(await connectionCount()).toBe(0);
  });

  it('the sign-in page continues only to the callback, never elsewhere', async () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/v1/jira/oauth/callback?x',
      '/console/keys',
    ]) {
      const signedIn = await login(world.backend.team.key, { continue: target });
      expect(signedIn.headers.get('location'), target).toBe('/console/connections');
    }
  });

  it('console login and logout refuse another origin (login CSRF)', async () => {
    const foreign = await login(world.backend.team.key, {}, 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    expect(await foreign.text()).toContain(authMessages.crossSite);

    const session = ((await login(world.backend.team.key)).headers.get('set-cookie') ?? '').split(';')[0];
    const logout = await fetch(`${world.backend.url}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session, origin: 'https://evil.example' },
    });
    expect(logout.status).toBe(403);
    const still = await fetch(`${world.backend.url}/console/connections`, {
      redirect: 'manual',
      headers: { cookie: session },
    });
    expect(still.status).toBe(200);
  });

  it('the error banner shows only the console’s own texts, never the query string’s', async () => {
    const session = ((await login(world.backend.team.key)).headers.get('set-cookie') ?? '').split(';')[0];
    const page = async (query: string) =>
      (
        await (
          await fetch(`${world.backend.url}/console/connections?${query}`, { headers: { cookie: session } })
        ).text()
      ).replaceAll('&#39;', "'");
    const injected = 'Your site was disabled. Call +1 555 0100 to restore it';
    const html = await page(new URLSearchParams({ error: injected }).toString());
    expect(html).not.toContain('Call +1 555');
    expect(html).toContain(connectMessages.callbackFailed);
    expect(await page('error=site_not_found&subdomain=acme')).toContain(connectMessages.siteNotFound('acme'));
    const bad = await page(new URLSearchParams({ error: 'site_not_found', subdomain: 'x<b>y' }).toString());
    expect(bad).not.toContain('x<b>y');
    expect(bad).not.toContain('x&lt;b&gt;y');

    // Atlassian's error_description is free text: the callback never passes it on.
    const denied = await fetch(
      `${world.backend.url}/v1/jira/oauth/callback?error=access_denied&error_description=${encodeURIComponent(injected)}`,
      { redirect: 'manual' },
    );
    expect(denied.headers.get('location')).toBe('/console/connections?error=authorization_denied');
  });
});
