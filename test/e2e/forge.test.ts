import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { SESSION_COOKIE, signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import {
  auditLog,
  forgeEvents,
  forgeInstallations,
  jiraConnections,
} from '@jira-integration/backend/db/schema';
import { getServiceAccountCredentials } from '@jira-integration/backend/forge/credentials';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { createManualScheduler } from '@jira-integration/sandbox/forge/platform';
import { AS_JIRA_USER_HEADER, USE_CONNECT_AUTH_HEADER } from '@jira-integration/shared';
import { forgeConsoleMessages, forgeMessages } from '@jira-integration/shared/forge-messages';
import { adminOverviewSchema, FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { eq } from 'drizzle-orm';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { startWorld, type World } from '../support/world';

interface Connection {
  id: string;
  status?: string;
  method: 'managed' | 'custom';
  cloudId: string;
  forgeUpgradedAt: string | null;
}
interface Team {
  id: string;
  name: string;
  key: string;
}

// The manifest's `fiveMinute`: the manual scheduler moves past it without waiting.
const pushIntervalMs = 300_000;

describe.each(testDatabaseKinds())('the Forge app against the sandbox (%s)', (kind) => {
  let world: World;
  const scheduler = createManualScheduler();
  let acme: { cloudId: string; url: string };
  let globex: { cloudId: string; url: string };
  let alice: { accountId: string };
  let bob: { accountId: string };
  let teams: { one: Team; two: Team; three: Team };
  const connections: Record<string, Connection> = {};

  function api(team: Team, path: string, init: RequestInit & { json?: unknown } = {}) {
    return fetchAsTeam(world.backend.url, team.key, path, init);
  }

  async function connect(
    team: Team,
    start: { path: string; body: unknown },
    accountId: string,
    cloudId: string,
  ) {
    const started = await api(team, start.path, { method: 'POST', json: start.body });
    expect(started.status).toBe(200);
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, {
      accountId,
      cloudIds: [cloudId],
    });
    const response = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${team.key}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Connection;
  }

  async function connectionOf(team: Team, id: string): Promise<Connection> {
    return (await (await api(team, `/v1/jira/connections/${id}`)).json()) as Connection;
  }

  async function makeTeam(name: string, workspaceId?: string): Promise<Team> {
    const team = await createTeam(world.backend.services.db, name, { workspaceId });
    const { key } = await createApiKey(world.backend.services.db, team.id);
    return { ...team, key };
  }

  beforeAll(async () => {
    world = await startWorld({
      kind,
      sandbox: { forge: { credentialPushIntervalMs: pushIntervalMs, scheduler } },
    });
    ({ acme, globex, alice, bob } = world.seeded);
    // Teams one and two are one customer (one workspace): Alice's connection, as a site admin, approves it.
    const one = world.backend.team;
    teams = {
      one,
      two: await makeTeam('Team two', one.workspaceId),
      three: await makeTeam('Team three'),
    };

    connections.one = await connect(
      teams.one,
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      alice.accountId,
      acme.cloudId,
    );
    connections.two = await connect(
      teams.two,
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      bob.accountId,
      acme.cloudId,
    );
    world.sandbox.registerOAuthClient({
      clientId: 'team-three-app',
      clientSecret: 'team-three-secret',
      callbackUrls: [`${world.backend.url}/v1/jira/oauth/callback`],
      distribution: 'custom',
    });
    connections.three = await connect(
      teams.three,
      {
        path: '/v1/jira/connections/custom/start',
        body: { subdomain: 'acme', clientId: 'team-three-app', clientSecret: 'team-three-secret' },
      },
      alice.accountId,
      acme.cloudId,
    );
  });
  afterAll(() => world?.close());

  // Each test starts from the same place, whatever ran before it: the app installed nowhere (so no connection is
  // upgraded) and its deliveries settled. A test that needs the app installs it itself.
  beforeEach(async () => {
    for (const { cloudId } of world.sandbox.forge.installations()) {
      await world.sandbox.forge.uninstall(cloudId);
    }
    await world.sandbox.forge.settled();
  });

  async function installOnAcme() {
    await world.sandbox.forge.install({ cloudId: acme.cloudId, backendUrl: world.backend.url });
    await world.sandbox.forge.settled();
  }

  it('before the app is installed nothing is upgraded', async () => {
    for (const name of ['one', 'two', 'three'] as const) {
      expect((await connectionOf(teams[name], connections[name].id)).forgeUpgradedAt).toBeNull();
    }
  });

  it('installing the app upgrades both managed connections, never the custom one; the token works against Jira', async () => {
    await world.sandbox.forge.install({ cloudId: acme.cloudId, backendUrl: world.backend.url });

    expect((await connectionOf(teams.one, connections.one.id)).forgeUpgradedAt).not.toBeNull();
    expect((await connectionOf(teams.two, connections.two.id)).forgeUpgradedAt).not.toBeNull();
    expect((await connectionOf(teams.three, connections.three.id)).forgeUpgradedAt).toBeNull();

    const { services } = world.backend;
    const [row] = await services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connections.one.id));
    const credentials = await getServiceAccountCredentials(services, row);
    expect(credentials.cloudId).toBe(acme.cloudId);
    const myself = await fetch(`${credentials.apiBaseUrl}/rest/api/3/myself`, {
      headers: { authorization: `Bearer ${credentials.token}`, accept: 'application/json' },
    });
    expect(myself.status).toBe(200);
    expect(world.backend.logs.text()).not.toContain(credentials.token);
  });

  it('a managed connection made after the install is upgraded at once, in the callback’s answer', async () => {
    await installOnAcme();
    const four = await makeTeam('Team four');
    const connection = await connect(
      four,
      { path: '/v1/jira/connections/managed/start', body: { subdomain: 'acme' } },
      alice.accountId,
      acme.cloudId,
    );
    // Gone again after the test: the admin page's list of upgraded connections is the same for every test.
    onTestFinished(async () => {
      const removed = await api(four, `/v1/jira/connections/${connection.id}`, { method: 'DELETE' });
      expect(removed.status).toBe(204);
    });
    expect(connection.forgeUpgradedAt).not.toBeNull();
  });

  it('scheduled pushes keep arriving and keep the credentials fresh', async () => {
    await installOnAcme();
    const lastPush = async () =>
      (
        await world.backend.services.db
          .select()
          .from(forgeInstallations)
          .where(eq(forgeInstallations.cloudId, acme.cloudId))
      )[0]?.lastPushAt?.getTime() ?? 0;
    const pushes = () =>
      world.sandbox.forge
        .deliveries()
        .filter(
          (delivery) =>
            delivery.kind === 'scheduled' && delivery.cloudId === acme.cloudId && delivery.status === 200,
        ).length;
    const before = await lastPush();
    const pushesBefore = pushes();
    for (let interval = 1; interval <= 3; interval++) {
      scheduler.advance(pushIntervalMs);
      await world.sandbox.forge.settled();
      expect(pushes()).toBe(pushesBefore + interval);
    }
    expect(await lastPush()).toBeGreaterThan(before);
    const html = await consolePage(teams.one);
    expect(html).toContain(forgeConsoleMessages.upgraded);
    expect(html).toContain('Last credential push: ');
  });

  it('rejects forged, expired, wrong-audience, wrong-issuer, alg none and HS256 invocation tokens with 401', async () => {
    await installOnAcme();
    const installation = world.sandbox.forge.installations().find((entry) => entry.cloudId === acme.cloudId)!;
    const app = {
      id: world.sandbox.forge.appId,
      installationId: installation.installationId,
      apiBaseUrl: installation.apiBaseUrl,
      installation: { id: installation.installationId, contexts: [{ cloudId: acme.cloudId }] },
    };
    const now = Math.floor(Date.now() / 1000);
    const attacker = await generateKeyPair('RS256');
    const claims = <T extends SignJWT | UnsecuredJWT>(builder: T): T => {
      builder
        .setIssuer('forge/invocation-token')
        .setAudience(world.sandbox.forge.appId)
        .setIssuedAt(now)
        .setExpirationTime(now + 25);
      return builder;
    };
    const bad = {
      forged: await claims(new SignJWT({ app }).setProtectedHeader({ alg: 'RS256' })).sign(
        attacker.privateKey,
      ),
      expired: await world.sandbox.forge.signInvocationToken({ app, iat: now - 120, exp: now - 60 }),
      wrongAudience: await world.sandbox.forge.signInvocationToken({
        app,
        aud: 'ari:cloud:ecosystem::app/someone-else',
      }),
      wrongIssuer: await world.sandbox.forge.signInvocationToken({ app, iss: 'forge/context-token' }),
      algNone: claims(new UnsecuredJWT({ app })).encode(),
      hs256: await claims(new SignJWT({ app }).setProtectedHeader({ alg: 'HS256' })).sign(
        new TextEncoder().encode('guess'),
      ),
    };
    for (const [name, token] of Object.entries(bad)) {
      for (const path of ['/forge/credentials', '/forge/events', '/forge/uninstall']) {
        const response = await fetch(`${world.backend.url}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'x-forge-oauth-system': token,
            'content-type': 'application/json',
          },
          body: '{}',
        });
        expect(response.status, `${name} ${path}`).toBe(401);
        expect(await response.json()).toMatchObject({
          error: { code: 'invalid_invocation_token', message: forgeMessages.invalidInvocationToken },
        });
      }
    }
    // None of them touched anything: acme is still installed and upgraded.
    expect((await connectionOf(teams.one, connections.one.id)).forgeUpgradedAt).not.toBeNull();
  });

  it('Jira events are stored once, queued and processed', async () => {
    await installOnAcme();
    const eventDeliveries = () =>
      world.sandbox.forge.deliveries().filter((delivery) => delivery.kind === 'event').length;
    const deliveredBefore = eventDeliveries();
    const change = {
      eventType: 'avi:jira:updated:issue' as const,
      cloudId: acme.cloudId,
      issue: { id: '777001', key: 'SUP-777', fields: { summary: 'Printer on fire' } },
      actorAccountId: alice.accountId,
      byApp: false,
      timestamp: Date.now(),
    };
    world.sandbox.forge.onJiraChange(change);
    world.sandbox.forge.onJiraChange(change);
    const stored = () =>
      world.backend.services.db.select().from(forgeEvents).where(eq(forgeEvents.issueId, '777001'));
    await world.sandbox.forge.settled();
    expect(eventDeliveries()).toBe(deliveredBefore + 2);
    expect(await stored()).toHaveLength(1);
    // The queue's worker runs on its own.
    await expect.poll(async () => (await stored())[0]?.processedAt ?? null).not.toBeNull();
  });

  it('the issue panel and admin page answer from the token’s site; another site’s token never reads acme', async () => {
    await installOnAcme();
    const panel = await world.sandbox.forge.invokeUi({
      cloudId: acme.cloudId,
      moduleKey: 'sync-status-panel',
      path: FORGE_UI_PATHS.issueStatus,
      method: 'GET',
      accountId: alice.accountId,
      issue: { id: '777001', key: 'SUP-777' },
    });
    expect(panel).toEqual({ status: 200, body: { state: 'not_linked', issueKey: 'SUP-777' } });

    const admin = await world.sandbox.forge.invokeUi({
      cloudId: acme.cloudId,
      moduleKey: 'sync-admin-page',
      path: FORGE_UI_PATHS.adminOverview,
      method: 'GET',
      accountId: alice.accountId,
    });
    const overview = adminOverviewSchema.parse(admin.body);
    expect(overview.credentialsFresh).toBe(true);
    expect(overview.upgradedConnections.map((entry) => entry.teamName).sort()).toEqual([
      teams.one.name,
      'Team two',
    ]);

    await world.sandbox.forge.install({ cloudId: globex.cloudId, backendUrl: world.backend.url });
    const other = await world.sandbox.forge.invokeUi({
      cloudId: globex.cloudId,
      moduleKey: 'sync-status-panel',
      path: FORGE_UI_PATHS.issueStatus,
      method: 'GET',
      accountId: alice.accountId,
      issue: { id: '777001', key: 'SUP-777' },
    });
    expect(other).toMatchObject({
      status: 409,
      body: { error: { code: 'site_not_connected', message: forgeMessages.siteNotConnected } },
    });
    const otherAdmin = adminOverviewSchema.parse(
      (
        await world.sandbox.forge.invokeUi({
          cloudId: globex.cloudId,
          moduleKey: 'sync-admin-page',
          path: FORGE_UI_PATHS.adminOverview,
          method: 'GET',
          accountId: alice.accountId,
        })
      ).body,
    );
    expect(otherAdmin).toMatchObject({
      cloudId: globex.cloudId,
      siteLinked: false,
      upgradedConnections: [],
      sync: [],
    });
  });

  it('the proxy acts as the app or as a chosen user on an upgraded connection; on a custom one the headers change nothing', async () => {
    await installOnAcme();
    // SUP: every seeded user may create issues there (Bob has no permissions on ENG).
    const project = [...world.sandbox.state.projects.values()].find(
      (candidate) => candidate.cloudId === acme.cloudId && candidate.key === 'SUP',
    )!;
    const proxy = (
      team: Team,
      connection: Connection,
      path: string,
      init: RequestInit & { json?: unknown } = {},
    ) => api(team, `/v1/jira/connections/${connection.id}/proxy/${path}`, init);
    /** Creates an issue through the proxy and answers who Jira says created it. */
    const creatorThrough = async (
      team: Team,
      connection: Connection,
      headers: Record<string, string> = {},
    ) => {
      const created = await proxy(team, connection, 'rest/api/3/issue', {
        method: 'POST',
        headers,
        json: {
          fields: {
            project: { key: project.key },
            summary: 'Who am I?',
            issuetype: { id: project.issueTypeIds[0] },
          },
        },
      });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as { key: string };
      const issue = await proxy(team, connection, `rest/api/3/issue/${key}?fields=creator`);
      return ((await issue.json()) as { fields: { creator: { accountId: string; accountType: string } } })
        .fields.creator;
    };
    const asApp = { [USE_CONNECT_AUTH_HEADER]: 'true' };
    const asAlice = { ...asApp, [AS_JIRA_USER_HEADER]: alice.accountId };

    // Team two connected as Bob: Bob by default, the app's own user with the header, Alice when impersonating.
    expect(await creatorThrough(teams.two, connections.two)).toMatchObject({ accountId: bob.accountId });
    const appUser = await creatorThrough(teams.two, connections.two, asApp);
    expect(appUser.accountType).toBe('app');
    expect(await creatorThrough(teams.two, connections.two, asAlice)).toMatchObject({
      accountId: alice.accountId,
      accountType: 'atlassian',
    });
    // An impersonation token holds only the scopes the manifest marks allowImpersonation: read:jira-user
    // (which /myself needs) is the app's alone, so Jira refuses it as it would in production.
    const myself = await proxy(teams.two, connections.two, 'rest/api/3/myself', { headers: asAlice });
    expect(myself.status).toBe(401);

    // Team three's bring-your-own connection (connected as Alice) is never upgraded: its user token is used.
    for (const headers of [asApp, { ...asApp, [AS_JIRA_USER_HEADER]: bob.accountId }]) {
      expect(await creatorThrough(teams.three, connections.three, headers)).toMatchObject({
        accountId: alice.accountId,
      });
    }
  });

  it('an impersonated call Atlassian refuses gets the refusal text; a Forge token’s 401 never marks the connection', async () => {
    await installOnAcme();
    const proxy = (path: string) =>
      api(teams.two, `/v1/jira/connections/${connections.two.id}/proxy/${path}`, {
        headers: { [USE_CONNECT_AUTH_HEADER]: 'true', [AS_JIRA_USER_HEADER]: alice.accountId },
      });
    const refusal = (path: string) => ({
      error: {
        code: 'impersonated_call_refused',
        message: `Jira refused this call made as Jira user ${alice.accountId} (HTTP 401 on /${path}): it does not accept the Forge app's impersonation token here. Some endpoints, such as /rest/api/3/myself, only answer a user's own sign-in: send the call without X-As-Jira-User, or check that the user still has access to the site and the app.`,
      },
    });
    const probes = () => world.sandbox.stats().byRoute['GET /oauth/token/accessible-resources'] ?? 0;
    const probesBefore = probes();
    // Alice may be impersonated: the backend gets (and holds) her token.
    expect((await proxy('rest/api/3/project/search')).status).toBe(200);

    // /myself answers a user's own sign-in only.
    const myself = await proxy('rest/api/3/myself');
    expect(myself.status).toBe(401);
    expect(await myself.json()).toMatchObject(refusal('rest/api/3/myself'));

    // Alice loses access to the app while the backend still holds her token: Atlassian refuses it per call.
    const aliceRecord = world.sandbox.state.users.get(alice.accountId)!;
    aliceRecord.appAccess = false;
    try {
      const search = await proxy('rest/api/3/project/search');
      expect(search.status).toBe(401);
      expect(await search.json()).toMatchObject(refusal('rest/api/3/project/search'));
    } finally {
      aliceRecord.appAccess = true;
    }

    // Those 401s were the Forge app's, not Bob's OAuth grant: no check, and team two's connection stays active.
    expect(probes()).toBe(probesBefore);
    expect(await connectionOf(teams.two, connections.two.id)).toMatchObject({ status: 'active' });
    const audits = await world.backend.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.target, connections.two.id));
    expect(audits.map((row) => row.action)).not.toContain('jira.connection.token_refused');
    expect(audits.map((row) => row.action)).not.toContain('jira.connection.refresh_revoked');
  });

  it('uninstalling downgrades the site’s connections and the console says so', async () => {
    await installOnAcme();
    expect((await connectionOf(teams.two, connections.two.id)).forgeUpgradedAt).not.toBeNull();
    await world.sandbox.forge.uninstall(acme.cloudId);
    expect((await connectionOf(teams.one, connections.one.id)).forgeUpgradedAt).toBeNull();
    expect((await connectionOf(teams.two, connections.two.id)).forgeUpgradedAt).toBeNull();
    const html = await consolePage(teams.two);
    expect(html).toContain('Not upgraded: the Forge app was uninstalled from this site');
    expect(html).not.toContain(`>${forgeConsoleMessages.upgraded}<`);
  });

  async function consolePage(team: Team) {
    const session = await signInWithApiKey(world.backend.services.db, team.key);
    const response = await fetch(`${world.backend.url}/console/tickets`, {
      headers: { cookie: `${SESSION_COOKIE}=${session}` },
    });
    expect(response.status).toBe(200);
    return response.text();
  }
});
