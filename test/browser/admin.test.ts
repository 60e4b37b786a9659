import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../backend/test-support/connections';
import { launchChromium, screenshot, signInToConsole, waitForConnected } from '../support/browser';
import { startWorld, type World } from '../support/world';

const SUPPORT = 'Need help? Contact support@serval.com for assistance with your Jira integration.';
const INVALID = 'Please enter a valid subdomain (letters, numbers, and hyphens only)';
const REQUIRED = 'Jira subdomain is required';

/** What a new Jira admin meets in the console, walked in Chromium (screenshots in test-artifacts/). */
describe('the console as a new Jira admin meets it', () => {
  let world: World;
  let browser: Browser;
  let page: Page;
  let connectionId: string;

  beforeAll(async () => {
    world = await startWorld({ env: { FORGE_INSTALL_URL: 'https://install.example/forge-app' } });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await signInToConsole(page, world.backend.url, world.backend.team.key);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('both forms say "Jira subdomain is required" on blur, refuse what the spec refuses, and show every spec text', async () => {
    await page.click('#open-connect');
    expect(await page.textContent('#connect-modal .support')).toBe(SUPPORT);
    await page.click('[data-method=managed]');
    await page.focus('#managed-subdomain');
    await page.locator('#managed-subdomain').blur();
    expect(await page.textContent('#managed-subdomain-error')).toBe(REQUIRED);
    for (const typed of ['ACME', 'acme.atlassian.net', 'https://acme.atlassian.net/jira', '-acme', 'ac me']) {
      await page.fill('#managed-subdomain', typed);
      expect(await page.textContent('#managed-subdomain-error'), typed).toBe(INVALID);
      expect(await page.locator('#managed-form button[type=submit]').isDisabled()).toBe(true);
    }
    await screenshot(page, 'admin-01-managed-invalid');
    await page.click('#managed-form [data-back]');
    await page.click('[data-method=custom]');
    const custom = page.locator('#custom-form');
    for (const field of ['custom-subdomain', 'custom-clientId', 'custom-clientSecret']) {
      await page.focus(`#${field}`);
      await page.locator(`#${field}`).blur();
    }
    expect(await page.textContent('#custom-subdomain-error')).toBe(REQUIRED);
    expect(await page.textContent('#custom-clientId-error')).toBe(
      'Failed to initiate custom Jira app: clientId is required',
    );
    expect(await page.textContent('#custom-clientSecret-error')).toBe(
      'Failed to initiate custom Jira app: clientSecret is required',
    );
    const helps = await custom.locator('.help').allTextContents();
    expect(helps).toEqual(
      expect.arrayContaining([
        'A friendly name shown in Serval - you choose this.',
        'For example, if your Jira URL is acme.atlassian.net, enter acme.',
        'Found on the Settings page of your OAuth 2.0 (3LO) integration.',
        'Click Show next to the secret on your integration’s Settings page to reveal it.',
        'Register exactly this URL in your Atlassian OAuth app.',
        'After you continue, you have 10 minutes to finish on Atlassian; after that you’ll see “Invalid or expired OAuth state”.',
      ]),
    );
    expect(await page.textContent('#scopes-intro')).toContain("Atlassian's developer console");
    expect(await page.locator('#scopes li').allTextContents()).toEqual([...JIRA_OAUTH_SCOPES]);
    expect(await page.getAttribute('#custom-displayName', 'placeholder')).toBe('My Company Jira');
    expect(await page.getAttribute('#custom-clientId', 'placeholder')).toBe(
      '00000000-0000-0000-0000-000000000000',
    );
    expect(await page.getAttribute('#custom-clientSecret', 'placeholder')).toBe('ATOA…');
    expect(await page.isHidden('#secret-reenter')).toBe(true);
    await screenshot(page, 'admin-02-custom-form');
    await page.click('#connect-modal [data-close]');
  });

  it('connects, and says "Jira site connected." right after only', async () => {
    await page.click('#open-connect');
    await page.click('[data-method=managed]');
    await page.fill('#managed-subdomain', 'acme');
    await page.click('#managed-form button[type=submit]');
    await page.waitForURL(`${world.sandbox.url}/authorize**`);
    await page.selectOption('select[name=accountId]', world.seeded.alice.accountId);
    for (const box of await page.locator('input[name=cloudId]').all()) {
      if ((await box.getAttribute('value')) === world.seeded.acme.cloudId) await box.check();
      else if (!(await box.isDisabled())) await box.uncheck();
    }
    await page.click('button#approve');
    await waitForConnected(page);
    expect(await page.textContent('#connected-banner')).toBe('Jira site connected.');
    await page.waitForFunction(() => !window.location.search.includes('connected'));
    await screenshot(page, 'admin-03-connected');
    connectionId = (await page.getAttribute('tr[data-connection-id]', 'data-connection-id'))!;
    await page.reload();
    expect(await page.locator('#connected-banner').count()).toBe(0);
  });

  it('asks before replacing a connected site; the reconnect modal is titled for its site and keeps its method', async () => {
    await page.click('#open-connect');
    await page.click('[data-method=managed]');
    await page.fill('#managed-subdomain', 'acme');
    await page.click('#managed-form button[type=submit]');
    await page.locator('#managed-form [data-replace]').waitFor({ state: 'visible' });
    expect(await page.textContent('#managed-form .alert-text')).toBe(
      'acme.atlassian.net is already connected with Sign in with Jira, as Alice Admin. Replace that connection?',
    );
    expect(page.url()).toContain('/console/connections');
    await screenshot(page, 'admin-04-replace-question');
    await page.click('#connect-modal [data-close]');

    await page.click('tr[data-connection-id] [data-action=reconnect]');
    await page.locator('#managed-form').waitFor({ state: 'visible' });
    expect(await page.textContent('#connect-title')).toBe('Reconnect acme.atlassian.net');
    // Switching method on reconnect is asked about, not done silently.
    await page.click('#managed-form [data-back]');
    await page.click('[data-method=custom]');
    expect(await page.inputValue('#custom-subdomain')).toBe('acme');
    expect(await page.textContent('#secret-reenter')).toBe(
      'The Secret is never pre-filled and must be re-entered every time - leaving it blank does not keep the existing secret.',
    );
    await page.fill('#custom-clientId', 'some-client');
    await page.fill('#custom-clientSecret', 'some-secret');
    await page.click('#custom-form button[type=submit]');
    await page.locator('#custom-form [data-replace]').waitFor({ state: 'visible' });
    expect(await page.textContent('#custom-form .alert-text')).toBe(
      'This connection uses Sign in with Jira. Continuing replaces it with one using Own OAuth app.',
    );
    await screenshot(page, 'admin-05-reconnect-method-change');
    await page.click('#connect-modal [data-close]');
  });

  it('health checks keep the spec texts and say Atlassian is unavailable, with the status', async () => {
    world.sandbox.setFault({ kind: 'status', status: 503, match: { pathIncludes: '/rest/api/3/' } });
    try {
      await page.click('tr[data-connection-id] [data-action=health]');
      await page.locator('.health-results li[data-check]').nth(2).waitFor();
      const results = await page.locator('.health-results li').allTextContents();
      expect(results[0]).toBe(
        '✗ Test Jira Connection: Unable to authenticate with Jira. Please verify your API credentials and permissions are correct. Atlassian is unavailable right now (HTTP 503).',
      );
      expect(results[2]).toContain('Atlassian is unavailable right now (HTTP 503).');
      await screenshot(page, 'admin-06-health-outage');
    } finally {
      world.sandbox.setFault(null);
    }
  });

  it("the connection's page shows what an admin needs, with the stored health-check run", async () => {
    await page.click(`a[href="/console/connections/${connectionId}"]`);
    await page.waitForURL(`**/console/connections/${connectionId}`);
    const fact = (name: string) => page.textContent(`[data-fact=${name}]`);
    expect(await fact('method')).toBe('Sign in with Jira');
    expect(await fact('site')).toContain('acme.atlassian.net');
    expect(await fact('connected-as')).toBe('Alice Admin');
    expect(await fact('scopes')).toContain('read:jira-work');
    expect(await fact('token-expiry')).toMatch(/UTC$/);
    expect(await fact('created')).toMatch(/UTC$/);
    expect(await fact('last-used')).toBe('never');
    expect(await fact('forge')).toContain('Not upgraded');
    // Where the app is missing, the page says where to install it and how long it takes to show.
    expect(await page.getAttribute('[data-fact=forge] [data-forge-install]', 'href')).toBe(
      'https://install.example/forge-app',
    );
    expect(await fact('forge')).toContain(
      'The install can take up to five minutes to reflect in Serval. Refresh the Serval page to see the updated status.',
    );
    expect(await fact('budget')).toBeTruthy();
    expect(await page.textContent('#health-runs')).toContain(
      'Atlassian is unavailable right now (HTTP 503).',
    );
    await screenshot(page, 'admin-07-connection-detail');
  });

  it('a bring-your-own connection cannot turn Ticket Syncing on, and says why', async () => {
    await insertTestConnection(world.backend.services, {
      teamId: world.backend.team.id,
      cloudId: world.seeded.globex.cloudId,
      method: 'custom',
      accessToken: 'unused',
      siteUrl: 'https://globex.atlassian.net',
    });
    await page.goto(`${world.backend.url}/console/connections`);
    const row = page.locator('tr[data-site="globex.atlassian.net"]');
    expect(await row.locator('[data-action=ticket-syncing]').isDisabled()).toBe(true);
    expect(await row.textContent()).toContain(
      'Ticket Syncing needs a connection made with Sign in with Jira and the Forge app',
    );
    await screenshot(page, 'admin-08-byo-sync-disabled');
  });

  it('the Tickets page: one heading, the product by name, the install link and the spec’s guidance, one ✗ per reason', async () => {
    await page.goto(`${world.backend.url}/console/tickets`);
    expect(await page.locator('main h1').count()).toBe(1);
    expect(await page.locator('main h2', { hasText: /^Ticket syncing$/ }).count()).toBe(0);
    // The page's heading is said once; the list under it is the product's tickets.
    const headings = await page.locator('main h1, main h2').allTextContents();
    expect(headings.filter((heading) => heading === 'Tickets')).toEqual(['Tickets']);
    expect(headings).toContain('Serval tickets');
    const main = (await page.textContent('main'))!;
    expect(main).toContain('between Serval tickets and Jira issues');
    expect(main).toContain(
      'The install can take up to five minutes to reflect in Serval. Refresh the Serval page to see the updated status.',
    );
    expect(main).not.toContain('Forge app credentials fresh');
    expect(main).toContain(SUPPORT);
    expect(await page.getAttribute('[data-forge-install]', 'href')).toBe('https://install.example/forge-app');
    await screenshot(page, 'admin-09-tickets');
  });

  it('audit history filters by connection, action and actor', async () => {
    await page.goto(`${world.backend.url}/console/audit`);
    expect(await page.locator('#audit tr[data-action]').count()).toBeGreaterThan(0);
    await page.selectOption('#filter-action', 'jira.connection.connected');
    // The console session is named by the key it was opened with, the team's only one here.
    const sessionActor = `console (key ${world.backend.team.key.slice(0, 10)}…)`;
    await page.selectOption('#filter-actor', sessionActor);
    await page.selectOption('#filter-connection', connectionId);
    await page.click('#audit-filters button[type=submit]');
    await page.waitForURL('**/console/audit?*');
    const actions = await page
      .locator('#audit tr[data-action]')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.action));
    expect(actions).toEqual(['jira.connection.connected']);
    expect(await page.textContent('#audit tbody')).toContain('acme.atlassian.net');
    expect(await page.textContent('#audit tbody td[data-label=Actor]')).toBe(sessionActor);
    await screenshot(page, 'admin-10-audit');
  });

  it("the Team page shows the team's name and id, and leads to its API keys and history", async () => {
    await page.goto(`${world.backend.url}/console/team`);
    expect(await page.textContent('#team-id')).toBe(world.backend.team.id);
    expect(await page.textContent('#team-name')).toBeTruthy();
    expect(await page.textContent('#team-keys')).toContain('1 active');
    await page.click('#team-keys a');
    await page.waitForURL('**/console/keys');
    expect(await page.locator('#keys').count()).toBe(1);
    // Dates read like the rest of the console's, not as a raw timestamp.
    const keys = (await page.textContent('#keys'))!;
    expect(keys).toMatch(/created \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(keys).not.toMatch(/T\d\d:\d\d:\d\d/);
    await screenshot(page, 'admin-11-team');
  });

  it('disconnect names the site and confirms afterwards', async () => {
    await page.goto(`${world.backend.url}/console/connections`);
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (dialog) => {
        resolve(dialog.message());
        void dialog.accept();
      }),
    );
    await page.click('tr[data-site="globex.atlassian.net"] [data-action=disconnect]');
    expect(await asked).toBe(
      'Disconnect globex.atlassian.net? Workflows and ticket syncing stop using it until it is connected again.',
    );
    await page.locator('#page-status').waitFor({ state: 'visible' });
    expect(await page.textContent('#page-status')).toBe('globex.atlassian.net was disconnected.');
    await screenshot(page, 'admin-12-disconnected');
  });

  it('audit history names a disconnected site and an API key, not their ids', async () => {
    await page.goto(`${world.backend.url}/console/audit?action=jira.connection.deleted`);
    expect(await page.locator('#audit tr[data-action] td[data-label=Target]').allTextContents()).toEqual([
      'globex.atlassian.net (Own OAuth app)',
    ]);
    await page.goto(`${world.backend.url}/console/audit?action=api_key.created`);
    expect(await page.locator('#audit tr[data-action] td[data-label=Target]').allTextContents()).toContain(
      `default (${world.backend.team.key.slice(0, 10)}…)`,
    );
    await screenshot(page, 'admin-12b-audit-names');
  });

  it('error banners offer the support address, and there is a favicon', async () => {
    await page.goto(`${world.backend.url}/console/connections?error=oauth_client_rejected`);
    const banner = (await page.textContent('#callback-error'))!;
    expect(banner).toContain('Atlassian rejected the client ID or secret.');
    expect(banner).toContain(SUPPORT);
    // Like "Jira site connected.", the message belongs to that connect: a reload does not show it again.
    // (goto waited for the load event, after the page's module script ran.)
    expect(page.url()).toBe(`${world.backend.url}/console/connections`);
    await page.reload();
    expect(await page.locator('#callback-error').count()).toBe(0);
    expect(await page.getAttribute('link[rel=icon]', 'href')).toBe('/favicon.svg');
    const icon = await page.request.get(`${world.backend.url}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toBe('image/svg+xml');
  });

  it('/docs renders offline, its team routes first: nothing is fetched from another origin', async () => {
    const docs = await browser.newPage();
    const elsewhere: string[] = [];
    await docs.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(world.backend.url) || url.startsWith('data:') || url.startsWith('blob:')) {
        return route.continue();
      }
      elsewhere.push(url);
      return route.abort();
    });
    await docs.goto(`${world.backend.url}/docs`);
    await docs.getByText('The team the API key belongs to').first().waitFor();
    const text = (await docs.textContent('body'))!;
    expect(text.indexOf('Team')).toBeLessThan(text.indexOf('Forge app (internal)'));
    // No button of the reference tool's cloud (its AI agent answers from the vendor's servers).
    expect(text).not.toContain('Ask AI');
    // The one way to authenticate is chosen already: the admin pastes a key and sends.
    expect(text).not.toContain('No authentication selected');
    expect(elsewhere).toEqual([]);
    await screenshot(docs, 'admin-14-docs');
    await docs.close();
  });

  it('is usable 390 px wide: nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['/console/connections', 'connections'],
      [`/console/connections/${connectionId}`, 'detail'],
      ['/console/tickets', 'tickets'],
      ['/console/audit', 'audit'],
      ['/console/team', 'team'],
    ]) {
      await page.goto(`${world.backend.url}${path}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(390);
      await screenshot(page, `admin-13-narrow-${name}`);
    }
    await page.goto(`${world.backend.url}/console/connections`);
    await page.click('#open-connect');
    await page.click('[data-method=custom]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'admin-13-narrow-modal');
  });
});
