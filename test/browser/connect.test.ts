import { forgeConsoleMessages, ticketSyncReadinessMessages } from '@jira-integration/shared/forge-messages';
import { syncReadinessMessages } from '@jira-integration/shared/sync-messages';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, signInToConsole, waitForConnected } from '../support/browser';
import { startWorld, type World } from '../support/world';

/** The connect modal end to end: console → Atlassian (sandbox) consent page → back, clicked in Chromium. */
describe('connect modal in Chromium', () => {
  let world: World;
  let browser: Browser;
  let page: Page;
  let acmeCloudId: string;
  let aliceId: string;

  beforeAll(async () => {
    world = await startWorld();
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.backend.url });
    page = await context.newPage();
    acmeCloudId = world.seeded.acme.cloudId;
    aliceId = world.seeded.alice.accountId;
    await signInToConsole(page, world.backend.url, world.backend.team.key);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function approveOnAtlassian(shot: string) {
    await page.waitForURL(`${world.sandbox.url}/authorize**`);
    await page.selectOption('select[name=accountId]', aliceId);
    for (const box of await page.locator('input[name=cloudId]').all()) {
      if ((await box.getAttribute('value')) === acmeCloudId) await box.check();
      else if (!(await box.isDisabled())) await box.uncheck();
    }
    await screenshot(page, shot);
    await page.click('button#approve');
    await waitForConnected(page);
  }

  it('offers exactly the two methods with their copy', async () => {
    await page.click('#open-connect');
    const methods = await page.locator('#connect-modal [data-method]').allTextContents();
    expect(methods).toHaveLength(2);
    expect(methods[0]).toContain('Sign in with Jira');
    expect(methods[0]).toContain('Recommended');
    expect(methods[0]).toContain('Connect using the Serval-managed Jira integration.');
    expect(methods[1]).toContain('Use your own Atlassian OAuth app');
    expect(methods[1]).toContain(
      'Connect with an OAuth 2.0 (3LO) integration owned by your Atlassian workspace.',
    );
    await screenshot(page, 'connect-1-methods');
  });

  it('validates the site like the server does, then connects with Sign in with Jira', async () => {
    await page.click('[data-method=managed]');
    const submit = page.locator('#managed-form button[type=submit]');
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.textContent('#managed-form .suffix')).toBe('.atlassian.net');
    expect(await page.locator('#managed-form .help').first().textContent()).toBe(
      'For example, if your Jira URL is acme.atlassian.net, enter acme.',
    );
    await page.fill('#managed-subdomain', 'acme-');
    expect(await page.textContent('#managed-subdomain-error')).toBe(
      'Please enter a valid subdomain (letters, numbers, and hyphens only)',
    );
    expect(await submit.isDisabled()).toBe(true);
    await page.fill('#managed-subdomain', 'acme');
    expect(await page.textContent('#managed-subdomain-error')).toBe('');
    expect(await submit.isDisabled()).toBe(false);
    await screenshot(page, 'connect-2-managed-form');
    await submit.click();
    await approveOnAtlassian('connect-3-consent');
    await page.locator('tr[data-connection-id]').first().waitFor();
    const row = await page.locator('tr[data-connection-id]').first().textContent();
    expect(row).toContain('acme.atlassian.net');
    expect(row).toContain('Sign in with Jira');
    expect(row).toContain('Alice Admin');
    expect(row).toContain('Active');

    await page.click('tr[data-connection-id] [data-action=health]');
    await page.locator('.health-results li[data-check]').nth(2).waitFor();
    const results = await page.locator('.health-results li').allTextContents();
    expect(results[0]).toBe('✓ Test Jira Connection: Successfully authenticated with Jira as Alice Admin');
    expect(results[1]).toMatch(
      /^✓ List Jira Projects: Successfully listed projects from Jira \(sample size: \d+\)$/,
    );
    expect(results[2]).toMatch(/^✓ Search Jira Issues: Successfully searched issues in Jira \(found: \d+\)$/);
    await screenshot(page, 'connect-4-connected-health');
  });

  it('reconnect opens the managed form with the site filled in', async () => {
    await page.click('tr[data-connection-id] [data-action=reconnect]');
    await page.locator('#managed-form').waitFor({ state: 'visible' });
    expect(await page.inputValue('#managed-subdomain')).toBe('acme');
    await page.click('#connect-modal [data-close]');
  });

  it('the Tickets page says what sync still needs: the Forge app (which upgrades the connection), then the toggle', async () => {
    await page.click('nav >> text=Tickets');
    await page.waitForURL('**/console/tickets');
    const before = await page.textContent('main');
    expect(before).toContain(ticketSyncReadinessMessages.notReady);
    expect(before).toContain(ticketSyncReadinessMessages.fixInstalled);
    await screenshot(page, 'connect-5-tickets-not-ready');

    await world.sandbox.forge.install({ cloudId: acmeCloudId, backendUrl: world.backend.url });
    await page.reload();
    const installed = await page.textContent('main');
    expect(installed).not.toContain(ticketSyncReadinessMessages.fixInstalled);
    expect(installed).toContain(ticketSyncReadinessMessages.fixEnabled);

    await page.click('nav >> text=Connections');
    await page.waitForURL('**/console/connections');
    const row = page.locator('tr[data-connection-id]').first();
    expect(await row.textContent()).toContain(forgeConsoleMessages.upgraded);
    expect(await row.textContent()).toContain('Last credential push:');
    const saved = page.waitForResponse((response) => response.request().method() === 'PATCH');
    await row.locator('[data-action=ticket-syncing]').check();
    expect((await saved).status()).toBe(200);

    await page.click('nav >> text=Tickets');
    await page.waitForURL('**/console/tickets');
    // Everything the connection needs holds; what is left is the sync settings themselves.
    const tickets = await page.textContent('main');
    expect(tickets).toContain(syncReadinessMessages.fixConfigured);
    expect(tickets).not.toContain(ticketSyncReadinessMessages.fixEnabled);
    await screenshot(page, 'connect-6-tickets-settings-next');
    await page.click('nav >> text=Connections');
    await page.waitForURL('**/console/connections');
  });

  it('connects with a bring-your-own app; reconnect pre-fills everything but the secret', async () => {
    const callbackUrl = `${world.backend.url}/v1/jira/oauth/callback`;
    world.sandbox.registerOAuthClient({
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: 'ATOA-browser-secret',
      callbackUrls: [callbackUrl],
    });
    await page.click('#open-connect');
    await page.click('[data-method=custom]');
    expect(await page.getAttribute('#custom-displayName', 'placeholder')).toBe('My Company Jira');
    expect(await page.getAttribute('#custom-clientId', 'placeholder')).toBe(
      '00000000-0000-0000-0000-000000000000',
    );
    expect(await page.getAttribute('#custom-clientSecret', 'placeholder')).toBe('ATOA…');
    expect(await page.getAttribute('#custom-clientSecret', 'type')).toBe('password');
    expect(await page.inputValue('#custom-callbackUrl')).toBe(callbackUrl);
    expect(await page.getAttribute('#custom-callbackUrl', 'readonly')).not.toBeNull();
    await page.click('#copy-callback');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(callbackUrl);

    const submit = page.locator('#custom-form button[type=submit]');
    await page.fill('#custom-displayName', 'My Company Jira');
    await page.fill('#custom-subdomain', 'acme');
    await page.fill('#custom-clientId', '11111111-2222-3333-4444-555555555555');
    expect(await submit.isDisabled()).toBe(true);
    await page.fill('#custom-clientSecret', 'ATOA-browser-secret');
    expect(await submit.isDisabled()).toBe(false);
    await screenshot(page, 'connect-5-custom-form');
    await submit.click();
    // The team already connected acme with Sign in with Jira: the modal asks before replacing it.
    await page.locator('#custom-form [data-replace]').waitFor({ state: 'visible' });
    expect(await page.textContent('#custom-form .alert-text')).toBe(
      'acme.atlassian.net is already connected with Sign in with Jira, as Alice Admin. Replace that connection?',
    );
    await screenshot(page, 'connect-5b-replace-question');
    await page.click('#custom-form [data-replace]');
    await approveOnAtlassian('connect-6-custom-consent');
    const row = await page.locator('tr[data-connection-id]').first().textContent();
    expect(row).toContain('My Company Jira');
    expect(row).toContain('Own OAuth app');

    await page.click('tr[data-connection-id] [data-action=reconnect]');
    await page.locator('#custom-form').waitFor({ state: 'visible' });
    expect(await page.inputValue('#custom-displayName')).toBe('My Company Jira');
    expect(await page.inputValue('#custom-subdomain')).toBe('acme');
    expect(await page.inputValue('#custom-clientId')).toBe('11111111-2222-3333-4444-555555555555');
    expect(await page.inputValue('#custom-clientSecret')).toBe('');
    expect(await submit.isDisabled()).toBe(true);
    await screenshot(page, 'connect-7-custom-reconnect');
    expect(await page.content()).not.toContain('ATOA-browser-secret');
  });
});
