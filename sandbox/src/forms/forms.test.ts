import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { UNIMPLEMENTED_HEADER } from '../api/mount';
import { type Sandbox, startSandbox } from '../index';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const forms = (path: string, token?: string) =>
  callSandbox(sandbox, 'GET', `/jira/forms/cloud/${DEFAULT_SEED.acme}${path}`, { token });

describe('Forms API host', () => {
  it('answers at /jira/forms/cloud/{cloudId}, hiding what the caller cannot browse', async () => {
    const alice = userToken(sandbox, DEFAULT_SEED.alice);
    expect(await forms('/issue/ENG-1/form', alice)).toMatchObject({ status: 200, body: [] });
    expect(await forms('/project/SUP/form', alice)).toMatchObject({ status: 200, body: [] });
    const bob = userToken(sandbox, DEFAULT_SEED.bob);
    expect(await forms('/issue/ENG-1/form', bob)).toMatchObject({
      status: 404,
      body: { errors: [{ status: 404, code: 'ISSUE_NOT_FOUND' }] },
    });
    expect((await forms('/issue/ENG-1/form')).status).toBe(401);
  });

  it('applies the gateway’s per-call rules to impersonation tokens', async () => {
    const actingAs = (accountId: string) => {
      const token = `impersonation-${accountId}`;
      sandbox.tokens.add(token, {
        kind: 'impersonation',
        appId: 'forge-app',
        accountId,
        cloudIds: [DEFAULT_SEED.acme],
        scopes: ['read:jira-work', 'read:form:jira'],
        expiresAt: Date.now() + 3_600_000,
      });
      return token;
    };
    const alice = actingAs(DEFAULT_SEED.alice);
    expect(await forms('/issue/ENG-1/form', alice)).toMatchObject({ status: 200, body: [] });
    // Alice removes the app from her account: the token she was impersonated with stops working at once.
    const aliceRecord = sandbox.state.users.get(DEFAULT_SEED.alice);
    if (!aliceRecord) throw new Error('seeded user missing');
    aliceRecord.appAccess = false;
    try {
      expect(await forms('/issue/ENG-1/form', alice)).toMatchObject({
        status: 401,
        body: { errors: [{ status: 401, code: 'UNAUTHORIZED' }] },
      });
    } finally {
      aliceRecord.appAccess = true;
    }
  });

  it('answers 501 with the marking header for Forms operations it does not implement', async () => {
    const answer = await forms(
      '/issue/ENG-1/form/abc/format/answers',
      userToken(sandbox, DEFAULT_SEED.alice),
    );
    expect([answer.status, answer.headers.get(UNIMPLEMENTED_HEADER)]).toEqual([
      501,
      'GET /jira/forms/cloud/{cloudId}/issue/ENG-1/form/abc/format/answers',
    ]);
  });
});
