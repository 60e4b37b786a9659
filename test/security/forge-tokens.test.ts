/**
 * Attacks on Forge invocation tokens: a token valid for ten years was accepted, a token issued for one
 * endpoint worked on another, and a captured state-changing call could be replayed.
 */
import { forgeTokenUses } from '@jira-integration/backend/db/schema';
import { MAX_INVOCATION_TOKEN_LIFETIME_SECONDS } from '@jira-integration/backend/forge/verify';
import { type ForgeTestBed, siteA, startForgeTestBed } from '@jira-integration/backend/test-support/forge';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('Forge invocation tokens: lifetime, endpoint, one use', () => {
  let bed: ForgeTestBed;
  let installation: { installationId: string; apiBaseUrl: string };

  beforeAll(async () => {
    bed = await startForgeTestBed('pglite');
    installation = await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
  });
  afterAll(() => bed.close());

  const app = (module?: { type: string; key: string }) => ({
    id: bed.platform.appId,
    installationId: installation.installationId,
    apiBaseUrl: installation.apiBaseUrl,
    installation: { id: installation.installationId, contexts: [{ cloudId: siteA.cloudId }] },
    ...(module ? { module } : {}),
  });
  const systemToken = () =>
    new UnsecuredJWT({}).setExpirationTime(Math.floor(bed.clock.now() / 1000) + 3 * 3600).encode();

  function call(path: string, token: string, method = 'POST') {
    return bed.backend.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-forge-oauth-system': systemToken() },
    });
  }

  async function expectRefused(response: Response) {
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_invocation_token', message: forgeMessages.invalidInvocationToken },
    });
  }

  it('refuses a token living longer than Forge issues them (ten years), accepts Forge’s 25 s', async () => {
    const tenYears = await bed.platform.signInvocationToken(
      { app: app() },
      { expiresInSeconds: 10 * 365 * 86_400 },
    );
    await expectRefused(await call(FORGE_UI_PATHS.adminOverview, tenYears, 'GET'));
    const justOver = await bed.platform.signInvocationToken(
      { app: app() },
      { expiresInSeconds: MAX_INVOCATION_TOKEN_LIFETIME_SECONDS + 1 },
    );
    await expectRefused(await call(FORGE_UI_PATHS.adminOverview, justOver, 'GET'));
    const forges = await bed.platform.signInvocationToken({ app: app() });
    expect((await call(FORGE_UI_PATHS.adminOverview, forges, 'GET')).status).toBe(200);
  });

  it('refuses a token on an endpoint other than the one it was issued for', async () => {
    const panel = await bed.platform.signInvocationToken({
      app: app({ type: 'jira:issuePanel', key: 'sync-status-panel' }),
    });
    await expectRefused(await call(FORGE_UI_PATHS.adminOverview, panel, 'GET'));
    const events = await bed.platform.signInvocationToken({
      app: app({ type: 'core:endpoint', key: 'events-endpoint' }),
    });
    await expectRefused(await call('/forge/uninstall', events));
    const adminPage = await bed.platform.signInvocationToken({
      app: app({ type: 'jira:adminPage', key: 'sync-admin-page' }),
    });
    await expectRefused(await call('/forge/credentials', adminPage));
    // Still installed: none of them got through.
    expect(bed.platform.installations().some((entry) => entry.cloudId === siteA.cloudId)).toBe(true);
    const right = await bed.platform.signInvocationToken({
      app: app({ type: 'jira:adminPage', key: 'sync-admin-page' }),
    });
    expect((await call(FORGE_UI_PATHS.adminOverview, right, 'GET')).status).toBe(200);
  });

  it('refuses a replayed state-changing call, remembered in the database until the token expires', async () => {
    const token = await bed.platform.signInvocationToken({
      app: app({ type: 'core:endpoint', key: 'credentials-endpoint' }),
    });
    const first = await call('/forge/credentials', token);
    expect(first.status).toBe(200);
    await expectRefused(await call('/forge/credentials', token));
    expect((await bed.services.db.select().from(forgeTokenUses)).length).toBeGreaterThan(0);
  });

  it('reads may repeat a token (they change nothing)', async () => {
    const token = await bed.platform.signInvocationToken({ app: app() });
    expect((await call(FORGE_UI_PATHS.adminOverview, token, 'GET')).status).toBe(200);
    expect((await call(FORGE_UI_PATHS.adminOverview, token, 'GET')).status).toBe(200);
  });
});

describe('console security headers', () => {
  let bed: ForgeTestBed;
  beforeAll(async () => {
    bed = await startForgeTestBed('pglite');
  });
  afterAll(() => bed.close());

  it('every page and API answer forbids framing and sniffing, and sends no Referer to other sites', async () => {
    for (const path of [
      '/console/login',
      '/console/connections',
      '/v1/jira/oauth/callback?code=x&state=y',
      '/v1/team',
    ]) {
      const response = await bed.backend.app.request(path);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
    }
  });
});
