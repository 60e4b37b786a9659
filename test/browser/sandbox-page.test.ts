/** The sandbox's admin page: a site's Forge app is installed and uninstalled with its buttons. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';

let sandbox: Sandbox;
let browser: Browser;
let backend: Server;
let backendUrl: string;

beforeAll(async () => {
  // A stand-in app backend that accepts every Forge delivery.
  backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  sandbox = await startSandbox();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await new Promise((resolve) => backend.close(resolve));
});

describe('/_sandbox', () => {
  it('installs and uninstalls the Forge app on a site with its buttons', async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.url}/_sandbox`);
    const acme = page.locator(`tr[data-site="${DEFAULT_SEED.acme}"]`);
    await acme.getByLabel('Backend URL').fill(backendUrl);
    await acme.getByLabel('Installed by').selectOption(DEFAULT_SEED.alice);
    await acme.getByRole('button', { name: 'Install' }).click();
    await acme.getByRole('button', { name: 'Uninstall' }).waitFor();
    expect(sandbox.forge.installations().map((i) => i.cloudId)).toEqual([DEFAULT_SEED.acme]);
    await acme.getByRole('button', { name: 'Uninstall' }).click();
    await acme.getByRole('button', { name: 'Install' }).waitFor();
    expect(sandbox.forge.installations()).toEqual([]);
    await page.close();
  });
});
