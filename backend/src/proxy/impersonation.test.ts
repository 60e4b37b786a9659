import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test-support/context';
import type { Services } from '../context';
import { ImpersonationTokens } from './impersonation';

function setup(ttl: number) {
  const clock = new ManualClock();
  const services = { clock, config: { atlassianApiUrl: 'https://api.example' } } as unknown as Services;
  let issued = 0;
  const fakeFetch = (async () => {
    issued += 1;
    return Response.json({
      data: {
        offlineUserAuthToken: { success: true, errors: [], authToken: { token: `token-${issued}`, ttl } },
      },
    });
  }) as typeof fetch;
  const tokens = new ImpersonationTokens(services, fakeFetch);
  const ask = (accountId = 'acc-1', installationId = 'inst-1') =>
    tokens.tokenFor({ installationId, cloudId: 'cloud-1', systemToken: 'system', accountId });
  return { clock, tokens, ask, issued: () => issued };
}

describe('impersonation tokens', () => {
  it('reuses a token until a minute before its ttl, then asks again', async () => {
    const { clock, ask, issued } = setup(3600);
    expect(await ask()).toBe('token-1');
    clock.advance(3600_000 - 61_000);
    expect(await ask()).toBe('token-1');
    clock.advance(2_000);
    expect(await ask()).toBe('token-2');
    expect(issued()).toBe(2);
  });

  it('renews short-lived tokens at nine tenths of their ttl', async () => {
    const { clock, ask } = setup(100);
    await ask();
    clock.advance(89_000);
    expect(await ask()).toBe('token-1');
    clock.advance(2_000);
    expect(await ask()).toBe('token-2');
  });

  it('keeps one token per installation and account', async () => {
    const { ask, issued } = setup(3600);
    const tokens = await Promise.all([ask('acc-1'), ask('acc-1'), ask('acc-2'), ask('acc-1', 'inst-2')]);
    expect(tokens).toEqual(['token-1', 'token-1', 'token-2', 'token-3']);
    expect(issued()).toBe(3);
  });

  it('does not cache a refusal', async () => {
    const clock = new ManualClock();
    const services = { clock, config: { atlassianApiUrl: 'https://api.example' } } as unknown as Services;
    let calls = 0;
    const refusing = (async () => {
      calls += 1;
      return Response.json({
        data: { offlineUserAuthToken: { success: false, errors: [{ message: 'no' }] } },
      });
    }) as typeof fetch;
    const tokens = new ImpersonationTokens(services, refusing);
    const input = { installationId: 'i', cloudId: 'c', systemToken: 's', accountId: 'acc-9' };
    await expect(tokens.tokenFor(input)).rejects.toThrow(proxyMessages.impersonationRefused('acc-9', 'no'));
    await expect(tokens.tokenFor(input)).rejects.toThrow();
    expect(calls).toBe(2);
  });
});
