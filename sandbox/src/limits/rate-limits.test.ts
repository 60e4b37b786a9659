import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callSandbox, DEFAULT_SEED, userToken } from '../../test-support/seed';
import { API_MESSAGES } from '../api/errors';
import { type Sandbox, startSandbox } from '../index';
import { formatResetTime } from './rate-limiter';

/** 10:15 past the hour, so the hourly window resets at 11:00. */
const start = Date.parse('2026-11-20T10:15:00.250Z');
let nowMs = start;
let sandbox: Sandbox;
let alice: string;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => nowMs });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  nowMs = start;
  sandbox.reset();
  alice = userToken(sandbox, DEFAULT_SEED.alice);
});

const get = (path: string, token = alice) =>
  callSandbox(sandbox, 'GET', `/ex/jira/${DEFAULT_SEED.acme}${path}`, { token });

describe('rate limits', () => {
  it('sends no rate-limit headers when no hourly budget is set', async () => {
    const answer = await get('/rest/api/3/myself');
    expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('charges 1 per call plus 1 per returned object, and reports the budget on every answer', async () => {
    sandbox.setRateLimits({ hourlyPoints: 20 });
    const me = await get('/rest/api/3/myself');
    expect(me.headers.get('x-ratelimit-limit')).toBe('20');
    expect(me.headers.get('x-ratelimit-remaining')).toBe('18');
    expect(me.headers.get('x-ratelimit-reset')).toBe('2026-11-20T11:00Z');
    expect(me.headers.get('x-ratelimit-nearlimit')).toBeNull();
    const priorities = await get('/rest/api/3/priority');
    expect(priorities.headers.get('x-ratelimit-remaining')).toBe('12');
    const write = await callSandbox(sandbox, 'PUT', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/issue/ENG-1`, {
      token: alice,
      body: { fields: { summary: 'x' } },
    });
    expect(write.headers.get('x-ratelimit-remaining')).toBe('11');
    const jsm = await get('/rest/servicedeskapi/servicedesk');
    expect(jsm.headers.get('x-ratelimit-remaining')).toBe('9');
  });

  it('flags the last 20% and then answers 429 with the quota reason until the hour resets', async () => {
    sandbox.setRateLimits({ hourlyPoints: 10 });
    await get('/rest/api/3/priority');
    const atTwentyPercent = await get('/rest/api/3/myself');
    expect(atTwentyPercent.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(atTwentyPercent.headers.get('x-ratelimit-nearlimit')).toBeNull();
    const near = await get('/rest/api/3/myself');
    expect(near.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(near.headers.get('x-ratelimit-nearlimit')).toBe('true');
    const limited = await get('/rest/api/3/myself');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2700');
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-quota-tenant-based');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.body).toEqual({ errorMessages: [API_MESSAGES.rateLimited], errors: {} });
    const jsm = await get('/rest/servicedeskapi/servicedesk');
    expect(jsm.body).toEqual({
      errorMessage: API_MESSAGES.rateLimited,
      i18nErrorMessage: { i18nKey: 'sd.rate.limit.exceeded', parameters: [] },
    });

    nowMs = Date.parse('2026-11-20T11:00:00Z');
    const nextHour = await get('/rest/api/3/myself');
    expect(nextHour.status).toBe(200);
    expect(nextHour.headers.get('x-ratelimit-reset')).toBe('2026-11-20T12:00Z');
  });

  it('keeps a budget per app: another OAuth client is not affected', async () => {
    sandbox.setRateLimits({ hourlyPoints: 2 });
    await get('/rest/api/3/myself');
    expect((await get('/rest/api/3/myself')).status).toBe(429);
    const otherApp = userToken(sandbox, DEFAULT_SEED.alice, { clientId: 'another-app' });
    expect((await get('/rest/api/3/myself', otherApp)).status).toBe(200);
  });

  it('limits bursts per second with jira-burst-based and Retry-After 1', async () => {
    sandbox.setRateLimits({ perSecond: 2 });
    expect((await get('/rest/api/3/myself')).status).toBe(200);
    expect((await get('/rest/api/3/myself')).status).toBe(200);
    const burst = await get('/rest/api/3/myself');
    expect(burst.status).toBe(429);
    expect(burst.headers.get('retry-after')).toBe('1');
    expect(burst.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    nowMs += 1000;
    expect((await get('/rest/api/3/myself')).status).toBe(200);
  });

  it('formats the reset time as yyyy-MM-ddTHH:mmZ', () => {
    expect(formatResetTime(Date.parse('2026-01-02T03:04:59.999Z'))).toBe('2026-01-02T03:04Z');
  });

  it('can be configured at start and comes back after reset', async () => {
    const limited = await startSandbox({ rateLimits: { hourlyPoints: 5 } });
    try {
      const token = userToken(limited, DEFAULT_SEED.alice);
      const first = await callSandbox(limited, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
        token,
      });
      expect(first.headers.get('x-ratelimit-limit')).toBe('5');
      limited.setRateLimits(null);
      limited.reset();
      const again = userToken(limited, DEFAULT_SEED.alice);
      const second = await callSandbox(limited, 'GET', `/ex/jira/${DEFAULT_SEED.acme}/rest/api/3/myself`, {
        token: again,
      });
      expect(second.headers.get('x-ratelimit-remaining')).toBe('3');
    } finally {
      await limited.close();
    }
  });
});
