/**
 * Attack: team B (another customer) connects acme as Bob, who cannot browse ENG, and uses the Forge app's
 * service account (`X-Use-Connect-Auth`) or impersonation (`X-As-Jira-User: <Alice>`) to act as anyone on
 * the site. Only workspaces a Jira admin of the site approved may; a site admin's connection approves its
 * own workspace at once.
 */
import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { SESSION_COOKIE, signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import { AS_JIRA_USER_HEADER, USE_CONNECT_AUTH_HEADER } from '@jira-integration/shared';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { startWorld, type World } from '../support/world';

interface Team {
  id: string;
  key: string;
  workspaceId: string;
}

describe('workspaces: the Forge app acts only for customers a Jira admin approved', () => {
  let world: World;
  let teamA: Team;
  let teamB: Team;
  const connectionIds: Record<'a' | 'b', string> = { a: '', b: '' };

  async function connect(team: Team, accountId: string): Promise<string> {
    const started = await fetchAsTeam(world.backend.url, team.key, '/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'acme' },
    });
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, {
      accountId,
      cloudIds: [world.seeded.acme.cloudId],
    });
    const response = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${team.key}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  }

  function proxy(team: Team, connectionId: string, path: string, headers: Record<string, string> = {}) {
    return fetchAsTeam(world.backend.url, team.key, `/v1/jira/connections/${connectionId}/proxy/${path}`, {
      headers,
    });
  }

  function adminCall(accountId: string, body?: unknown) {
    return world.sandbox.forge.invokeUi({
      cloudId: world.seeded.acme.cloudId,
      moduleKey: 'sync-admin-page',
      path: body ? FORGE_UI_PATHS.workspaceDecision : FORGE_UI_PATHS.adminOverview,
      method: body ? 'POST' : 'GET',
      body,
      accountId,
    });
  }

  /**
   * The proxy keeps connection rows for 5 s (proxy/hot-cache.ts, by Date.now): an approval shows after that.
   * Only Date is faked, so nothing waits.
   */
  function passProxyConnectionCache() {
    vi.setSystemTime(new Date(Date.now() + 6_000));
  }

  const asApp = { [USE_CONNECT_AUTH_HEADER]: 'true' };
  const asAlice = () => ({ ...asApp, [AS_JIRA_USER_HEADER]: world.seeded.alice.accountId });

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    world = await startWorld();
    teamA = world.backend.team;
    const b = await createTeam(world.backend.services.db, 'Team B');
    teamB = { ...b, key: (await createApiKey(world.backend.services.db, b.id)).key };
    connectionIds.a = await connect(teamA, world.seeded.alice.accountId);
    connectionIds.b = await connect(teamB, world.seeded.bob.accountId);
    await world.sandbox.forge.install({ cloudId: world.seeded.acme.cloudId, backendUrl: world.backend.url });
  });
  afterAll(async () => {
    await world?.close();
    vi.useRealTimers();
  });

  it('the sandbox tells a site admin from anyone else (mypermissions, Jira’s shape)', async () => {
    // Bob's own OAuth token, through team B's connection (no service-account header).
    const bob = await proxy(teamB, connectionIds.b, 'rest/api/3/mypermissions?permissions=ADMINISTER');
    expect(await bob.json()).toMatchObject({
      permissions: { ADMINISTER: { key: 'ADMINISTER', type: 'GLOBAL', havePermission: false } },
    });
    const alice = await proxy(teamA, connectionIds.a, 'rest/api/3/mypermissions?permissions=ADMINISTER');
    expect(await alice.json()).toMatchObject({
      permissions: { ADMINISTER: { key: 'ADMINISTER', type: 'GLOBAL', havePermission: true } },
    });
  });

  it('a site admin’s workspace is approved at once: team A reads ENG as the app and acts as Alice', async () => {
    expect((await proxy(teamA, connectionIds.a, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(200);
    expect((await proxy(teamA, connectionIds.a, 'rest/api/3/issue/ENG-1', asAlice())).status).toBe(200);
  });

  it('team B (another customer, connected as Bob) cannot read ENG as the app nor impersonate Alice', async () => {
    const asTheApp = await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp);
    expect(asTheApp.status).toBe(404);
    // The headers are ignored: the call runs as Bob, whom Jira does not let see ENG.
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asAlice())).status).toBe(404);
    const me = await proxy(teamB, connectionIds.b, 'rest/api/3/myself', asAlice());
    expect(((await me.json()) as { accountId: string }).accountId).toBe(world.seeded.bob.accountId);
    const connection = await fetchAsTeam(
      world.backend.url,
      teamB.key,
      `/v1/jira/connections/${connectionIds.b}`,
    );
    expect(((await connection.json()) as { forgeUpgradedAt: string | null }).forgeUpgradedAt).toBeNull();
  });

  it('a credential push does not upgrade a workspace that waits', async () => {
    await world.sandbox.forge.pushCredentialsNow(world.seeded.acme.cloudId);
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(404);
  });

  it('the console and the admin page show team B’s workspace as waiting', async () => {
    const session = await signInWithApiKey(world.backend.services.db, teamB.key);
    const page = await fetch(`${world.backend.url}/console/connections`, {
      headers: { cookie: `${SESSION_COOKIE}=${session}` },
    });
    const html = await page.text();
    expect(html).toContain('data-approval="pending"');
    expect(html).toContain(workspaceMessages.pending);

    const overview = await adminCall(world.seeded.alice.accountId);
    expect(overview.status).toBe(200);
    const workspaces = (overview.body as { workspaces: Array<{ workspaceId: string; status: string }> })
      .workspaces;
    expect(workspaces).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workspaceId: teamA.workspaceId, status: 'approved' }),
        expect.objectContaining({ workspaceId: teamB.workspaceId, status: 'pending' }),
      ]),
    );
  });

  it('someone who is not a Jira admin cannot approve, even through the admin page’s endpoint', async () => {
    const answer = await adminCall(world.seeded.bob.accountId, {
      workspaceId: teamB.workspaceId,
      decision: 'approved',
    });
    expect(answer).toMatchObject({
      status: 403,
      body: { error: { code: 'not_jira_admin', message: workspaceMessages.notAdmin } },
    });
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(404);
  });

  it('after a Jira admin approves team B’s workspace, it can; after a revoke, it cannot again', async () => {
    const approved = await adminCall(world.seeded.alice.accountId, {
      workspaceId: teamB.workspaceId,
      decision: 'approved',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      workspaceId: teamB.workspaceId,
      status: 'approved',
      decidedBy: world.seeded.alice.accountId,
    });
    passProxyConnectionCache();
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(200);
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asAlice())).status).toBe(200);

    const revoked = await adminCall(world.seeded.alice.accountId, {
      workspaceId: teamB.workspaceId,
      decision: 'revoked',
    });
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    passProxyConnectionCache();
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(404);
    // A later push does not bring it back.
    await world.sandbox.forge.pushCredentialsNow(world.seeded.acme.cloudId);
    expect((await proxy(teamB, connectionIds.b, 'rest/api/3/issue/ENG-1', asApp)).status).toBe(404);
  });

  it('a workspace that never asked for the site is a 404', async () => {
    const answer = await adminCall(world.seeded.alice.accountId, {
      workspaceId: 'no-such-workspace',
      decision: 'approved',
    });
    expect(answer).toMatchObject({
      status: 404,
      body: { error: { code: 'workspace_not_found', message: workspaceMessages.notFound } },
    });
  });
});
