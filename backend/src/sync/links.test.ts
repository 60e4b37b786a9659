import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, ManualClock, type TestContext } from '../../test-support/context';
import { testDatabaseKinds } from '../../test-support/database';
import { insertTestIssueLink } from '../../test-support/sync';
import { issueSyncLinks, jiraConnections } from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { countLinksByConnection, findIssueLink, markIssueLinksPending } from './links';

describe.each(testDatabaseKinds())('issue sync links (%s)', (kind) => {
  let t: TestContext;
  const clock = new ManualClock();
  let teamOne: JiraConnection;
  let teamTwo: JiraConnection;
  let otherSite: JiraConnection;

  beforeAll(async () => {
    t = await createTestContext({ kind, clock });
    const second = await t.createTeam('Second team');
    teamOne = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'site-a',
      accessToken: 'a',
    });
    teamTwo = await insertTestConnection(t.services, {
      teamId: second.id,
      cloudId: 'site-a',
      accessToken: 'b',
    });
    otherSite = await insertTestConnection(t.services, {
      teamId: second.id,
      cloudId: 'site-b',
      accessToken: 'c',
      siteUrl: 'https://globex.atlassian.net',
    });
  });
  afterAll(() => t.close());

  it('an issue without a link has none, and one link per connection is allowed', async () => {
    expect(await findIssueLink(t.services, 'site-a', '500')).toBeNull();
    await insertTestIssueLink(t.services, teamOne, {
      issueId: '500',
      issueKey: 'SUP-500',
      ticketId: 'T-1',
      state: 'synced',
    });
    await expect(
      insertTestIssueLink(t.services, teamOne, {
        issueId: '500',
        issueKey: 'SUP-500',
        ticketId: 'T-2',
        state: 'synced',
      }),
    ).rejects.toThrow();
    await expect(
      insertTestIssueLink(t.services, teamOne, {
        issueId: '501',
        issueKey: 'SUP-501',
        ticketId: 'T-1',
        state: 'synced',
      }),
    ).rejects.toThrow();
  });

  it('shows the link that needs attention first, whichever team it belongs to', async () => {
    const earlier = new Date(clock.now().getTime() - 60_000);
    await insertTestIssueLink(t.services, teamOne, {
      issueId: '600',
      issueKey: 'SUP-600',
      ticketId: 'T-600',
      state: 'error',
      lastError: 'Jira answered 403',
      updatedAt: earlier,
    });
    await insertTestIssueLink(t.services, teamTwo, {
      issueId: '600',
      issueKey: 'SUP-600',
      ticketId: 'T-601',
      state: 'synced',
      lastSyncedAt: clock.now(),
    });
    expect(await findIssueLink(t.services, 'site-a', '600')).toMatchObject({
      connectionId: teamOne.id,
      state: 'error',
      lastError: 'Jira answered 403',
    });
  });

  it('counts linked and failing issues per connection of a site', async () => {
    const counts = await countLinksByConnection(t.services, 'site-a');
    expect(Object.fromEntries(counts)).toEqual({
      [teamOne.id]: { linked: 2, failing: 1 },
      [teamTwo.id]: { linked: 1, failing: 0 },
    });
    expect((await countLinksByConnection(t.services, 'site-b')).size).toBe(0);
  });

  it('marks only that issue’s links on that site pending, and keeps the last error', async () => {
    await insertTestIssueLink(t.services, teamOne, {
      issueId: '700',
      issueKey: 'SUP-700',
      ticketId: 'T-700',
      state: 'synced',
    });
    await insertTestIssueLink(t.services, otherSite, {
      issueId: '700',
      issueKey: 'GLX-700',
      ticketId: 'T-700',
      state: 'synced',
    });
    clock.advance(1000);
    expect(await markIssueLinksPending(t.services, 'site-a', '700')).toBe(1);
    expect(await findIssueLink(t.services, 'site-a', '700')).toMatchObject({
      state: 'pending',
      updatedAt: clock.now(),
    });
    expect(await findIssueLink(t.services, 'site-b', '700')).toMatchObject({ state: 'synced' });

    expect(await markIssueLinksPending(t.services, 'site-a', '600')).toBe(2);
    const links = await t.services.db.select().from(issueSyncLinks).where(eq(issueSyncLinks.issueId, '600'));
    expect(links.map((link) => [link.ticketId, link.state, link.lastError]).sort()).toEqual([
      ['T-600', 'pending', 'Jira answered 403'],
      ['T-601', 'pending', null],
    ]);
    expect(await markIssueLinksPending(t.services, 'site-a', 'no-such-issue')).toBe(0);
  });

  it('a deleted connection takes its links with it', async () => {
    await t.services.db.delete(jiraConnections).where(eq(jiraConnections.id, otherSite.id));
    expect(
      await t.services.db.select().from(issueSyncLinks).where(eq(issueSyncLinks.cloudId, 'site-b')),
    ).toEqual([]);
  });
});
