import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { connectMessages, JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { launchChromium, screenshot, signInToConsole } from '../support/browser';
import { MANAGED_CLIENT, startWorld, type World } from '../support/world';

/** After Atlassian refuses a connection's token on a proxied call, the console says so and offers Reconnect. */
describe('a connection whose token Atlassian refused, in Chromium', () => {
  let world: World;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    world = await startWorld();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('shows Needs reconnect with the reason, and Reconnect opens the form for its site', async () => {
    const { acme, alice } = world.seeded;
    const token = world.sandbox.issueUserToken({
      clientId: MANAGED_CLIENT.clientId,
      accountId: alice.accountId,
      cloudIds: [acme.cloudId],
      scopes: [...JIRA_OAUTH_SCOPES],
    });
    // No refresh token: a refused access token cannot be replaced.
    const connection = await insertTestConnection(world.backend.services, {
      teamId: world.backend.team.id,
      cloudId: acme.cloudId,
      siteUrl: acme.url,
      accountId: alice.accountId,
      accountName: 'Alice Admin',
      accessToken: token,
    });
    await signInToConsole(page, world.backend.url, world.backend.team.key);
    const row = page.locator(`tr[data-connection-id="${connection.id}"]`);
    expect(await row.locator('.badge').first().textContent()).toBe('Active');

    world.sandbox.tokens.revoke(token);
    const proxied = await fetchAsTeam(
      world.backend.url,
      world.backend.team.key,
      `/v1/jira/connections/${connection.id}/proxy/rest/api/3/myself`,
    );
    expect(proxied.status).toBe(401);

    await page.reload();
    expect(await row.locator('.badge').first().textContent()).toBe('Needs reconnect');
    expect(await row.textContent()).toContain(connectMessages.tokenRefused);
    expect(await row.locator('[data-action=reconnect]').getAttribute('class')).toBe('btn');
    await screenshot(page, 'reconnect-01-needs-reconnect');
    await row.locator('[data-action=reconnect]').click();
    await page.locator('#managed-form').waitFor({ state: 'visible' });
    expect(await page.textContent('#connect-title')).toBe('Reconnect acme.atlassian.net');
  });
});
