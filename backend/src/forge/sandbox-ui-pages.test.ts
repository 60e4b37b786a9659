/** The sandbox's rendered issue panel and admin page (/_sandbox/forge/*) against the real backend, through Forge Remote. */
import { forgeMessages } from '@jira-integration/sandbox/forge/messages';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPageMessages, issuePanelMessages } from '../../../forge/src/ui/messages';
import { insertTestConnection } from '../../test-support/connections';
import { testDatabaseKinds } from '../../test-support/database';
import { type ForgeTestBed, siteA, siteB, startForgeTestBed } from '../../test-support/forge';
import { insertTestIssueLink } from '../../test-support/sync';
import { siteWorkspaceApprovals } from '../db/schema';
import { registerForgeJobs } from './jobs';

const lastError = 'Jira answered 403: You do not have permission to edit this issue.';

describe.each(testDatabaseKinds())('sandbox issue panel and admin page (%s)', (kind) => {
  let bed: ForgeTestBed;
  let waitingWorkspaceId: string;

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
    await registerForgeJobs(bed.services);
    const connection = await insertTestConnection(bed.services, {
      teamId: bed.backend.team.id,
      cloudId: siteA.cloudId,
      accessToken: 'a1',
      siteUrl: siteA.url,
    });
    await insertTestIssueLink(bed.services, connection, {
      issueId: '10043',
      issueKey: 'SUP-43',
      ticketId: 'TCK-43',
      ticketTitle: 'Printer on fire',
      state: 'error',
      lastSyncedAt: new Date('2026-11-30T08:15:00Z'),
      lastError,
    });
    // A second workspace asked for the site too and waits for a Jira admin.
    const waiting = await bed.backend.createTeam('Team two');
    waitingWorkspaceId = waiting.workspaceId;
    await insertTestConnection(bed.services, {
      teamId: waiting.id,
      cloudId: siteA.cloudId,
      accessToken: 'a2',
      siteUrl: siteA.url,
    });
    await bed.services.db
      .update(siteWorkspaceApprovals)
      .set({ status: 'pending', decidedBy: null, decidedAt: null })
      .where(eq(siteWorkspaceApprovals.workspaceId, waitingWorkspaceId));
    await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
  });
  afterAll(() => bed.close());

  const target = (cloudId = siteA.cloudId) => ({
    site: cloudId,
    issueId: '10043',
    issueKey: 'SUP-43',
    projectId: '10000',
    projectKey: 'SUP',
    as: 'acc-alice',
  });
  const openPanel = (query: Record<string, string>) =>
    fetch(`${bed.sandboxUrl}/_sandbox/forge/issue-panel?${new URLSearchParams(query)}`);

  it('renders the backend’s status of a linked issue, asked with a signed token carrying the issue', async () => {
    const response = await openPanel(target());
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(`${issuePanelMessages.heading} <span class="lozenge removed">Error</span>`);
    expect(page).toContain('TCK-43 · Printer on fire');
    expect(page).toContain(issuePanelMessages.lastSynced('2026-11-30 08:15 UTC'));
    expect(page).toContain(issuePanelMessages.errorTitle);
    expect(page).toContain(lastError);
    expect(page).toContain(`<button type="submit">${issuePanelMessages.retry}</button>`);
  });

  it('Retry goes through to the backend and shows the new pending state', async () => {
    const response = await fetch(`${bed.sandboxUrl}/_sandbox/forge/issue-panel/retry`, {
      method: 'POST',
      body: new URLSearchParams(target()),
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<span class="lozenge inprogress">Pending</span>');
    expect(page).toContain(issuePanelMessages.pendingExplanation);
    expect(page).not.toContain(issuePanelMessages.retryFailedTitle);
    // The backend now holds the link as pending: opening the panel again says so.
    expect(await (await openPanel(target())).text()).toContain(
      '<span class="lozenge inprogress">Pending</span>',
    );
  });

  it('an issue with no link shows the not-linked explanation, never a made-up ticket', async () => {
    const page = await (await openPanel({ ...target(), issueId: '10099', issueKey: 'SUP-99' })).text();
    expect(page).toContain('<span class="lozenge default">Not linked</span>');
    expect(page).toContain(issuePanelMessages.notLinkedExplanation);
    expect(page).not.toContain('TCK-43');
  });

  it('refuses a site without the app and a request without an issue', async () => {
    const notInstalled = await openPanel(target(siteB.cloudId));
    expect(notInstalled.status).toBe(404);
    expect(await notInstalled.json()).toEqual({
      message: forgeMessages.notInstalled(siteB.cloudId),
    });
    const { issueKey: _dropped, ...withoutKey } = target();
    const missing = await openPanel(withoutKey);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: forgeMessages.panelNeeds('issueKey') });
  });

  const openAdminPage = (query: Record<string, string>) =>
    fetch(`${bed.sandboxUrl}/_sandbox/forge/admin-page?${new URLSearchParams(query)}`);

  it('admin page: renders the backend’s overview of the site, with what keeps sync from running', async () => {
    const response = await openAdminPage({ site: siteA.cloudId, as: 'acc-alice' });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(adminPageMessages.blockedTitle);
    expect(page).toContain(adminPageMessages.blockers.noSyncEnabled);
    expect(page).toContain(`<span class="lozenge success">${adminPageMessages.credentialsFresh}</span>`);
    expect(page).toContain(`<span class="lozenge success">${adminPageMessages.siteLinked}</span>`);
    expect(page).toContain(adminPageMessages.cloudId(siteA.cloudId));
    expect(page).toContain(`<span class="lozenge moved">${workspaceMessages.pending}</span>`);
    expect(page).toContain(`<span class="lozenge success">${workspaceMessages.approved}</span>`);
    expect(page).toContain(`<button type="submit">${adminPageMessages.approve}</button>`);
    expect(page).toContain(`<button type="submit">${adminPageMessages.revoke}</button>`);
  });

  it('admin page: Approve goes to the backend, which refuses a user it cannot confirm as a Jira admin', async () => {
    const response = await fetch(`${bed.sandboxUrl}/_sandbox/forge/admin-page/workspaces`, {
      method: 'POST',
      body: new URLSearchParams({
        site: siteA.cloudId,
        as: 'acc-alice',
        workspaceId: waitingWorkspaceId,
        decision: 'approved',
      }),
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(adminPageMessages.decisionFailedTitle);
    // The backend checks Administer Jira by acting as the viewer on the site; it cannot confirm this one.
    expect(page).toContain(workspaceMessages.notAdmin);
    expect(page).toContain(`<span class="lozenge moved">${workspaceMessages.pending}</span>`);
  });

  it('admin page: refuses a request without a viewer', async () => {
    const missing = await openAdminPage({ site: siteA.cloudId });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: forgeMessages.adminPageNeeds('as') });
  });
});
