import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, siteA, startForgeWorld } from '../../test-support/forge';
import { forgeMessages } from './messages';

let world: Awaited<ReturnType<typeof startForgeWorld>>;

beforeAll(async () => {
  world = await startForgeWorld({ credentialPushIntervalMs: 3_600_000 });
  await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
});
afterAll(() => world.close());

const lastRequest = () => world.backend.received.at(-1);

describe('UI invocations', () => {
  it('signs the issue panel context and the principal, and returns the remote answer', async () => {
    const answer = await world.platform.invokeUi({
      cloudId: siteA.cloudId,
      moduleKey: 'sync-status-panel',
      path: '/forge/ui/status',
      body: { want: 'status' },
      accountId: alice.accountId,
      issue: { id: '10001', key: 'SUP-1', type: 'Task', typeId: '10002' },
      project: { id: '10000', key: 'SUP', type: 'software' },
    });

    expect(answer).toEqual({ status: 200, body: { echo: { want: 'status' }, principal: alice.accountId } });
    const request = lastRequest();
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/forge/ui/status');
    expect(request?.verifyError).toBeUndefined();
    expect(request?.claims).toMatchObject({
      principal: alice.accountId,
      app: { module: { type: 'jira:issuePanel', key: 'sync-status-panel' } },
      context: {
        cloudId: siteA.cloudId,
        siteUrl: siteA.url,
        moduleKey: 'sync-status-panel',
        extension: {
          type: 'jira:issuePanel',
          issue: { id: '10001', key: 'SUP-1', type: 'Task', typeId: '10002' },
          project: { id: '10000', key: 'SUP', type: 'software' },
        },
      },
    });
    // The ui-endpoint has appSystemToken disabled.
    expect(request?.headers).not.toHaveProperty('x-forge-oauth-system');
  });

  it('passes the method and the status the remote chose', async () => {
    world.backend.respond = () => 409;
    const answer = await world.platform.invokeUi({
      cloudId: siteA.cloudId,
      moduleKey: 'sync-admin-page',
      path: 'forge/ui/settings',
      method: 'put',
      body: { enabled: true },
      accountId: alice.accountId,
    });
    world.backend.respond = () => 200;

    expect(answer.status).toBe(409);
    expect(lastRequest()).toMatchObject({ method: 'PUT', path: '/forge/ui/settings' });
    expect(lastRequest()?.claims).toMatchObject({
      context: { moduleKey: 'sync-admin-page', extension: { type: 'jira:adminPage' } },
    });
    expect(lastRequest()?.claims?.context).not.toHaveProperty('extension.issue');
  });

  it('refuses a module that is not a UI module with a resolver endpoint', async () => {
    await expect(
      world.platform.invokeUi({
        cloudId: siteA.cloudId,
        moduleKey: 'push-credentials',
        path: '/x',
        accountId: alice.accountId,
      }),
    ).rejects.toThrow(forgeMessages.notAUiModule('push-credentials'));
  });
});

describe('signInvocationToken', () => {
  const verifyThroughBackend = async (token: string) => {
    await fetch(`${world.backend.url}/forge/ui/probe`, { headers: { authorization: `Bearer ${token}` } });
    return lastRequest();
  };

  it('signs tokens the remote accepts', async () => {
    const request = await verifyThroughBackend(
      await world.platform.signInvocationToken({ app: { id: 'x' } }),
    );
    expect(request?.verifyError).toBeUndefined();
    expect(request?.claims).toMatchObject({
      iss: 'forge/invocation-token',
      aud: world.platform.appId,
      app: { id: 'x' },
    });
  });

  it('forges expired tokens and tokens with a wrong audience or issuer, which the remote rejects', async () => {
    const expired = await verifyThroughBackend(
      await world.platform.signInvocationToken({}, { expiresInSeconds: -60 }),
    );
    expect(expired?.verifyError).toBe('"exp" claim timestamp check failed');

    const otherApp = await verifyThroughBackend(
      await world.platform.signInvocationToken({ aud: 'ari:cloud:ecosystem::app/other' }),
    );
    expect(otherApp?.verifyError).toBe('unexpected "aud" claim value');

    const otherIssuer = await verifyThroughBackend(
      await world.platform.signInvocationToken({ iss: 'someone-else' }),
    );
    expect(otherIssuer?.verifyError).toBe('unexpected "iss" claim value');

    const unknownKey = await verifyThroughBackend(
      await world.platform.signInvocationToken({}, { header: { kid: 'unknown-key' } }),
    );
    expect(unknownKey?.verifyError).toBe('no applicable key found in the JSON Web Key Set');
  });
});
