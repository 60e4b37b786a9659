import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { and, eq } from 'drizzle-orm';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { testDatabaseKinds } from '../../test-support/database';
import { type ForgeTestBed, siteA, siteB, startForgeTestBed } from '../../test-support/forge';
import { auditLog, forgeInstallations, jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { forgeSiteStatus, upgradeIfForgeCredentialsFresh } from '../model/forge-upgrade';
import { getServiceAccountCredentials, isServiceAccountAvailable, SYSTEM_TOKEN_PURPOSE } from './credentials';
import { downgradeStaleConnections } from './service';

const hours = (count: number) => count * 3600_000;

async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe.each(testDatabaseKinds())('Forge credential pushes (%s)', (kind) => {
  let bed: ForgeTestBed;
  let managedA1: JiraConnection;
  let managedA2: JiraConnection;
  let customA3: JiraConnection;
  let managedB1: JiraConnection;

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
  });
  afterAll(() => bed.close());

  beforeEach(async () => {
    const { services, backend } = bed;
    const team2 = await backend.createTeam('Team two');
    const team3 = await backend.createTeam('Team three');
    managedA1 = await insertTestConnection(services, {
      teamId: backend.team.id,
      cloudId: siteA.cloudId,
      accessToken: 'a1',
      siteUrl: siteA.url,
    });
    managedA2 = await insertTestConnection(services, {
      teamId: team2.id,
      cloudId: siteA.cloudId,
      accessToken: 'a2',
      siteUrl: siteA.url,
    });
    customA3 = await insertTestConnection(services, {
      teamId: team3.id,
      cloudId: siteA.cloudId,
      accessToken: 'a3',
      method: 'custom',
      siteUrl: siteA.url,
    });
    managedB1 = await insertTestConnection(services, {
      teamId: backend.team.id,
      cloudId: siteB.cloudId,
      accessToken: 'b1',
      siteUrl: siteB.url,
    });
  });

  afterEach(async () => {
    await bed.platform.close();
    bed.platform.reset();
    bed.clock.offsetMs = 0;
    await bed.services.db.delete(jiraConnections);
    await bed.services.db.delete(forgeInstallations);
    await bed.services.db.delete(auditLog);
  });

  const reload = async (connection: JiraConnection) => {
    const [row] = await bed.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    return row;
  };
  const install = (cloudId = siteA.cloudId) => bed.platform.install({ cloudId, backendUrl: bed.backendUrl });

  it('install upgrades every managed connection of the site in every team, never a custom one', async () => {
    const installation = await install();

    expect(bed.platform.deliveries().map((delivery) => [delivery.kind, delivery.status])).toEqual([
      ['lifecycle', 200],
    ]);
    expect((await reload(managedA1)).forgeUpgradedAt).not.toBeNull();
    expect((await reload(managedA2)).forgeUpgradedAt).not.toBeNull();
    expect((await reload(customA3)).forgeUpgradedAt).toBeNull();
    expect((await reload(managedB1)).forgeUpgradedAt).toBeNull();

    const [stored] = await bed.services.db.select().from(forgeInstallations);
    expect(stored).toMatchObject({
      cloudId: siteA.cloudId,
      installationId: installation.installationId,
      apiBaseUrl: installation.apiBaseUrl,
      uninstalledAt: null,
    });
    expect(stored.lastPushAt).toEqual(stored.installedAt);
    // The token is stored encrypted; decrypted it is the sandbox's system token for that site, `exp` kept.
    const token = bed.services.encryptor.decrypt(stored.systemTokenEncrypted ?? '', SYSTEM_TOKEN_PURPOSE);
    expect(stored.systemTokenEncrypted).not.toContain(token);
    expect(bed.grants.get(token)).toMatchObject({ kind: 'system', cloudIds: [siteA.cloudId] });
    expect(stored.systemTokenExpiresAt?.getTime()).toBe((decodeJwt(token).exp ?? 0) * 1000);
    expect(bed.backend.logs.text()).not.toContain(token);

    const credentials = await getServiceAccountCredentials(bed.services, await reload(managedA1));
    expect(credentials).toEqual({
      token,
      apiBaseUrl: installation.apiBaseUrl,
      installationId: installation.installationId,
      cloudId: siteA.cloudId,
      expiresAt: stored.systemTokenExpiresAt,
    });
    expect(await isServiceAccountAvailable(bed.services, await reload(managedA2))).toBe(true);
    expect(await isServiceAccountAvailable(bed.services, await reload(customA3))).toBe(false);
    expect(await isServiceAccountAvailable(bed.services, await reload(managedB1))).toBe(false);
  });

  it('repeated and concurrent pushes are harmless: one installation, one upgrade per connection', async () => {
    await install();
    const firstUpgrade = (await reload(managedA1)).forgeUpgradedAt;
    bed.clock.offsetMs += 60_000;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => bed.platform.pushCredentialsNow(siteA.cloudId)),
    );

    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await bed.services.db.select().from(forgeInstallations)).toHaveLength(1);
    expect((await reload(managedA1)).forgeUpgradedAt).toEqual(firstUpgrade);
    const upgrades = await bed.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'jira.connection.forge_upgraded'));
    expect(upgrades.map((row) => row.target).sort()).toEqual([managedA1.id, managedA2.id].sort());
    const [stored] = await bed.services.db.select().from(forgeInstallations);
    expect(stored.lastPushAt?.getTime()).toBeGreaterThanOrEqual(firstUpgrade!.getTime() + 60_000);
  });

  it('a push with an older token than the stored one keeps the newer token', async () => {
    await install();
    const [before] = await bed.services.db.select().from(forgeInstallations);
    const invocation = await bed.platform.signInvocationToken({
      app: {
        id: bed.platform.appId,
        installationId: before.installationId,
        apiBaseUrl: before.apiBaseUrl,
        installation: { id: before.installationId, contexts: [{ cloudId: siteA.cloudId }] },
      },
    });
    const olderToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(bed.clock.now() / 1000) + 3600)
      .sign(new TextEncoder().encode('unrelated'));
    const response = await fetch(`${bed.backendUrl}/forge/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${invocation}`, 'x-forge-oauth-system': olderToken },
    });
    expect(response.status).toBe(200);
    const [after] = await bed.services.db.select().from(forgeInstallations);
    expect(after.systemTokenExpiresAt).toEqual(before.systemTokenExpiresAt);
    expect(after.systemTokenEncrypted).toBe(before.systemTokenEncrypted);
  });

  it('refuses a push without a system token, or with one that has no exp', async () => {
    const installation = await install();
    // A fresh invocation token per call: Forge signs one per invocation, and a used one is refused.
    const post = async (headers: Record<string, string>) =>
      fetch(`${bed.backendUrl}/forge/credentials`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await bed.platform.signInvocationToken({
            app: {
              id: bed.platform.appId,
              installationId: installation.installationId,
              apiBaseUrl: installation.apiBaseUrl,
            },
          })}`,
          ...headers,
        },
      });
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: 'missing_system_token', message: forgeMessages.missingSystemToken },
    });
    const opaque = await post({ 'x-forge-oauth-system': 'not-a-jwt' });
    expect(opaque.status).toBe(400);
    expect(await opaque.json()).toMatchObject({
      error: { code: 'invalid_system_token', message: forgeMessages.invalidSystemToken },
    });
  });

  it('pushes every interval keep the token fresh; without them the credentials go stale and connections downgrade', async () => {
    await install();
    const [first] = await bed.services.db.select().from(forgeInstallations);
    // The sandbox rotates its cached token once under two hours remain; each push then carries the new one.
    for (let step = 0; step < 4; step++) {
      bed.clock.offsetMs += hours(2.5);
      expect((await bed.platform.pushCredentialsNow(siteA.cloudId)).status).toBe(200);
      expect(await isServiceAccountAvailable(bed.services, await reload(managedA1))).toBe(true);
    }
    const [latest] = await bed.services.db.select().from(forgeInstallations);
    expect(latest.systemTokenExpiresAt!.getTime()).toBeGreaterThan(
      first.systemTokenExpiresAt!.getTime() + hours(9),
    );
    expect(await downgradeStaleConnections(bed.services)).toEqual([]);

    bed.clock.offsetMs += hours(4);
    const stale = await failure(getServiceAccountCredentials(bed.services, await reload(managedA1)));
    expect(stale).toEqual({
      status: 409,
      code: 'forge_credentials_stale',
      message: forgeMessages.credentialsStale(siteA.url, latest.lastPushAt),
    });
    expect(stale.message).toBe(
      `The Forge app has not pushed credentials for ${siteA.url} recently (last push ${latest.lastPushAt!.toISOString().slice(0, 16).replace('T', ' ')} UTC). Reinstall the app, or wait up to five minutes for its next push.`,
    );
    expect((await forgeSiteStatus(bed.services, [siteA.cloudId])).get(siteA.cloudId)).toMatchObject({
      installed: true,
      credentialsFresh: false,
      lastPushAt: latest.lastPushAt,
    });
    expect((await downgradeStaleConnections(bed.services)).sort()).toEqual(
      [managedA1.id, managedA2.id].sort(),
    );
    expect((await reload(managedA1)).forgeUpgradedAt).toBeNull();

    // The next push upgrades them again.
    await bed.platform.pushCredentialsNow(siteA.cloudId);
    expect((await reload(managedA1)).forgeUpgradedAt).not.toBeNull();
    expect((await reload(customA3)).forgeUpgradedAt).toBeNull();
  });

  it('the platform pushes on its own every interval', async () => {
    await install();
    const intervalMs = bed.platform.describe().credentialPushIntervalMs;
    const scheduledPushes = () =>
      bed.platform
        .deliveries()
        .filter((delivery) => delivery.kind === 'scheduled' && delivery.status === 200);
    for (let push = 1; push <= 3; push++) {
      bed.clock.offsetMs += intervalMs;
      bed.scheduler.advance(intervalMs);
      await bed.platform.settled();
      expect(scheduledPushes()).toHaveLength(push);
    }

    const [stored] = await bed.services.db.select().from(forgeInstallations);
    expect(stored.lastPushAt?.getTime()).toBeGreaterThanOrEqual(
      stored.installedAt.getTime() + 3 * intervalMs,
    );
    expect(await isServiceAccountAvailable(bed.services, managedA1)).toBe(false); // the row passed in is old
    expect(await isServiceAccountAvailable(bed.services, await reload(managedA1))).toBe(true);
  });

  it('uninstall downgrades the site’s connections; a late push from that installation changes nothing', async () => {
    const installation = await install();
    await bed.platform.uninstall(siteA.cloudId);

    expect(bed.platform.deliveries().find((delivery) => delivery.kind === 'preUninstall')?.status).toBe(200);
    expect((await reload(managedA1)).forgeUpgradedAt).toBeNull();
    expect((await reload(managedA2)).forgeUpgradedAt).toBeNull();
    const [stored] = await bed.services.db.select().from(forgeInstallations);
    expect(stored.uninstalledAt).not.toBeNull();
    expect(stored.systemTokenEncrypted).toBeNull();
    expect(await failure(getServiceAccountCredentials(bed.services, await reload(managedA1)))).toEqual({
      status: 409,
      code: 'not_upgraded',
      message: forgeMessages.appNotInstalledOnSite(siteA.url),
    });
    expect((await forgeSiteStatus(bed.services, [siteA.cloudId])).get(siteA.cloudId)).toMatchObject({
      installed: false,
      credentialsFresh: false,
      uninstalledAt: stored.uninstalledAt,
    });
    const downgrades = await bed.services.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'jira.connection.forge_downgraded_uninstalled'));
    expect(downgrades).toHaveLength(2);

    const latePushToken = await bed.platform.signInvocationToken({
      app: {
        id: bed.platform.appId,
        installationId: installation.installationId,
        apiBaseUrl: installation.apiBaseUrl,
      },
    });
    const systemToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(bed.clock.now() / 1000) + 7200)
      .sign(new TextEncoder().encode('unrelated'));
    const late = await fetch(`${bed.backendUrl}/forge/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${latePushToken}`, 'x-forge-oauth-system': systemToken },
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ stored: false, upgradedConnections: 0 });
    expect((await reload(managedA1)).forgeUpgradedAt).toBeNull();

    // Installing again is a new installation: upgraded again.
    const again = await install();
    expect(again.installationId).not.toBe(installation.installationId);
    expect((await reload(managedA1)).forgeUpgradedAt).not.toBeNull();
    expect((await forgeSiteStatus(bed.services, [siteA.cloudId])).get(siteA.cloudId)).toMatchObject({
      installed: true,
      credentialsFresh: true,
      uninstalledAt: null,
    });
  });

  it('a managed connection made later for a site with fresh credentials is upgraded at once', async () => {
    await install();
    const team4 = await bed.backend.createTeam('Team four');
    const later = await insertTestConnection(bed.services, {
      teamId: team4.id,
      cloudId: siteA.cloudId,
      accessToken: 'l',
      siteUrl: siteA.url,
    });
    const before = bed.clock.now();
    const upgraded = await upgradeIfForgeCredentialsFresh(bed.services, later);
    expect(upgraded.forgeUpgradedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(await reload(later)).toEqual(upgraded);

    const team5 = await bed.backend.createTeam('Team five');
    const laterCustom = await insertTestConnection(bed.services, {
      teamId: team5.id,
      cloudId: siteA.cloudId,
      accessToken: 'c',
      method: 'custom',
      siteUrl: siteA.url,
    });
    expect((await upgradeIfForgeCredentialsFresh(bed.services, laterCustom)).forgeUpgradedAt).toBeNull();
    const laterB = await upgradeIfForgeCredentialsFresh(bed.services, managedB1);
    expect(laterB.forgeUpgradedAt).toBeNull();
  });

  it('explains why a connection has no service account', async () => {
    expect(await failure(getServiceAccountCredentials(bed.services, customA3))).toEqual({
      status: 409,
      code: 'not_upgraded',
      message: forgeMessages.customNeverUpgraded,
    });
    expect(await failure(getServiceAccountCredentials(bed.services, managedA1))).toEqual({
      status: 409,
      code: 'not_upgraded',
      message: `The Forge app is not installed on ${siteA.url}, so this connection is not upgraded. Install the app on the site to use the service account.`,
    });
    await install();
    // The row read before the install still says "not upgraded".
    expect(await failure(getServiceAccountCredentials(bed.services, managedA1))).toEqual({
      status: 409,
      code: 'not_upgraded',
      message: forgeMessages.notUpgradedYet,
    });
    const status = await forgeSiteStatus(bed.services, [siteA.cloudId, siteB.cloudId, siteA.cloudId]);
    expect([...status.keys()]).toEqual([siteA.cloudId, siteB.cloudId]);
    expect(status.get(siteB.cloudId)).toEqual({
      installed: false,
      lastPushAt: null,
      credentialsFresh: false,
      expiresAt: null,
      uninstalledAt: null,
    });
    const [row] = await bed.services.db
      .select()
      .from(jiraConnections)
      .where(and(eq(jiraConnections.id, managedA1.id)));
    expect(await getServiceAccountCredentials(bed.services, row)).toMatchObject({ cloudId: siteA.cloudId });
  });
});
