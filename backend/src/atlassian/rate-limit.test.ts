import { describe, expect, it } from 'vitest';
import { RateLimitBudget } from './rate-limit';

const at = new Date('2026-11-23T10:15:00Z');

describe('rate-limit budget', () => {
  it('keeps the last reported budget per identity and remembers the last limit reason', () => {
    const budget = new RateLimitBudget(() => at);
    budget.observe(
      { kind: 'managed' },
      new Response(null, {
        headers: {
          'x-ratelimit-limit': '65000',
          'x-ratelimit-remaining': '12000',
          'x-ratelimit-nearlimit': 'true',
        },
      }),
    );
    budget.observe(
      { kind: 'managed' },
      new Response(null, {
        status: 429,
        headers: { 'ratelimit-reason': 'jira-quota-global-based', 'x-ratelimit-reset': '2026-11-23T11:00Z' },
      }),
    );
    budget.observe(
      { kind: 'custom', clientId: 'byo' },
      new Response(null, { headers: { 'x-ratelimit-remaining': '5' } }),
    );
    expect(budget.snapshot([{ kind: 'managed' }, { kind: 'forge' }])).toEqual([
      {
        identity: { kind: 'managed' },
        limit: 65000,
        remaining: 12000,
        resetAt: '2026-11-23T11:00Z',
        nearLimit: false,
        lastLimitReason: 'jira-quota-global-based',
        lastLimitedAt: at.toISOString(),
        observedAt: at.toISOString(),
      },
    ]);
    expect(budget.snapshot([{ kind: 'custom', clientId: 'byo' }])[0].remaining).toBe(5);
    expect(budget.snapshot([{ kind: 'custom', clientId: 'other' }])).toEqual([]);
  });

  it('ignores answers without budget headers', () => {
    const budget = new RateLimitBudget(() => at);
    budget.observe({ kind: 'forge' }, new Response('{}'));
    expect(budget.snapshot([{ kind: 'forge' }])).toEqual([]);
  });
});
