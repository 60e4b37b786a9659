import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedRequest, siteA, siteB, startForgeWorld } from '../../test-support/forge';
import { forgeMessages } from './messages';

// The manifest's `fiveMinute`; the manual scheduler moves past it without waiting.
const pushIntervalMs = 300_000;
const fourHoursSeconds = 4 * 3600;
let world: Awaited<ReturnType<typeof startForgeWorld>>;

beforeAll(async () => {
  world = await startForgeWorld({ credentialPushIntervalMs: pushIntervalMs });
});
afterEach(async () => {
  await world.platform.close(); // lets in-flight deliveries settle before the next test counts requests
  world.platform.reset();
  world.backend.respond = () => 200;
  world.backend.received.length = 0;
  world.clock.offsetMs = 0;
});
afterAll(() => world.close());

const systemTokenOf = (request: ReceivedRequest) => request.headers['x-forge-oauth-system'];
const pushesTo = (cloudId: string) =>
  world
    .at('/forge/credentials')
    .filter((request) => (request.body as { context: { cloudId: string } }).context.cloudId === cloudId);

/** Lets `intervals` push intervals pass and waits for the pushes they started. */
async function letPushIntervalsPass(intervals: number) {
  world.scheduler.advance(intervals * pushIntervalMs);
  await world.platform.settled();
}

describe('install', () => {
  it('delivers the installed lifecycle event first, then scheduled credential pushes with a system token', async () => {
    const installation = await world.platform.install({
      cloudId: siteA.cloudId,
      backendUrl: world.backend.url,
      installerAccountId: 'acc-alice',
    });

    expect(installation.installationId).toMatch(/^ari:cloud:ecosystem::installation\/[0-9a-f-]{36}$/);
    expect(installation.apiBaseUrl).toBe(`${world.sandboxUrl}/ex/jira/${siteA.cloudId}`);
    const [lifecycle] = world.at('/forge/lifecycle');
    expect(lifecycle.method).toBe('POST');
    expect(lifecycle.verifyError).toBeUndefined();
    expect(lifecycle.body).toEqual({
      eventType: 'avi:forge:installed:app',
      id: installation.installationId,
      installerAccountId: 'acc-alice',
      app: { id: world.platform.appId, version: '1.0.0' },
      environment: { id: world.platform.describe().environmentId },
      context: `ari:cloud:jira::site/${siteA.cloudId}`,
    });
    expect(lifecycle.headers['content-type']).toBe('application/json');
    expect(lifecycle.headers['x-b3-traceid']).toMatch(/^[0-9a-f]{32}$/);
    expect(lifecycle.headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
    expect(systemTokenOf(lifecycle)).toBeTruthy();
    expect(world.at('/forge/credentials')).toHaveLength(0);
    const { nextPushAt } = world.platform.describe().installations[0];
    expect(nextPushAt).toBeGreaterThanOrEqual(installation.installedAt + pushIntervalMs);
    expect(nextPushAt).toBeLessThanOrEqual(world.clock.now() + pushIntervalMs);

    world.scheduler.advance(pushIntervalMs - 1);
    await world.platform.settled();
    expect(world.at('/forge/credentials')).toHaveLength(0);
    world.scheduler.advance(1);
    await world.platform.settled();
    expect(world.at('/forge/credentials')).toHaveLength(1);
    await letPushIntervalsPass(1);
    expect(world.at('/forge/credentials')).toHaveLength(2);
    const push = world.at('/forge/credentials')[0];
    expect(push.body).toEqual({ context: { cloudId: siteA.cloudId, moduleKey: 'push-credentials' } });
    expect(push.claims).toMatchObject({
      iss: 'forge/invocation-token',
      aud: world.platform.appId,
      app: {
        id: world.platform.appId,
        installationId: installation.installationId,
        apiBaseUrl: installation.apiBaseUrl,
        environment: { type: 'DEVELOPMENT' },
        module: { type: 'core:endpoint', key: 'credentials-endpoint' },
        installation: {
          id: installation.installationId,
          contexts: [{ name: 'jira', apiBaseUrl: installation.apiBaseUrl, cloudId: siteA.cloudId }],
        },
      },
    });
    expect(Number(push.claims?.exp) - Number(push.claims?.iat)).toBe(25);
    expect(push.claims).not.toHaveProperty('context');
    expect(push.claims).not.toHaveProperty('principal');

    const systemToken = systemTokenOf(push);
    const { exp, iat } = decodeJwt(systemToken);
    expect(Number(exp) - Number(iat)).toBeLessThanOrEqual(fourHoursSeconds);
    expect(Number(exp) * 1000).toBeGreaterThan(Date.now());
    expect(world.grants.get(systemToken)).toEqual({
      kind: 'system',
      appId: world.platform.appId,
      accountId: 'acc-app-bot',
      cloudIds: [siteA.cloudId],
      scopes: [
        'read:jira-work',
        'write:jira-work',
        'read:jira-user',
        'read:servicedesk-request',
        'write:servicedesk-request',
        'read:app-system-token',
        'read:form:jira',
        'read:form.field:jira',
      ],
      expiresAt: Number(exp) * 1000,
    });
    // Forge caches the token: consecutive pushes carry the same one.
    expect(systemTokenOf(world.at('/forge/credentials')[1])).toBe(systemToken);
  });

  it('rotates the cached system token once it has under 2 hours left', async () => {
    await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
    await world.platform.pushCredentialsNow(siteA.cloudId);
    const [first] = world.at('/forge/credentials');

    world.clock.offsetMs = 2 * 3600 * 1000 - 60_000; // 2 h 1 min left
    await world.platform.pushCredentialsNow(siteA.cloudId);
    world.clock.offsetMs = 2 * 3600 * 1000 + 60_000; // 1 h 59 min left
    await world.platform.pushCredentialsNow(siteA.cloudId);

    const tokens = world.at('/forge/credentials').map(systemTokenOf);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toBe(systemTokenOf(first));
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(Number(decodeJwt(tokens[2]).exp) * 1000 - world.clock.now()).toBeGreaterThan(3.9 * 3600 * 1000);
  });

  it('re-uses the installation when installed again on the same site', async () => {
    const first = await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
    const again = await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });

    expect(again.installationId).toBe(first.installationId);
    expect(world.platform.installations()).toHaveLength(1);
    expect(world.at('/forge/lifecycle')).toHaveLength(1);
  });

  it('refuses a site the sandbox does not know', async () => {
    await expect(
      world.platform.install({ cloudId: 'cloud-x', backendUrl: world.backend.url }),
    ).rejects.toThrow(forgeMessages.unknownSite('cloud-x'));
  });

  it('returns after a failed install call and keeps pushing credentials', async () => {
    world.backend.respond = (request) => (request.path === '/forge/lifecycle' ? 503 : 200);
    await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });

    expect(world.platform.deliveries()[0]).toMatchObject({
      kind: 'lifecycle',
      ok: false,
      status: 503,
      attempt: 1,
      failureReason: 'INVALID_REMOTE_INVOCATION_ERROR',
    });
    await letPushIntervalsPass(1);
    expect(world.at('/forge/credentials')).toHaveLength(1);
    // The interval also holds the lifecycle event's redelivery (after 60 s); the two finish in either order.
    const scheduled = world.platform.deliveries().filter((delivery) => delivery.kind === 'scheduled');
    expect(scheduled).toMatchObject([{ kind: 'scheduled', ok: true, status: 200 }]);
  });
});

