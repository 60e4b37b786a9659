/**
 * Attack: one team's burst spent the managed app's budget on a site and the other team got Atlassian's 429
 * for 240 s. As the site's budget runs low, each consumer (team, sync worker, workflows) gets a fair share of
 * what is left and the backend answers its own 429 to whoever is over it, before Atlassian does.
 */
import {
  type AtlassianCallTarget,
  admitAtlassianCall,
  type BudgetConsumer,
  observeAtlassianBudget,
} from '@jira-integration/backend/atlassian/fair-share';
import {
  createTestContext,
  ManualClock,
  type TestContext,
} from '@jira-integration/backend/test-support/context';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('fair share of a site’s Atlassian budget', () => {
  let t: TestContext;
  const clock = new ManualClock(new Date('2026-11-23T10:00:00Z'));
  const resetAt = '2026-11-23T10:30:00Z';
  const acme: AtlassianCallTarget = {
    identity: { kind: 'managed' },
    cloudId: 'acme-cloud',
    site: 'https://acme.atlassian.net',
  };
  const teamA: BudgetConsumer = { kind: 'team', teamId: 'team-a' };
  const teamB: BudgetConsumer = { kind: 'team', teamId: 'team-b' };
  const sync: BudgetConsumer = { kind: 'sync' };
  let remaining = 100;

  beforeAll(async () => {
    t = await createTestContext({ clock });
  });
  afterAll(() => t.close());

  /** One call as Atlassian would account it: admitted → Atlassian answers with the budget left. */
  function call(consumer: BudgetConsumer, target = acme) {
    const admission = admitAtlassianCall(t.services, target, consumer);
    if (!admission.admitted) return admission;
    remaining -= 1;
    observeAtlassianBudget(
      t.services,
      target,
      new Response(null, {
        status: 200,
        headers: {
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': String(remaining),
          'x-ratelimit-reset': resetAt,
        },
      }),
    );
    return admission;
  }

  it('with plenty left every call passes; when it runs low a bursting team is held to its share', async () => {
    // Team B and the sync worker are active too.
    expect(call(teamB).admitted).toBe(true);
    expect(call(sync).admitted).toBe(true);
    let burst = 0;
    while (call(teamA).admitted) burst += 1;
    // Down to 20 % (20 left) freely, then a third of those 20.
    expect(remaining).toBeGreaterThan(0);
    expect(burst).toBe(98 - 20 + Math.floor(20 / 3));
    const refused = admitAtlassianCall(t.services, acme, teamA);
    expect(refused).toEqual({
      admitted: false,
      retryAfterSeconds: 1800,
      message: limitMessages.siteBudgetLow('https://acme.atlassian.net', 1800),
    });
  });

  it('the other team and the sync worker still get their shares: Atlassian never runs dry', async () => {
    for (let n = 0; n < Math.floor(20 / 3); n += 1) {
      expect(call(teamB).admitted).toBe(true);
      expect(call(sync).admitted).toBe(true);
    }
    expect(call(teamB).admitted).toBe(false);
    expect(remaining).toBeGreaterThan(0);
  });

  it('another site’s budget is its own', () => {
    const globex: AtlassianCallTarget = { identity: { kind: 'managed' }, cloudId: 'globex-cloud' };
    expect(admitAtlassianCall(t.services, globex, teamA).admitted).toBe(true);
  });

  it('a new hourly window lets everyone through again', () => {
    clock.advance(30 * 60_000);
    expect(admitAtlassianCall(t.services, acme, teamA).admitted).toBe(true);
  });

  it('after Atlassian’s own 429 nobody calls until its Retry-After', () => {
    observeAtlassianBudget(
      t.services,
      acme,
      new Response(null, { status: 429, headers: { 'retry-after': '240' } }),
    );
    expect(admitAtlassianCall(t.services, acme, teamB)).toMatchObject({
      admitted: false,
      retryAfterSeconds: 240,
    });
    clock.advance(240_000);
    expect(admitAtlassianCall(t.services, acme, teamB).admitted).toBe(true);
  });
});
