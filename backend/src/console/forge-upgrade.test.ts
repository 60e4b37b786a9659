import { forgeConsoleMessages, ticketSyncReadinessMessages } from '@jira-integration/shared/forge-messages';
import { syncReadinessMessages } from '@jira-integration/shared/sync-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { type ForgeTestBed, siteA, siteB, startForgeTestBed } from '../../test-support/forge';
import { insertTestSyncConfig } from '../../test-support/sync';
import { SESSION_COOKIE, signInWithApiKey } from '../auth/sessions';
import type { JiraConnection } from '../model/connection';
import type { ForgeSiteStatus } from '../model/forge-upgrade';
import { describeForgeUpgrade } from './forge-upgrade';

const pushedAt = new Date('2026-11-23T09:55:00Z');
const site = (overrides: Partial<ForgeSiteStatus>): ForgeSiteStatus => ({
  installed: true,
  lastPushAt: pushedAt,
  credentialsFresh: true,
  expiresAt: new Date('2026-11-23T13:55:00Z'),
  uninstalledAt: null,
  ...overrides,
});
const connection = (overrides: Partial<JiraConnection>) =>
  ({ method: 'managed', forgeUpgradedAt: new Date('2026-11-23T09:00:00Z'), ...overrides }) as JiraConnection;

describe('the upgrade note', () => {
  it('says "Upgraded by the Forge app" with the last push time', () => {
    expect(describeForgeUpgrade(connection({}), site({}))).toEqual({
      upgraded: true,
      label: 'Upgraded by the Forge app',
      detail: 'Last credential push: 2026-11-23 09:55 UTC',
    });
  });

  it('says why a connection is not upgraded', () => {
    expect(describeForgeUpgrade(connection({ method: 'custom' }), site({})).label).toBe(
      forgeConsoleMessages.custom,
    );
    expect(describeForgeUpgrade(connection({}), undefined).label).toBe(forgeConsoleMessages.notInstalled);
    const uninstalledAt = new Date('2026-11-23T10:30:00Z');
    expect(describeForgeUpgrade(connection({}), site({ installed: false, uninstalledAt })).label).toBe(
      'Not upgraded: the Forge app was uninstalled from this site (2026-11-23 10:30 UTC)',
    );
    // Stale credentials read as downgraded even before the sweep clears the stored upgrade.
    expect(describeForgeUpgrade(connection({}), site({ credentialsFresh: false }))).toEqual({
      upgraded: false,
      label: 'Not upgraded: the Forge app’s credentials are stale (last push 2026-11-23 09:55 UTC)',
      detail: 'Last credential push: 2026-11-23 09:55 UTC',
    });
    expect(describeForgeUpgrade(connection({ forgeUpgradedAt: null }), site({})).label).toBe(
      forgeConsoleMessages.pending,
    );
  });
});

describe('the Ticket Syncing page', () => {
  let bed: ForgeTestBed;
  let cookie: string;
  beforeAll(async () => {
    bed = await startForgeTestBed('pglite');
    cookie = `${SESSION_COOKIE}=${await signInWithApiKey(bed.services.db, bed.backend.team.key)}`;
  });
  afterAll(() => bed.close());

  const page = async () => {
    const response = await bed.backend.app.request('/console/tickets', { headers: { cookie } });
    expect(response.status).toBe(200);
    return response.text();
  };
  const sectionOf = (html: string, id: string) => {
    const start = html.indexOf(`data-connection="${id}"`);
    return html.slice(start, html.indexOf('</section>', start));
  };

  it('explains what is missing, per connection, until sync can run', async () => {
    expect(await page()).toContain(ticketSyncReadinessMessages.noConnections);
    const managed = await insertTestConnection(bed.services, {
      teamId: bed.backend.team.id,
      cloudId: siteA.cloudId,
      accessToken: 'a',
      siteUrl: siteA.url,
    });
    const custom = await insertTestConnection(bed.services, {
      teamId: bed.backend.team.id,
      cloudId: siteB.cloudId,
      accessToken: 'b',
      method: 'custom',
      siteUrl: siteB.url,
    });

    let html = await page();
    expect(sectionOf(html, managed.id)).toContain('data-ready="false"');
    expect(sectionOf(html, managed.id)).toContain(ticketSyncReadinessMessages.fixInstalled);
    expect(sectionOf(html, managed.id)).not.toContain(ticketSyncReadinessMessages.fixManaged);
    expect(sectionOf(html, custom.id)).toContain(ticketSyncReadinessMessages.fixManaged);

    await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
    html = await page();
    expect(sectionOf(html, managed.id)).toContain('data-ready="false"');
    expect(sectionOf(html, managed.id)).toContain(ticketSyncReadinessMessages.fixEnabled);
    expect(sectionOf(html, managed.id)).not.toContain(ticketSyncReadinessMessages.fixInstalled);

    const toggled = await bed.backend.request(`/v1/jira/connections/${managed.id}`, {
      method: 'PATCH',
      json: { ticketSyncing: true },
    });
    expect(toggled.status).toBe(200);
    html = await page();
    expect(sectionOf(html, managed.id)).toContain('data-ready="false"');
    expect(sectionOf(html, managed.id)).toContain(syncReadinessMessages.fixConfigured);
    await insertTestSyncConfig(bed.services, managed);
    html = await page();
    expect(sectionOf(html, managed.id)).toContain('data-ready="true"');
    expect(sectionOf(html, managed.id)).toContain(forgeConsoleMessages.upgraded);
    expect(sectionOf(html, managed.id)).toContain('Last credential push: ');
    expect(sectionOf(html, managed.id)).toContain(ticketSyncReadinessMessages.ready);
    expect(sectionOf(html, custom.id)).toContain('data-ready="false"');

    bed.clock.offsetMs += 5 * 3600_000;
    html = await page();
    expect(sectionOf(html, managed.id)).toContain('data-ready="false"');
    expect(sectionOf(html, managed.id)).toContain(ticketSyncReadinessMessages.fixFresh);

    bed.clock.offsetMs = 0;
    await bed.platform.uninstall(siteA.cloudId);
    html = await page();
    expect(sectionOf(html, managed.id)).toContain(
      'Not upgraded: the Forge app was uninstalled from this site',
    );
  });
});
