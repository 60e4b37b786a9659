/**
 * "A connection whose calls all fail with 401 stays 'Active'": every caller that uses the connection's OAuth
 * token (proxy, sync, workflows) now has its 401s checked against Atlassian (the sandbox), and only a token
 * Atlassian really refuses marks the connection "Needs reconnect". A 401 for a missing scope never does, and
 * many 401s at once cost one check.
 */

import { SECRET_PURPOSE } from '@jira-integration/backend/db/encrypted-columns';
import { auditLog, jiraConnections } from '@jira-integration/backend/db/schema';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { connectMessages, JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { MANAGED_CLIENT, startWorld, type World } from '../support/world';

const PROBE_ROUTE = 'GET /oauth/token/accessible-resources';
const GATEWAY_UNAUTHORIZED = { code: 401, message: 'Unauthorized' };

interface Connection {
  id: string;
  status: string;
  statusReason: string | null;
}

describe.each(testDatabaseKinds())('a token Atlassian refuses, from every caller (%s)', (kind) => {
  let world: World;
  let connection: Connection;

  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  const proxy = (path: string) => api(`/v1/jira/connections/${connection.id}/proxy/${path}`);
  const probes = () => world.sandbox.stats().byRoute[PROBE_ROUTE] ?? 0;

  async function current(): Promise<Connection> {
    return (await (await api(`/v1/jira/connections/${connection.id}`)).json()) as Connection;
  }

  async function auditActions(): Promise<string[]> {
    const rows = await world.backend.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.target, connection.id));
    return rows.map((row) => row.action).filter((action) => action.startsWith('jira.connection.'));
  }

  async function storedAccessToken(): Promise<string> {
    const [row] = await world.backend.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    return world.backend.services.encryptor.decrypt(row.accessTokenEncrypted, SECRET_PURPOSE.accessToken);
  }

  beforeAll(async () => {
    world = await startWorld({ kind });
  });
  afterAll(() => world?.close());

  beforeEach(async () => {
    world.sandbox.reset();
    await world.backend.services.db.delete(jiraConnections);
    const started = await api('/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'acme' },
    });
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await world.sandbox.approveAuthorization(authorizeUrl, {
      accountId: world.seeded.alice.accountId,
      cloudIds: [world.seeded.acme.cloudId],
    });
    const connected = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${world.backend.team.key}` },
    });
    expect(connected.status).toBe(200);
    connection = (await connected.json()) as Connection;
    expect(connection.status).toBe('active');
  });

  /** Alice removes the app from her Atlassian account: its access and refresh tokens stop working. */
  const removeAppAccess = () =>
    world.sandbox.revokeAppAccess({
      clientId: MANAGED_CLIENT.clientId,
      accountId: world.seeded.alice.accountId,
    });

  it('a proxy call gets Atlassian’s 401, and the connection needs reconnect, audited; the next call says so', async () => {
    expect((await proxy('rest/api/3/myself')).status).toBe(200);
    removeAppAccess();
    const refused = await proxy('rest/api/3/myself');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(GATEWAY_UNAUTHORIZED);

    expect(await current()).toMatchObject({
      status: 'needs_reconnect',
      statusReason: connectMessages.reconnectRequired,
    });
    expect(await auditActions()).toEqual(['jira.connection.connected', 'jira.connection.refresh_revoked']);
    // The proxy's cached row is dropped: the next call is refused before it reaches Atlassian.
    const next = await proxy('rest/api/3/myself');
    expect(next.status).toBe(409);
    expect(await next.json()).toMatchObject({
      error: { code: 'reconnect_required', message: connectMessages.reconnectRequired },
    });
  });

  it('a sync call (the site’s sync options) marks it too, and is answered that the site needs reconnecting', async () => {
    removeAppAccess();
    const options = await api(`/v1/jira/connections/${connection.id}/sync-options`);
    expect(options.status).toBe(409);
    expect(await options.json()).toMatchObject({
      error: { code: 'reconnect_required', message: connectMessages.reconnectRequired },
    });
    expect((await current()).status).toBe('needs_reconnect');
    expect(await auditActions()).toEqual(['jira.connection.connected', 'jira.connection.refresh_revoked']);
  });

  it('a workflow step made as the connecting user marks it too', async () => {
    removeAppAccess();
    const started = await api('/v1/workflows/list-jira-projects/runs', {
      method: 'POST',
      json: { connectionId: connection.id, input: {} },
    });
    const { id } = (await started.json()) as { id: string };
    expect((await api(`/v1/workflow-runs/${id}/approve`, { method: 'POST' })).status).toBe(200);
    type Run = { state: string; error: { code: string; message: string } | null };
    let run: Run | undefined;
    await expect
      .poll(async () => {
        run = (await (await api(`/v1/workflow-runs/${id}`)).json()) as Run;
        return run.state;
      })
      .toMatch(/^(succeeded|failed)$/);
    expect(run).toMatchObject({
      state: 'failed',
      error: { code: 'jira_forbidden', message: workflowMessages.jiraFailed(401, 'Unauthorized') },
    });
    expect((await current()).status).toBe('needs_reconnect');
    expect(await auditActions()).toEqual(['jira.connection.connected', 'jira.connection.refresh_revoked']);
  });

  it('a refused access token whose refresh Atlassian still accepts is replaced: the connection stays active', async () => {
    const refusedToken = await storedAccessToken();
    world.sandbox.tokens.revoke(refusedToken);
    const refused = await proxy('rest/api/3/myself');
    expect(refused.status).toBe(401);
    expect(await storedAccessToken()).not.toBe(refusedToken);
    expect((await current()).status).toBe('active');
    expect((await proxy('rest/api/3/myself')).status).toBe(200);
    expect(await auditActions()).toEqual(['jira.connection.connected']);
  });

  it('a 401 for a missing scope leaves it active, and many at once cost one check', async () => {
    // A token Atlassian accepts that lacks read:jira-work, which project search needs.
    const narrow = world.sandbox.issueUserToken({
      clientId: MANAGED_CLIENT.clientId,
      accountId: world.seeded.alice.accountId,
      cloudIds: [world.seeded.acme.cloudId],
      scopes: JIRA_OAUTH_SCOPES.filter((scope) => scope !== 'read:jira-work'),
    });
    await world.backend.services.db
      .update(jiraConnections)
      .set({
        accessTokenEncrypted: world.backend.services.encryptor.encrypt(narrow, SECRET_PURPOSE.accessToken),
      })
      .where(eq(jiraConnections.id, connection.id));
    const before = probes();
    const answers = await Promise.all(Array.from({ length: 20 }, () => proxy('rest/api/3/project/search')));
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });
    }
    expect(probes() - before).toBe(1);
    // Later 401s within the check interval cost none.
    expect((await proxy('rest/api/3/project/search')).status).toBe(401);
    expect(probes() - before).toBe(1);
    expect((await proxy('rest/api/3/myself')).status).toBe(200);
    expect((await current()).status).toBe('active');
    expect(world.sandbox.stats().tokenRequests.refresh_token).toBe(0);
    expect(await auditActions()).toEqual(['jira.connection.connected']);
  });
});
