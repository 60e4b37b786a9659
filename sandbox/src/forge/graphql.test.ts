import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, bob, carol, siteA, siteB, startForgeWorld } from '../../test-support/forge';
import { forgeMessages } from './messages';

let world: Awaited<ReturnType<typeof startForgeWorld>>;
let systemToken: string;

beforeAll(async () => {
  world = await startForgeWorld({ credentialPushIntervalMs: 3_600_000 });
  await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
  systemToken = world.at('/forge/lifecycle')[0].headers['x-forge-oauth-system'];
});
afterAll(() => world.close());

const siteContext = (cloudId: string) => `ari:cloud:jira::site/${cloudId}`;
const inlineMutation = (contextId: string, userId: string) =>
  `mutation forge_remote_offlineUserAuthToken {
    offlineUserAuthToken(input: { contextIds: ["${contextId}"], userId: "${userId}" }) {
      success errors { message } authToken { token ttl }
    }
  }`;

async function graphql(body: unknown, token: string | null = systemToken) {
  const response = await fetch(`${world.sandboxUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const refusal = (message: string) => ({
  status: 200,
  body: { data: { offlineUserAuthToken: { success: false, errors: [{ message }], authToken: null } } },
});

describe('offlineUserAuthToken', () => {
  it('issues a token that acts as the user, with the impersonable scopes', async () => {
    const { status, body } = await graphql({
      query: inlineMutation(siteContext(siteA.cloudId), alice.accountId),
    });

    expect(status).toBe(200);
    const result = body.data.offlineUserAuthToken;
    expect(result).toMatchObject({ success: true, errors: [], authToken: { ttl: 3600 } });
    const { token } = result.authToken;
    expect(world.grants.get(token)).toEqual({
      kind: 'impersonation',
      appId: world.platform.appId,
      accountId: alice.accountId,
      cloudIds: [siteA.cloudId],
      scopes: ['read:jira-work', 'write:jira-work'],
      expiresAt: Number(decodeJwt(token).exp) * 1000,
    });
    expect(Number(decodeJwt(token).exp) - Number(decodeJwt(token).iat)).toBe(3600);
  });

  it('reads the input from variables', async () => {
    const { body } = await graphql({
      query:
        'mutation ($input: OfflineUserAuthTokenInput!) { offlineUserAuthToken(input: $input) { success authToken { token ttl } } }',
      variables: { input: { contextIds: [siteContext(siteA.cloudId)], userId: alice.accountId } },
    });
    expect(world.grants.get(body.data.offlineUserAuthToken.authToken.token)?.accountId).toBe(alice.accountId);

    const { body: perField } = await graphql({
      query:
        'mutation ($user: ID!, $site: ID!) { offlineUserAuthToken(input: { contextIds: [$site], userId: $user }) { success } }',
      variables: { user: alice.accountId, site: siteContext(siteA.cloudId) },
    });
    expect(perField.data.offlineUserAuthToken.success).toBe(true);
  });

  it('refuses a user without access to the app', async () => {
    expect(await graphql({ query: inlineMutation(siteContext(siteA.cloudId), bob.accountId) })).toEqual(
      refusal(forgeMessages.impersonationNoAppAccess(bob.accountId)),
    );
  });

  it('refuses an unknown user, a user of another site, and a site outside the system token', async () => {
    expect(await graphql({ query: inlineMutation(siteContext(siteA.cloudId), 'acc-nobody') })).toEqual(
      refusal(forgeMessages.impersonationUnknownUser('acc-nobody')),
    );
    expect(await graphql({ query: inlineMutation(siteContext(siteA.cloudId), carol.accountId) })).toEqual(
      refusal(forgeMessages.impersonationNotOnSite(carol.accountId, siteA.cloudId)),
    );
    expect(await graphql({ query: inlineMutation(siteContext(siteB.cloudId), carol.accountId) })).toEqual(
      refusal(forgeMessages.impersonationUnknownContext(siteContext(siteB.cloudId))),
    );
  });

  it('answers 401 without a valid system token', async () => {
    const query = inlineMutation(siteContext(siteA.cloudId), alice.accountId);
    const unauthorized = { status: 401, body: { errors: [{ message: forgeMessages.graphqlUnauthorized }] } };
    expect(await graphql({ query }, null)).toEqual(unauthorized);
    expect(await graphql({ query }, 'not-a-token')).toEqual(unauthorized);

    const { body } = await graphql({ query });
    expect(await graphql({ query }, body.data.offlineUserAuthToken.authToken.token)).toEqual(unauthorized);
  });

  it('answers 400 for other operations and for incomplete input', async () => {
    expect(await graphql({ query: '{ me { user { accountId } } }' })).toEqual({
      status: 400,
      body: { errors: [{ message: forgeMessages.graphqlUnknownOperation }] },
    });
    expect(
      await graphql({ query: 'mutation { offlineUserAuthToken(input: { contextIds: [] }) { success } }' }),
    ).toEqual({
      status: 400,
      body: { errors: [{ message: forgeMessages.impersonationBadInput }] },
    });
  });
});
