import { apiKeys } from '@jira-integration/backend/db/schema';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { userToken } from '@jira-integration/sandbox/test-support/seed';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, signInToConsole } from '../support/browser';
import { startWorld, type World } from '../support/world';

describe('Workflows pages in Chromium', () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld();
    const { backend, sandbox, seeded } = world;
    const [key] = await backend.services.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(eq(apiKeys.teamId, backend.team.id));
    // Made by the key the browser signs in with: that key gives installer approval.
    await insertTestConnection(backend.services, {
      teamId: backend.team.id,
      cloudId: seeded.acme.cloudId,
      siteUrl: seeded.acme.url,
      accountId: seeded.alice.accountId,
      accountName: seeded.alice.displayName,
      accessToken: userToken(sandbox, seeded.alice.accountId),
      createdByKeyId: key.id,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('ingests the JSM catalog, enables a request type, runs it, approves it: the request is in Jira', async () => {
    const page = await browser.newPage();
    await signInToConsole(page, world.backend.url, world.backend.team.key);

    await page.goto(`${world.backend.url}/console/workflows`);
    expect(await page.locator('tr[data-workflow="Read Jira Issue Details"]').count()).toBe(1);
    await page.click('button[data-action=ingest]');
    // The page follows the job's progress until it is done.
    await page.waitForSelector('[data-ingestion-state=succeeded]');
    expect(await page.textContent('[data-ingestion-state]')).toContain(
      'service desks 1/1, request types 3/3',
    );

    const row = page.locator('tr[data-workflow="Request new hardware"]');
    expect(await row.locator('.badge').first().textContent()).toBe('Paused');
    await row.locator('button[data-action=toggle]').click();
    await page.waitForURL('**/console/workflows');
    expect(await page.locator('tr[data-workflow="Request new hardware"] .badge').first().textContent()).toBe(
      'Enabled',
    );

    await page.locator('tr[data-workflow="Request new hardware"] a[data-action=open]').click();
    await page.waitForSelector('#run-form');
    await page.fill('[name="input.summary"]', 'Laptop for the new designer');
    await page.selectOption('[name="input.customfield_10050"]', { label: 'MacBook Air 13' });
    await page.fill('[name="input.requesterEmail"]', 'bob@acme.example');
    await page.click('#start-run');
    await page.waitForURL('**/console/workflow-runs/*');
    expect(await page.getAttribute('h1 .badge', 'data-state')).toBe('awaiting_approval');

    await page.fill('#reason', 'Budget approved');
    await page.click('#approve');
    await page.waitForSelector('h1 .badge[data-state=succeeded]');
    const requestKey = (await page.textContent('[data-request-key]'))?.trim() ?? '';
    expect(requestKey).toMatch(/^SUP-\d+$/);
    expect(await page.textContent('[data-history]')).toContain('approved by');
    expect(await page.textContent('[data-history]')).toContain('Budget approved');
    expect(await page.textContent('[data-steps]')).toContain('POST rest/servicedeskapi/request');
    await screenshot(page, 'workflow-run-approved');

    const issue = [...world.sandbox.state.issues.values()].find((candidate) => candidate.key === requestKey)!;
    expect(issue).toMatchObject({
      summary: 'Laptop for the new designer',
      reporterId: world.seeded.bob.accountId,
    });
    await page.goto(`${world.sandbox.url}/_sandbox`);
    expect(await page.textContent('body')).toContain(requestKey);
  });
});
