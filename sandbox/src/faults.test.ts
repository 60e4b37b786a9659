import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../test-support/seed';
import { type Sandbox, startSandbox } from './index';

let sandbox: Sandbox;
let alice: string;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  alice = userToken(sandbox, DEFAULT_SEED.alice);
});

const myself = (init: RequestInit = {}) =>
  fetch(`${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
    ...init,
    headers: { authorization: `Bearer ${alice}` },
  });

describe('fault switch', () => {
  it('answers an injected status with Retry-After, for `times` requests only', async () => {
    sandbox.setFault({ kind: 'status', status: 503, retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await myself();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({ code: 503, message: 'Service Unavailable' });
    }
    expect((await myself()).status).toBe(200);
  });

  it('only hits requests that match method and path', async () => {
    sandbox.setFault({
      kind: 'status',
      status: 500,
      match: { method: 'post', pathIncludes: '/oauth/token' },
    });
    expect((await myself()).status).toBe(200);
    const token = await callSandbox(sandbox, 'POST', '/oauth/token', {
      body: { grant_type: 'refresh_token' },
    });
    expect(token.status).toBe(500);
    sandbox.setFault(null);
    expect((await callSandbox(sandbox, 'POST', '/oauth/token', { body: {} })).status).toBe(400);
  });

  it('never applies to the /_sandbox admin routes', async () => {
    sandbox.setFault({ kind: 'status', status: 500 });
    expect((await callSandbox(sandbox, 'GET', '/_sandbox/stats')).status).toBe(200);
  });

  it('slow: answers after the delay', async () => {
    sandbox.setFault({ kind: 'slow', delayMs: 60_000, times: 1 });
    await expect(myself({ signal: AbortSignal.timeout(200) })).rejects.toThrow();
    sandbox.setFault({ kind: 'slow', delayMs: 20, times: 1 });
    const response = await myself();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accountId: string }).accountId).toBe(DEFAULT_SEED.alice);
  });

  it('timeout: never answers, until the client gives up', async () => {
    sandbox.setFault({ kind: 'timeout', times: 1 });
    await expect(myself({ signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await myself()).status).toBe(200);
  });

  it('reset: the connection drops', async () => {
    sandbox.setFault({ kind: 'reset', times: 1 });
    await expect(myself()).rejects.toThrow('fetch failed');
    expect((await myself()).status).toBe(200);
  });

  it('a hanging request does not keep the sandbox from closing', async () => {
    const other = await startSandbox();
    other.setFault({ kind: 'timeout' });
    const hanging = fetch(`${other.url}/rest/api/3/anything`).catch((error: Error) => error);
    // Close only once the request is being held by the server.
    while (other.stats().requests === 0) await new Promise((resolve) => setImmediate(resolve));
    await other.close();
    expect(await hanging).toBeInstanceOf(Error);
  });
});
