import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../test-support/database';
import { type ForgeTestBed, siteA, startForgeTestBed } from '../../test-support/forge';
import { readInvocation } from './verify';

const installationId = 'ari:cloud:ecosystem::installation/11111111-2222-3333-4444-555555555555';

describe.each(testDatabaseKinds())('Forge invocation token verification (%s)', (kind) => {
  let bed: ForgeTestBed;
  let apiBaseUrl: string;
  const appClaim = () => ({
    id: bed.platform.appId,
    installationId,
    apiBaseUrl,
    installation: { id: installationId, contexts: [{ name: 'jira', apiBaseUrl, cloudId: siteA.cloudId }] },
  });
  const nowSeconds = () => Math.floor(bed.clock.now() / 1000);

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
    apiBaseUrl = `${bed.sandboxUrl}/ex/jira/${siteA.cloudId}`;
  });
  afterAll(() => bed.close());

  /** The admin overview answers 404 (not installed) once a token verifies: any other answer than 401 is a pass. */
  async function call(token: string | null) {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    return bed.backend.app.request(FORGE_UI_PATHS.adminOverview, { headers });
  }

  async function expectRejected(
    token: string | null,
    message: string = forgeMessages.invalidInvocationToken,
  ) {
    const response = await call(token);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_invocation_token', message } });
  }

  it('accepts a token signed by the Forge JWKS for this app', async () => {
    const response = await call(await bed.platform.signInvocationToken({ app: appClaim() }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: 'forge_not_installed', message: forgeMessages.notInstalled },
    });
  });

  it('rejects a missing or non-bearer authorization header', async () => {
    await expectRejected(null, forgeMessages.missingInvocationToken);
    const response = await bed.backend.app.request(FORGE_UI_PATHS.adminOverview, {
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(response.status).toBe(401);
  });

  it('rejects a token signed by another key under the JWKS key id (forged)', async () => {
    const genuine = await bed.platform.signInvocationToken({ app: appClaim() });
    const { kid } = decodeProtectedHeader(genuine);
    const attacker = await generateKeyPair('RS256');
    const forged = await new SignJWT({ app: appClaim() })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer('forge/invocation-token')
      .setAudience(bed.platform.appId)
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + 25)
      .sign(attacker.privateKey);
    await expectRejected(forged);
  });

  it('rejects an expired token, and one not valid yet', async () => {
    await expectRejected(
      await bed.platform.signInvocationToken({
        app: appClaim(),
        iat: nowSeconds() - 60,
        exp: nowSeconds() - 30,
      }),
    );
    await expectRejected(await bed.platform.signInvocationToken({ app: appClaim(), nbf: nowSeconds() + 60 }));
  });

  it('allows a few seconds of clock skew, no more', async () => {
    const justExpired = await bed.platform.signInvocationToken({
      app: appClaim(),
      iat: nowSeconds() - 27,
      exp: nowSeconds() - 2,
    });
    expect((await call(justExpired)).status).toBe(404);
    const longExpired = await bed.platform.signInvocationToken({
      app: appClaim(),
      iat: nowSeconds() - 45,
      exp: nowSeconds() - 20,
    });
    await expectRejected(longExpired);
  });

  it('rejects a token for another app (wrong audience)', async () => {
    await expectRejected(
      await bed.platform.signInvocationToken({
        app: appClaim(),
        aud: 'ari:cloud:ecosystem::app/another-app',
      }),
    );
  });

  it('rejects a token from another issuer', async () => {
    await expectRejected(
      await bed.platform.signInvocationToken({ app: appClaim(), iss: 'forge/context-token' }),
    );
  });

  it('rejects an unsigned token (alg none)', async () => {
    const unsigned = new UnsecuredJWT({ app: appClaim() })
      .setIssuer('forge/invocation-token')
      .setAudience(bed.platform.appId)
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + 25)
      .encode();
    await expectRejected(unsigned);
  });

  it('rejects an HS256 token, even one keyed with the public JWKS', async () => {
    const jwks = (await (await fetch(bed.platform.jwksUrl())).json()) as {
      keys: Array<{ n: string; kid: string }>;
    };
    const hs256 = await new SignJWT({ app: appClaim() })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid })
      .setIssuer('forge/invocation-token')
      .setAudience(bed.platform.appId)
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + 25)
      .sign(new TextEncoder().encode(jwks.keys[0].n));
    await expectRejected(hs256);
  });

  it('rejects a verified token whose claims name no installation or site', async () => {
    await expectRejected(await bed.platform.signInvocationToken({}));
    await expectRejected(
      await bed.platform.signInvocationToken({
        app: { id: bed.platform.appId, apiBaseUrl: 'https://x.example' },
      }),
    );
  });

  it('never logs the invocation token', async () => {
    const rejected = await bed.platform.signInvocationToken({ app: appClaim(), aud: 'wrong' });
    await call(rejected);
    expect(bed.backend.logs.text()).not.toContain(rejected);
    expect(bed.backend.logs.text()).toContain('Forge invocation token rejected');
  });
});

describe('reading identity from claims', () => {
  it('takes the site from the installation contexts, else from the API base URL', () => {
    const base = {
      aud: 'app',
      app: { installationId: 'inst-1', apiBaseUrl: 'https://api.atlassian.com/ex/jira/cloud-9/' },
    };
    expect(readInvocation(base)).toMatchObject({
      installationId: 'inst-1',
      cloudId: 'cloud-9',
      apiBaseUrl: 'https://api.atlassian.com/ex/jira/cloud-9',
    });
    expect(
      readInvocation({ ...base, app: { ...base.app, installation: { contexts: [{ cloudId: 'cloud-7' }] } } })
        ?.cloudId,
    ).toBe('cloud-7');
  });

  it('reads the UI context: site, issue and principal', () => {
    const invocation = readInvocation({
      aud: 'app',
      app: { installation: { id: 'inst-2' }, apiBaseUrl: 'https://api.atlassian.com/ex/jira/cloud-9' },
      context: { cloudId: 'cloud-9', extension: { issue: { id: 10001, key: 'SUP-1' } } },
      principal: 'acc-1',
    });
    expect(invocation).toMatchObject({
      installationId: 'inst-2',
      principal: 'acc-1',
      context: { cloudId: 'cloud-9', issue: { id: '10001', key: 'SUP-1' } },
    });
  });
});