describe('uninstall', () => {
  it('fires preUninstall, stops the pushes and revokes the system token', async () => {
    const installation = await world.platform.install({
      cloudId: siteA.cloudId,
      backendUrl: world.backend.url,
    });
    await letPushIntervalsPass(1);
    expect(world.at('/forge/credentials')).toHaveLength(1);
    const systemToken = systemTokenOf(world.at('/forge/credentials')[0]);

    await world.platform.uninstall(siteA.cloudId);

    const [preUninstall] = world.at('/forge/uninstall');
    expect(preUninstall.body).toEqual({ context: { cloudId: siteA.cloudId, moduleKey: 'before-uninstall' } });
    expect(preUninstall.claims).toMatchObject({
      app: { installationId: installation.installationId, module: { key: 'uninstall-endpoint' } },
    });
    expect(world.platform.installations()).toEqual([]);
    expect(world.grants.has(systemToken)).toBe(false);

    // Several push intervals pass (site B's pushes count them): site A's stopped schedule sends nothing more.
    await world.platform.install({ cloudId: siteB.cloudId, backendUrl: world.backend.url });
    await letPushIntervalsPass(3);
    expect(pushesTo(siteB.cloudId)).toHaveLength(3);
    expect(pushesTo(siteA.cloudId)).toHaveLength(1);
  });

  it('gives a reinstall after an uninstall a new installation id', async () => {
    const first = await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
    await world.platform.uninstall(siteA.cloudId);
    const second = await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });

    expect(second.installationId).not.toBe(first.installationId);
    expect(world.at('/forge/lifecycle')).toHaveLength(2);
  });

  it('refuses a site where the app is not installed', async () => {
    await expect(world.platform.uninstall(siteB.cloudId)).rejects.toThrow(
      forgeMessages.notInstalled(siteB.cloudId),
    );
  });
});

describe('HTTP controls', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${world.sandboxUrl}/_sandbox/forge/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('installs, pushes, lists deliveries and uninstalls over HTTP', async () => {
    const installed = await post('install', { cloudId: siteB.cloudId, backendUrl: world.backend.url });
    expect(installed.status).toBe(200);
    expect(await installed.json()).toMatchObject({ cloudId: siteB.cloudId, backendUrl: world.backend.url });

    const pushed = await post('push', { cloudId: siteB.cloudId });
    expect(await pushed.json()).toEqual({ ok: true, status: 200 });

    const deliveries = await (await fetch(`${world.sandboxUrl}/_sandbox/forge/deliveries`)).json();
    expect(deliveries.map((record: { kind: string }) => record.kind).slice(0, 2)).toEqual([
      'lifecycle',
      'scheduled',
    ]);

    const uninstalled = await post('uninstall', { cloudId: siteB.cloudId });
    expect(uninstalled.status).toBe(204);
    expect(world.at('/forge/uninstall')).toHaveLength(1);
  });

  it('answers 400 with the missing fields, and 404 for a site without the app', async () => {
    const missing = await post('install', { cloudId: siteA.cloudId });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ message: forgeMessages.missingFields('backendUrl') });

    const notInstalled = await post('push', { cloudId: siteA.cloudId });
    expect(notInstalled.status).toBe(404);
    expect(await notInstalled.json()).toEqual({ message: forgeMessages.notInstalled(siteA.cloudId) });
  });

  it('serves the public key set that verifies the tokens', async () => {
    const response = await fetch(world.platform.jwksUrl());
    const { keys } = await response.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0].kid).toEqual(expect.any(String));
    expect(keys[0]).not.toHaveProperty('d');
  });
});
