import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../support/backend';
import { launchChromium, screenshot } from '../support/browser';

describe('console in Chromium', () => {
  let backend: TestBackend;
  let browser: Browser;
  beforeAll(async () => {
    backend = await startTestBackend();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await backend?.close();
  });

  it('logs in with the team key and shows the navigation', async () => {
    const page = await browser.newPage();
    await page.goto(`${backend.url}/`);
    expect(new URL(page.url()).pathname).toBe('/console/login');

    await page.fill('#apiKey', 'jik_wrong');
    await page.click('#sign-in');
    expect(await page.textContent('[role=alert]')).toContain('That API key is not valid.');

    await page.fill('#apiKey', backend.team.key);
    await page.click('#sign-in');
    await page.waitForURL('**/console/connections');
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).toEqual([
      'Connections',
      'Tickets',
      'Workflows',
      'Audit history',
      'Team',
      'API keys',
      'API reference',
    ]);
    await page.click('text=Tickets');
    await page.waitForURL('**/console/tickets');
    expect(await page.textContent('h1')).toBe('Tickets');
    const file = await screenshot(page, 'console-after-login');
    expect(existsSync(file)).toBe(true);
  });
});
