/** The sandbox's admin page: a site's Forge app is installed and uninstalled with its buttons. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPageMessages, issuePanelMessages } from '../../forge/src/ui/messages';
import { launchChromium, screenshot } from '../support/browser';

let sandbox: Sandbox;
let browser: Browser;
let backend: Server;
let backendUrl: string;
const adminOverview = {
  siteLinked: true,
  cloudId: DEFAULT_SEED.acme,
  lastCredentialPushAt: '2026-11-30T08:15:00.000Z',
  credentialsFresh: true,
  upgradedConnections: [],
  sync: [],
  workspaces: [],
};
const uiCalls: Array<{ method?: string; path?: string; token: string }> = [];
const failedStatus = {
  state: 'error',
  issueKey: 'SUP-1',
  ticket: { id: 'TCK-7', title: 'Printer on fire', url: 'https://platform.example.com/tickets/TCK-7' },
  lastSyncedAt: '2026-11-30T08:15:00.000Z',
  lastError: 'Jira answered 403: You do not have permission to edit this issue.',
};

/** When set, the stand-in backend refuses a retry with this error message. */
let retryRefusal: string | null = null;

beforeAll(async () => {
  // A stand-in app backend that accepts every Forge delivery and answers the issue panel's calls.
  backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      uiCalls.push({ method: req.method, path: req.url, token: req.headers.authorization ?? '' });
      res.setHeader('content-type', 'application/json');
      if (req.url === FORGE_UI_PATHS.retryIssueSync && retryRefusal) {
        res.statusCode = 409;
        return res.end(JSON.stringify({ error: { code: 'refused', message: retryRefusal } }));
      }
      const answer =
        req.url === FORGE_UI_PATHS.issueStatus
          ? failedStatus
          : req.url === FORGE_UI_PATHS.retryIssueSync
            ? { ...failedStatus, state: 'pending' }
            : req.url === FORGE_UI_PATHS.adminOverview
              ? adminOverview
              : {};
      res.end(JSON.stringify(answer));
    });
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

  it('opens the Forge issue panel of an issue from the issue list, and Retry goes to the backend', async () => {
    await sandbox.forge.install({ cloudId: DEFAULT_SEED.acme, backendUrl });
    const page = await browser.newPage();
    await page.goto(`${sandbox.url}/_sandbox`);
    const issue = page.locator('tr[data-issue="SUP-1"]');
    await issue.getByLabel('View as').selectOption(DEFAULT_SEED.bob);
    await issue.getByRole('button', { name: 'Open panel' }).click();

    const panel = page.getByRole('region', { name: issuePanelMessages.heading });
    await panel.getByText(failedStatus.lastError).waitFor();
    expect(await panel.locator('.lozenge').textContent()).toBe('Error');
    expect(await panel.getByRole('link').textContent()).toBe('TCK-7 · Printer on fire');
    expect(uiCalls.at(-1)).toMatchObject({ method: 'GET', path: FORGE_UI_PATHS.issueStatus });
    // Forge's invocation token names the viewer and the issue.
    const claims = JSON.parse(Buffer.from(uiCalls.at(-1)?.token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.principal).toBe(DEFAULT_SEED.bob);
    expect(claims.context.extension.issue.key).toBe('SUP-1');
    await screenshot(page, 'sandbox-issue-panel');

    await panel.getByRole('button', { name: issuePanelMessages.retry }).click();
    await panel.getByText(issuePanelMessages.pendingExplanation).waitFor();
    expect(uiCalls.at(-1)).toMatchObject({ method: 'POST', path: FORGE_UI_PATHS.retryIssueSync });

    // A refused retry keeps the status on screen and says why underneath.
    retryRefusal = 'The ticket is locked by the platform.';
    await page.goBack();
    await panel.getByRole('button', { name: issuePanelMessages.retry }).click();
    await panel.getByText(issuePanelMessages.retryFailedTitle).waitFor();
    await panel.getByText(retryRefusal).waitFor();
    expect(await panel.getByText(failedStatus.lastError).count()).toBe(1);
    retryRefusal = null;
    await sandbox.forge.uninstall(DEFAULT_SEED.acme);
    await page.close();
  });

  it('opens the Forge admin page of a site from its row', async () => {
    await sandbox.forge.install({ cloudId: DEFAULT_SEED.acme, backendUrl });
    const page = await browser.newPage();
    await page.goto(`${sandbox.url}/_sandbox`);
    const acme = page.locator(`tr[data-site="${DEFAULT_SEED.acme}"]`);
    await acme.getByLabel('Admin page as').selectOption(DEFAULT_SEED.alice);
    await acme.getByRole('button', { name: 'Open admin page' }).click();

    const adminPage = page.getByRole('region', { name: adminPageMessages.heading });
    await adminPage.getByText(adminPageMessages.cloudId(DEFAULT_SEED.acme)).waitFor();
    await adminPage.getByText(adminPageMessages.blockers.noSyncEnabled).waitFor();
    expect(uiCalls.at(-1)).toMatchObject({ method: 'GET', path: FORGE_UI_PATHS.adminOverview });
    await screenshot(page, 'sandbox-admin-page');
    await sandbox.forge.uninstall(DEFAULT_SEED.acme);
    await page.close();
  });
});
