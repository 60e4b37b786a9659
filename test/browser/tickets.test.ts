/**
 * The Tickets pages in Chromium against the sandbox: configure sync from the site's real data, create and edit a
 * ticket, see the issue change in the sandbox, and the Forge issue panel say "Synced".
 */
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { FORGE_UI_PATHS, type IssueSyncStatus } from '@jira-integration/shared/forge-ui';
import { syncConfigMessages } from '@jira-integration/shared/sync-messages';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIssueStatus } from '../../forge/src/ui/sync-status';
import { launchChromium, screenshot, signInToConsole } from '../support/browser';
import { connectSyncedSite } from '../support/sync';
import { startWorld, type World } from '../support/world';

describe('Tickets pages in Chromium', () => {
  let world: World;
  let browser: Browser;
  let page: Page;
  let connectionId: string;

  beforeAll(async () => {
    world = await startWorld();
    syncRuntime(world.backend.services).sleep = async () => {};
    ({ connectionId } = await connectSyncedSite(world, null));
    browser = await launchChromium();
    page = await browser.newPage();
    await signInToConsole(page, world.backend.url, world.backend.team.key);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('configures sync from the site’s projects, statuses and priorities; a gap is refused by name', async () => {
    await page.goto(`${world.backend.url}/console/tickets`);
    const card = page.locator(`section[data-connection="${connectionId}"]`);
    expect(await card.getAttribute('data-ready')).toBe('false');
    expect(await card.textContent()).toContain('Save the sync settings');
    await card.locator('select[name=project]').selectOption('SUP');
    await card.locator('[data-action=load-project]').click();
    await page.waitForURL(/\/console\/tickets\?connection=/);
    const form = page.locator(`form[data-sync-form="${connectionId}"]`);
    expect(await form.locator('select[name=requestTypeId] option').allTextContents()).toEqual([
      'Get IT help',
      'Request new hardware',
      'Report a system problem',
    ]);
    expect(await form.locator('select[name="status.open"] option').allTextContents()).toEqual([
      'To Do',
      'In Progress',
      'Waiting for customer',
      'Done',
    ]);
    await form.locator('select[name=requestTypeId]').selectOption('10');
    const statuses = {
      open: ['10000'],
      in_progress: ['3'],
      waiting: ['10002'],
      resolved: ['10001'],
      closed: ['10001'],
    };
    for (const [status, ids] of Object.entries(statuses)) {
      await form.locator(`select[name="status.${status}"]`).selectOption(ids);
    }
    const priorities = { urgent: ['1'], high: ['2'], medium: ['3'], low: ['4'] };
    for (const [priority, ids] of Object.entries(priorities)) {
      await form.locator(`select[name="priority.${priority}"]`).selectOption(ids);
    }
    await form.locator('[data-action=save-sync-config]').click();
    await page.waitForLoadState();
    expect(await page.locator('[role=alert]').first().textContent()).toBe(
      syncConfigMessages.jiraValueUnmapped('priority', 'Lowest'),
    );
    const again = page.locator(`form[data-sync-form="${connectionId}"]`);
    for (const [status, ids] of Object.entries(statuses)) {
      await again.locator(`select[name="status.${status}"]`).selectOption(ids);
    }
    for (const [priority, ids] of Object.entries({ ...priorities, low: ['4', '5'] })) {
      await again.locator(`select[name="priority.${priority}"]`).selectOption(ids);
    }
    await again.locator('select[name=requestTypeId]').selectOption('10');
    await again.locator('[data-action=save-sync-config]').click();
    await page.waitForURL((url) => url.searchParams.get('saved') === connectionId);
    expect(await page.locator(`section[data-connection="${connectionId}"]`).getAttribute('data-ready')).toBe(
      'true',
    );
    await screenshot(page, 'tickets-sync-configured');
  });

  it('creates and edits a ticket; the issue changes in the sandbox and the issue panel says Synced', async () => {
    await page.goto(`${world.backend.url}/console/tickets`);
    await page.fill('#new-title', 'Wi-Fi in meeting room 4');
    await page.fill('#new-description', 'Drops **every** hour.');
    await page.click('[data-action=create-ticket]');
    await page.waitForURL(/\/console\/tickets\/tkt_/);
    const ticketId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const issueOf = () =>
      [...world.sandbox.state.issues.values()].find(
        (issue) =>
          (issue.properties.get('platform.ticket') as { ticketId?: string } | undefined)?.ticketId ===
          ticketId,
      );
    await expect.poll(() => issueOf()?.summary, { interval: 50 }).toBe('Wi-Fi in meeting room 4');

    await page.fill('#title', 'Wi-Fi in meeting room 4 and 5');
    await page.selectOption('#priority', 'urgent');
    await page.click('[data-action=save-ticket]');
    await page.waitForLoadState();
    await expect
      .poll(() => [issueOf()?.summary, issueOf()?.priorityId], { interval: 50 })
      .toEqual(['Wi-Fi in meeting room 4 and 5', '1']);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('[data-sync-state]').getAttribute('data-sync-state');
        },
        { interval: 100 },
      )
      .toBe('synced');
    await page.fill('#comment-body', 'Checked the access point.');
    await page.check('input[name=internal]');
    await page.click('[data-action=add-comment]');
    await page.waitForLoadState();
    expect(await page.locator('[data-comment]').getAttribute('data-visibility')).toBe('internal');
    await screenshot(page, 'ticket-page-synced');

    // The issue panel asks the backend through Forge, as the panel in Jira does, and labels the answer.
    const issue = issueOf();
    const panel = () =>
      world.sandbox.forge.invokeUi({
        cloudId: world.seeded.acme.cloudId,
        moduleKey: 'sync-status-panel',
        path: FORGE_UI_PATHS.issueStatus,
        method: 'GET',
        accountId: world.seeded.alice.accountId,
        issue: { id: issue?.id ?? '', key: issue?.key ?? '' },
        project: { id: '10000', key: 'SUP' },
      });
    expect((await panel()).status).toBe(200);
    await expect
      .poll(async () => describeIssueStatus((await panel()).body as IssueSyncStatus).stateLabel, {
        interval: 100,
      })
      .toBe('Synced');
  });
});
