import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

const STEP_LIMIT_MS = 90_000;

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  // Playwright's 30 s per step can pass on a loaded CI machine; like the suite's own limits, this one only stops
  // a hung test. newPage() opens its context through newContext(), so every page gets it.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(STEP_LIMIT_MS);
    return context;
  };
  return browser;
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs the page in to the console with a team key and waits for the first page behind the login. */
export async function signInToConsole(page: Page, backendUrl: string, key: string): Promise<void> {
  await page.goto(`${backendUrl}/console/login`);
  await page.fill('#apiKey', key);
  await page.click('#sign-in');
  await page.waitForURL('**/console/connections');
}

/**
 * Waits for the console's answer to a connect (its banner, not its address, which the page script rewrites), and
 * fails at once with the console's reason when the connect failed, rather than waiting out the step limit.
 */
export async function waitForConnected(page: Page): Promise<void> {
  const outcome = await page.waitForSelector('#connected-banner, #callback-error');
  if ((await outcome.getAttribute('id')) === 'callback-error') {
    throw new Error(`the connect failed: ${await outcome.textContent()}`);
  }
}
