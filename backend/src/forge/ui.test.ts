import type { Installation } from '@jira-integration/sandbox/forge/platform';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import {
  adminOverviewSchema,
  FORGE_UI_PATHS,
  issueSyncStatusSchema,
} from '@jira-integration/shared/forge-ui';
import { syncReadinessMessages } from '@jira-integration/shared/sync-messages';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { testDatabaseKinds } from '../../test-support/database';
import { type ForgeTestBed, siteA, siteB, startForgeTestBed } from '../../test-support/forge';
import { insertTestIssueLink } from '../../test-support/sync';
import { forgeEvents, jiraConnections, syncOutbox, tickets } from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { registerForgeJobs } from './jobs';

const issue = { id: '10042', key: 'SUP-42', type: 'Task', typeId: '10001' };

describe.each(testDatabaseKinds())('Forge UI endpoints (%s)', (kind) => {
  let bed: ForgeTestBed;
  let installationA: Installation;
  let managedA1: JiraConnection;
  let managedA2: JiraConnection;

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
    await registerForgeJobs(bed.services);
    const team2 = await bed.backend.createTeam('Team two');
    const team3 = await bed.backend.createTeam('Team three');
    managedA1 = await insertTestConnection(bed.services, {
      teamId: bed.backend.team.id,
      cloudId: siteA.cloudId,
      accessToken: 'a1',
      siteUrl: siteA.url,
    });
    managedA2 = await insertTestConnection(bed.services, {
      teamId: team2.id,
      cloudId: siteA.cloudId,
      accessToken: 'a2',
      siteUrl: siteA.url,
    });
    await insertTestConnection(bed.services, {
      teamId: team3.id,
      cloudId: siteA.cloudId,
      accessToken: 'a3',
      method: 'custom',
      siteUrl: siteA.url,
    });
    await bed.services.db
      .update(jiraConnections)
      .set({ ticketSyncing: true })
      .where(eq(jiraConnections.id, managedA2.id));
    installationA = await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
  });
  afterAll(() => bed.close());

  const invoke = (cloudId: string, path: string, method = 'GET', onIssue: typeof issue | null = issue) =>
    bed.platform.invokeUi({
      cloudId,
      moduleKey: path === FORGE_UI_PATHS.adminOverview ? 'sync-admin-page' : 'sync-status-panel',
      path,
      method,
      accountId: 'acc-alice',
      ...(onIssue ? { issue: onIssue, project: { id: '10000', key: 'SUP' } } : {}),
    });
  const issueNumbered = (n: number) => ({ ...issue, id: String(10000 + n), key: `SUP-${n}` });

  it('issue panel: an issue with no link is not_linked, never a made-up link', async () => {
    const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus);
    expect(answer.status).toBe(200);
    expect(issueSyncStatusSchema.parse(answer.body)).toEqual({ state: 'not_linked', issueKey: 'SUP-42' });
  });

  it('issue panel: refuses a call without an issue in the token', async () => {
    const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus, 'GET', null);
    expect(answer).toMatchObject({
      status: 400,
      body: { error: { code: 'missing_issue_context', message: forgeMessages.missingIssueContext } },
    });
  });

  it('retry re-queues the issue’s latest stored event and answers the status', async () => {
    const [older] = await bed.services.db
      .insert(forgeEvents)
      .values({
        dedupeKey: 'older',
        cloudId: siteA.cloudId,
        installationId: installationA.installationId,
        eventType: 'avi:jira:created:issue',
        issueId: issue.id,
        payload: {},
        receivedAt: new Date(bed.clock.now() - 60_000),
        processedAt: new Date(bed.clock.now() - 60_000),
      })
      .returning();
    const processedEarlier = new Date(bed.clock.now() - 30_000);
    const [latest] = await bed.services.db
      .insert(forgeEvents)
      .values({
        dedupeKey: 'latest',
        cloudId: siteA.cloudId,
        installationId: installationA.installationId,
        eventType: 'avi:jira:updated:issue',
        issueId: issue.id,
        payload: {},
        receivedAt: new Date(bed.clock.now() - 30_000),
        processedAt: processedEarlier,
      })
      .returning();
    const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.retryIssueSync, 'POST');
    expect(answer).toEqual({ status: 200, body: { state: 'not_linked', issueKey: 'SUP-42' } });
    const processedAt = async (id: number) =>
      (await bed.services.db.select().from(forgeEvents).where(eq(forgeEvents.id, id)))[0].processedAt;
    await expect
      .poll(async () => (await processedAt(latest.id))?.getTime() ?? 0)
      .toBeGreaterThan(processedEarlier.getTime());
    expect(await processedAt(older.id)).toEqual(older.processedAt);
  });

  it('issue panel: a linked issue shows its ticket, state, last sync and last error', async () => {
    const linked = issueNumbered(43);
    const lastSyncedAt = new Date(bed.clock.now() - 3600_000);
    await insertTestIssueLink(bed.services, managedA1, {
      issueId: linked.id,
      issueKey: linked.key,
      ticketId: 'TCK-43',
      ticketTitle: 'Printer on fire',
      state: 'error',
      lastSyncedAt,
      lastError: 'Jira answered 403: You do not have permission to edit this issue.',
    });
    const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus, 'GET', linked);
    expect(answer.status).toBe(200);
    expect(issueSyncStatusSchema.parse(answer.body)).toEqual({
      state: 'error',
      issueKey: 'SUP-43',
      ticket: { id: 'TCK-43', title: 'Printer on fire' },
      lastSyncedAt: lastSyncedAt.toISOString(),
      lastError: 'Jira answered 403: You do not have permission to edit this issue.',
    });

    // Retry: the link waits for the sync worker again; the last error stays until a sync succeeds.
    const retried = await invoke(siteA.cloudId, FORGE_UI_PATHS.retryIssueSync, 'POST', linked);
    expect(retried).toEqual({
      status: 200,
      body: { ...(answer.body as object), state: 'pending' },
    });
  });

  it('issue panel: a Jira change for a team without sync settings is stored and processed, the link stays as it was', async () => {
    const linked = issueNumbered(44);
    await insertTestIssueLink(bed.services, managedA2, {
      issueId: linked.id,
      issueKey: linked.key,
      ticketId: 'TCK-44',
      state: 'synced',
      lastSyncedAt: new Date(bed.clock.now()),
    });
    const stateOf = async () =>
      ((await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus, 'GET', linked)).body as { state: string })
        .state;
    expect(await stateOf()).toBe('synced');
    bed.platform.onJiraChange({
      eventType: 'avi:jira:updated:issue',
      cloudId: siteA.cloudId,
      issue: { id: linked.id, key: linked.key, fields: { summary: 'Printer on fire, again' } },
      actorAccountId: 'acc-alice',
      byApp: false,
      timestamp: bed.clock.now(),
    });
    await bed.platform.settled();
    const processed = async () =>
      (await bed.services.db.select().from(forgeEvents).where(eq(forgeEvents.issueId, linked.id))).filter(
        (event) => event.processedAt,
      ).length;
    await expect.poll(processed).toBe(1);
    expect(await stateOf()).toBe('synced');
  });

  it('issue panel: a link to the same issue id on another site is not this issue’s', async () => {
    const team4 = await bed.backend.createTeam('Team four');
    const elsewhere = await insertTestConnection(bed.services, {
      teamId: team4.id,
      cloudId: siteB.cloudId,
      accessToken: 'b4',
      siteUrl: siteB.url,
    });
    const sameId = issueNumbered(45);
    await insertTestIssueLink(bed.services, elsewhere, {
      issueId: sameId.id,
      issueKey: 'GLX-45',
      ticketId: 'TCK-45',
      state: 'synced',
    });
    try {
      const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus, 'GET', sameId);
      expect(answer).toEqual({ status: 200, body: { state: 'not_linked', issueKey: 'SUP-45' } });
    } finally {
      // Site B stays unconnected for the cross-site test below.
      await bed.services.db.delete(jiraConnections).where(eq(jiraConnections.id, elsewhere.id));
    }
  });

  it('admin page: the site’s upgraded connections and their sync settings', async () => {
    const answer = await invoke(siteA.cloudId, FORGE_UI_PATHS.adminOverview);
    expect(answer.status).toBe(200);
    const overview = adminOverviewSchema.parse(answer.body);
    const upgraded = await bed.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.cloudId, siteA.cloudId));
    const upgradedAt = (id: string) => upgraded.find((row) => row.id === id)?.forgeUpgradedAt?.toISOString();
    expect(overview).toEqual({
      siteLinked: true,
      cloudId: siteA.cloudId,
      lastCredentialPushAt: expect.any(String),
      credentialsFresh: true,
      upgradedConnections: [
        { teamName: 'Test team', connectionId: managedA1.id, upgradedAt: upgradedAt(managedA1.id) },
        { teamName: 'Team two', connectionId: managedA2.id, upgradedAt: upgradedAt(managedA2.id) },
      ],
      // Set by the issue-panel tests above: A1 links SUP-43 (error, now pending), A2 links SUP-44.
      sync: [
        {
          connectionId: managedA1.id,
          teamName: 'Test team',
          enabled: false,
          linkedIssues: 1,
          failingIssues: 0,
          queuedChanges: 0,
          notReadyReason: syncReadinessMessages.notReady(syncReadinessMessages.checkEnabled),
        },
        {
          connectionId: managedA2.id,
          teamName: 'Team two',
          enabled: true,
          linkedIssues: 1,
          failingIssues: 0,
          queuedChanges: 0,
          notReadyReason: syncReadinessMessages.notReady(syncReadinessMessages.checkConfigured),
        },
      ],
      // Each team is its own workspace here, both connected by a site admin: both approved at once.
      workspaces: [
        expect.objectContaining({ teamNames: ['Test team'], status: 'approved' }),
        expect.objectContaining({ teamNames: ['Team two'], status: 'approved' }),
      ],
    });
  });

  it('admin page: queued changes count the tickets waiting for this site, per connection', async () => {
    const elsewhere = await insertTestConnection(bed.services, {
      teamId: bed.backend.team.id,
      cloudId: siteB.cloudId,
      accessToken: 'b1',
      siteUrl: siteB.url,
    });
    const now = new Date(bed.clock.now());
    const queue = async (id: string, connectionId: string) => {
      await bed.services.db.insert(tickets).values({
        id,
        teamId: bed.backend.team.id,
        title: id,
        status: 'open',
        priority: 'medium',
        connectionId,
        createdAt: now,
        updatedAt: now,
      });
      await bed.services.db
        .insert(syncOutbox)
        .values({ teamId: bed.backend.team.id, ticketId: id, createdAt: now });
    };
    try {
      await queue('tkt_queued_for_a', managedA1.id);
      await queue('tkt_queued_for_b', elsewhere.id);
      const overview = adminOverviewSchema.parse(
        (await invoke(siteA.cloudId, FORGE_UI_PATHS.adminOverview)).body,
      );
      expect(overview.sync.map((entry) => [entry.teamName, entry.queuedChanges])).toEqual([
        ['Test team', 1],
        ['Team two', 0],
      ]);
    } finally {
      await bed.services.db
        .delete(tickets)
        .where(inArray(tickets.id, ['tkt_queued_for_a', 'tkt_queued_for_b']));
      await bed.services.db.delete(jiraConnections).where(eq(jiraConnections.id, elsewhere.id));
    }
  });

  it('a token for another site never reaches this site’s data', async () => {
    // Site B has the app installed but no team connected it.
    await bed.platform.install({ cloudId: siteB.cloudId, backendUrl: bed.backendUrl });
    const status = await invoke(siteB.cloudId, FORGE_UI_PATHS.issueStatus);
    expect(status).toMatchObject({
      status: 409,
      body: { error: { code: 'site_not_connected', message: forgeMessages.siteNotConnected } },
    });
    const overview = adminOverviewSchema.parse(
      (await invoke(siteB.cloudId, FORGE_UI_PATHS.adminOverview)).body,
    );
    expect(overview).toMatchObject({
      siteLinked: false,
      cloudId: siteB.cloudId,
      upgradedConnections: [],
      sync: [],
    });

    // A token of B's installation that claims site A in its context is refused outright.
    const installationB = bed.platform.installations().find((entry) => entry.cloudId === siteB.cloudId)!;
    const mixed = await bed.platform.signInvocationToken({
      app: {
        id: bed.platform.appId,
        installationId: installationB.installationId,
        apiBaseUrl: installationB.apiBaseUrl,
        installation: { id: installationB.installationId, contexts: [{ cloudId: siteB.cloudId }] },
      },
      context: { cloudId: siteA.cloudId, extension: { issue } },
    });
    const response = await bed.backend.app.request(FORGE_UI_PATHS.issueStatus, {
      headers: { authorization: `Bearer ${mixed}` },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'forge_site_mismatch', message: forgeMessages.siteMismatch },
    });

    // A token naming A's site but an installation we do not know is not A's.
    const unknownInstallation = await bed.platform.signInvocationToken({
      app: {
        id: bed.platform.appId,
        installationId: 'ari:cloud:ecosystem::installation/unknown',
        apiBaseUrl: installationA.apiBaseUrl,
      },
      context: { cloudId: siteA.cloudId, extension: { issue } },
    });
    const refused = await bed.backend.app.request(FORGE_UI_PATHS.adminOverview, {
      headers: { authorization: `Bearer ${unknownInstallation}` },
    });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({
      error: { code: 'forge_not_installed', message: forgeMessages.notInstalled },
    });
  });

  it('stale credentials: the panel says so and the admin page shows nothing upgraded', async () => {
    bed.clock.offsetMs += 5 * 3600_000;
    try {
      const status = await invoke(siteA.cloudId, FORGE_UI_PATHS.issueStatus);
      expect(status.status).toBe(409);
      expect((status.body as { error: { code: string } }).error.code).toBe('forge_credentials_stale');
      const overview = adminOverviewSchema.parse(
        (await invoke(siteA.cloudId, FORGE_UI_PATHS.adminOverview)).body,
      );
      expect(overview).toMatchObject({ siteLinked: true, credentialsFresh: false, upgradedConnections: [] });
    } finally {
      bed.clock.offsetMs = 0;
    }
  });
});
