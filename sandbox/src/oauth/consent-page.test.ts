/** The consent page in a real browser (Debian's Chromium): its script and its buttons. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/browser';
import { DEFAULT_SEED } from '../../test-support/seed';
import { type Sandbox, startSandbox } from '../index';

const callback = 'http://127.0.0.1:9/consent-callback';
let sandbox: Sandbox;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.registerOAuthClient({ clientId: 'browser-app', clientSecret: 's', callbackUrls: [callback] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

async function openConsent(): Promise<{ page: Page; redirects: string[] }> {
  const page = await browser.newPage();
  const redirects: string[] = [];
  // The app's callback is not running: record where the browser is sent and answer for it.
  await page.route(`${callback}**`, (route) => {
    redirects.push(route.request().url());
    return route.fulfill({ status: 200, body: 'callback reached' });
  });
  const params = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: 'browser-app',
    scope: 'read:jira-work offline_access',
    redirect_uri: callback,
    state: 'browser-state',
    response_type: 'code',
    prompt: 'consent',
  });
  await page.goto(`${sandbox.url}/authorize?${params}`);
  return { page, redirects };
}

describe('consent page in a browser', () => {
  it('offers only the sites of the chosen account and returns a code on Accept', async () => {
    const { page, redirects } = await openConsent();
    const globex = page.locator(`input[name=cloudId][value="${DEFAULT_SEED.globex}"]`);
    expect(await globex.isDisabled()).toBe(false);
    await page.selectOption('select[name=accountId]', DEFAULT_SEED.bob);
    expect(await globex.isDisabled()).toBe(true);
    expect(await page.locator(`input[name=cloudId][value="${DEFAULT_SEED.acme}"]`).isChecked()).toBe(true);
    await page.click('button#approve');
    await page.waitForURL(`${callback}**`);
    const url = new URL(redirects[0]);
    expect(url.searchParams.get('state')).toBe('browser-state');
    expect(url.searchParams.get('code')).toMatch(/^sbx_code_/);
    expect(sandbox.state.grants.get(`browser-app ${DEFAULT_SEED.bob}`)?.cloudIds).toEqual([
      DEFAULT_SEED.acme,
    ]);
    await page.close();
  });

  it('Cancel sends the user back with access_denied', async () => {
    const { page, redirects } = await openConsent();
    await page.click('button#deny');
    await page.waitForURL(`${callback}**`);
    expect(new URL(redirects[0]).searchParams.get('error')).toBe('access_denied');
    await page.close();
  });
});
