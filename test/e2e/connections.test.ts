import { jiraConnections } from '@jira-integration/backend/db/schema';
import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { startWorld, type World } from '../support/world';

interface Connection {
  id: string;
  method: string;
  cloudId: string;
  siteUrl: string;
  status: string;
  statusReason: string | null;
  connectedAs: { accountId: string; displayName: string | null };
  scopes: string[];
}

describe('Jira connections against the sandbox', () => {
  let world: World;
  let acme: { cloudId: string };
  let globex: { cloudId: string };
  let alice: { accountId: string };
  let bob: { accountId: string };

  beforeAll(async () => {
    world = await startWorld({ sandbox: { refreshReuseGraceSeconds: 0 } });
    ({ acme, globex, alice, bob } = world.seeded);
  });
  afterAll(() => world?.close());
  beforeEach(async () => {
    // Atlassian keeps one grant per (app, account) that grows with each consent: start every test from the seed.
    world.sandbox.reset();
    await world.backend.services.db.delete(jiraConnections);
  });

  function api(path: string, init: RequestInit & { json?: unknown } = {}) {
    return fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  }

  /** Start → consent (as the given user, for the given sites) → callback; returns the callback's JSON answer. */
  async function connect(
    start: { path: string; body: unknown },
    choice: { accountId: string; cloudIds: string[] },
  ) {
    const started = await api(start.path, { method: 'POST', json: start.body });
    expect(started.status).toBe(200);
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, choice);
    expect(redirect.startsWith(`${world.backend.url}/v1/jira/oauth/callback?`)).toBe(true);
    const response = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${world.backend.team.key}` },
    });
    return {
      status: response.status,
      body: (await response.json()) as Connection & { error?: { message: string } },
    };
  }

  it('connects with Sign in with Jira, binds the site, stores encrypted tokens and passes the health checks', async () => {
    const { status, body } = await connect(
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      { accountId: alice.accountId, cloudIds: [acme.cloudId, globex.cloudId] },
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      method: 'managed',
      cloudId: acme.cloudId,
      siteUrl: 'https://acme.atlassian.net',
      status: 'active',
      connectedAs: { accountId: alice.accountId, displayName: 'Alice Admin' },
    });
    expect([...body.scopes].sort()).toEqual([...JIRA_OAUTH_SCOPES].sort());

    const [row] = await world.backend.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, body.id));
    expect(row.accessTokenEncrypted.startsWith('v1.')).toBe(true);
    expect(row.refreshTokenEncrypted?.startsWith('v1.')).toBe(true);

    const checks = await api(`/v1/jira/connections/${body.id}/health-checks`, { method: 'POST' });
    const { results } = (await checks.json()) as {
      results: Array<{ name: string; ok: boolean; message: string }>;
    };
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['Test Jira Connection', true],
      ['List Jira Projects', true],
      ['Search Jira Issues', true],
    ]);
    expect(results[0].message).toBe('Successfully authenticated with Jira as Alice Admin');
    expect(results[1].message).toMatch(/^Successfully listed projects from Jira \(sample size: [1-9]\d*\)$/);
    expect(results[2].message).toMatch(/^Successfully searched issues in Jira \(found: \d+\)$/);
  });

  it('connecting a site the team already connected answers 409 saying what exists, and replaces nothing', async () => {
    const first = await connect(
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      { accountId: alice.accountId, cloudIds: [acme.cloudId] },
    );
    const [before] = await world.backend.services.db.select().from(jiraConnections);
    const exists =
      'acme.atlassian.net is already connected (Sign in with Jira, connected as Alice Admin). Connecting again replaces that connection; send "replace": true to do so.';
    for (const start of [
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      {
        path: '/v1/jira/connections/custom/start',
        body: { subdomain: 'acme', clientId: 'some-app', clientSecret: 'some-secret' },
      },
    ]) {
      const refused = await api(start.path, { method: 'POST', json: start.body });
      expect(refused.status).toBe(409);
      expect(await refused.json()).toMatchObject({ error: { code: 'connection_exists', message: exists } });
    }
    // Without a subdomain the site is known only after consent: the callback refuses then.
    const late = await connect(
      { path: '/v1/jira/connections/managed/start', body: {} },
      { accountId: bob.accountId, cloudIds: [acme.cloudId] },
    );
    expect(late.status).toBe(409);
    expect(late.body.error?.message).toBe(exists);
    const [after] = await world.backend.services.db.select().from(jiraConnections);
    expect(after).toEqual(before);
    expect(first.body.connectedAs.displayName).toBe('Alice Admin');
  });

  it('reconnecting the same site with replace: true replaces the tokens instead of adding a connection', async () => {
    const first = await connect(
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      { accountId: alice.accountId, cloudIds: [acme.cloudId] },
    );
    const [before] = await world.backend.services.db.select().from(jiraConnections);
    const second = await connect(
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme', replace: true } },
      { accountId: bob.accountId, cloudIds: [acme.cloudId] },
    );
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.connectedAs.displayName).toBe('Bob Builder');
    const rows = await world.backend.services.db.select().from(jiraConnections);
    expect(rows).toHaveLength(1);
    expect(rows[0].accessTokenEncrypted).not.toBe(before.accessTokenEncrypted);
  });

  it('fails with the exact message when the subdomain was not authorized', async () => {
    const { status, body } = await connect(
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'globex' } },
      { accountId: alice.accountId, cloudIds: [acme.cloudId] },
    );
    expect(status).toBe(400);
    expect(body.error?.message).toBe(
      'target Jira site ‘globex.atlassian.net’ not found in accessible resources. Please ensure you have access to this site and selected it during authorization',
    );
  });

  it('asks for a subdomain when several sites were authorized without one', async () => {
    const { status, body } = await connect(
      { path: '/v1/jira/connections/managed/start', body: {} },
      { accountId: alice.accountId, cloudIds: [acme.cloudId, globex.cloudId] },
    );
    expect(status).toBe(400);
    expect(body.error?.message).toBe(
      'multiple Jira sites found (2). Please specify which site to connect by providing the subdomain',
    );
  });

  it('binds the only authorized site when no subdomain was given', async () => {
    const { status, body } = await connect(
      { path: '/v1/jira/connections/managed/start', body: {} },
      { accountId: alice.accountId, cloudIds: [globex.cloudId] },
    );
    expect(status).toBe(200);
    expect(body.cloudId).toBe(globex.cloudId);
  });

  it('a failing Forge upgrade on connect still leaves the connection made (the next push upgrades it)', async () => {
    const { db } = world.backend.services;
    // The upgrade reads the site's Forge installation; without its table that read fails.
    await db.execute(sql`alter table forge_installations rename to forge_installations_away`);
    try {
      const { status, body } = await connect(
        { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
        { accountId: alice.accountId, cloudIds: [acme.cloudId] },
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ cloudId: acme.cloudId, status: 'active', forgeUpgradedAt: null });
      const [row] = await db.select().from(jiraConnections).where(eq(jiraConnections.id, body.id));
      expect(row.cloudId).toBe(acme.cloudId);
      expect(world.backend.logs.text()).toContain('upgrade on connect failed; next push retries');
    } finally {
      await db.execute(sql`alter table forge_installations_away rename to forge_installations`);
    }
  });

  it('connects with a bring-your-own app; the secret never appears in answers or logs', async () => {
    const secret = 'ATOA-byo-secret-for-e2e-0123456789';
    world.sandbox.registerOAuthClient({
      clientId: 'byo-e2e-client',
      clientSecret: secret,
      callbackUrls: [`${world.backend.url}/v1/jira/oauth/callback`],
      distribution: 'custom',
    });
    const { status, body } = await connect(
      {
        path: '/v1/jira/connections/custom/start',
        body: {
          displayName: 'My Company Jira',
          subdomain: 'acme',
          clientId: 'byo-e2e-client',
          clientSecret: secret,
        },
      },
      { accountId: alice.accountId, cloudIds: [acme.cloudId] },
    );
    expect(status).toBe(200);
    expect(body.method).toBe('custom');
    const prefill = await (await api(`/v1/jira/connections/${body.id}/reconnect`)).json();
    expect(prefill).toEqual({
      method: 'custom',
      subdomain: 'acme',
      displayName: 'My Company Jira',
      clientId: 'byo-e2e-client',
    });
    const everything = [
      JSON.stringify(body),
      JSON.stringify(prefill),
      await (await api('/v1/jira/connections')).text(),
      await (await api(`/v1/jira/connections/${body.id}`)).text(),
      world.backend.logs.text(),
    ].join('\n');
    expect(everything).not.toContain(secret);
  });

  it('says Atlassian rejected the client id or secret, and where to find them, without creating a connection', async () => {
    world.sandbox.registerOAuthClient({
      clientId: 'byo-wrong-secret',
      clientSecret: 'the-real-secret',
      callbackUrls: [`${world.backend.url}/v1/jira/oauth/callback`],
    });
    const { status, body } = await connect(
      {
        path: '/v1/jira/connections/custom/start',
        body: { subdomain: 'acme', clientId: 'byo-wrong-secret', clientSecret: 'not-the-secret' },
      },
      { accountId: alice.accountId, cloudIds: [acme.cloudId] },
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'oauth_client_rejected',
      message:
        "Atlassian rejected the client ID or secret. Copy both again from the Settings page of your OAuth 2.0 (3LO) integration in Atlassian's developer console (developer.atlassian.com/console/myapps); click Show to reveal the secret.",
    });
    expect(await world.backend.services.db.select().from(jiraConnections)).toHaveLength(0);
  });

  describe('token refresh', () => {
    async function connectedAcme() {
      const { body } = await connect(
        { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
        { accountId: alice.accountId, cloudIds: [acme.cloudId] },
      );
      return body;
    }
    async function expireSoon(id: string, msFromNow: number) {
      await world.backend.services.db
        .update(jiraConnections)
        .set({ accessTokenExpiresAt: new Date(Date.now() + msFromNow) })
        .where(eq(jiraConnections.id, id));
    }

    it('refreshes once when under 5 minutes remain, not before', async () => {
      const connection = await connectedAcme();
      const before = world.sandbox.stats().tokenRequests.refresh_token;
      await expireSoon(connection.id, 6 * 60_000);
      await api(`/v1/jira/connections/${connection.id}/health-checks`, { method: 'POST' });
      expect(world.sandbox.stats().tokenRequests.refresh_token).toBe(before);
      await expireSoon(connection.id, 4 * 60_000);
      const checks = await api(`/v1/jira/connections/${connection.id}/health-checks`, { method: 'POST' });
      const { results } = (await checks.json()) as { results: Array<{ ok: boolean }> };
      expect(results.every((r) => r.ok)).toBe(true);
      expect(world.sandbox.stats().tokenRequests.refresh_token).toBe(before + 1);
    });

    it('marks the connection as needing reconnect when Atlassian revoked the refresh family', async () => {
      const connection = await connectedAcme();
      const [row] = await world.backend.services.db
        .select()
        .from(jiraConnections)
        .where(eq(jiraConnections.id, connection.id));
      // Two refreshes with the same token: the second one is a reuse past the (zero) grace window.
      await expireSoon(connection.id, 60_000);
      await api(`/v1/jira/connections/${connection.id}/health-checks`, { method: 'POST' });
      await world.backend.services.db
        .update(jiraConnections)
        .set({
          refreshTokenEncrypted: row.refreshTokenEncrypted,
          accessTokenExpiresAt: new Date(Date.now() + 60_000),
        })
        .where(eq(jiraConnections.id, connection.id));
      const checks = await api(`/v1/jira/connections/${connection.id}/health-checks`, { method: 'POST' });
      const { results } = (await checks.json()) as { results: Array<{ ok: boolean; message: string }> };
      expect(results[0]).toMatchObject({
        ok: false,
        message:
          'Unable to authenticate with Jira. Please verify your API credentials and permissions are correct.',
      });
      const after = (await (await api(`/v1/jira/connections/${connection.id}`)).json()) as Connection;
      expect(after.status).toBe('needs_reconnect');
      expect(after.statusReason).toMatch(/Reconnect/);
    });
  });
});
