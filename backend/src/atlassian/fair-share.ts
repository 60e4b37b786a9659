/**
 * Fair use of a site's shared Atlassian budget. Atlassian gives each app one hourly budget per site and
 * answers 429 for minutes once it is spent, to every team that shares the app. The backend tracks each
 * (app identity, site) budget from `X-RateLimit-*`; while more than LOW_FRACTION of it is left every call
 * passes, and once it runs low what was left is split evenly among the consumers (each team, the sync worker,
 * the workflow runner) active in the last minute: a consumer over its share gets our own 429 with
 * Retry-After (the window's reset) and a message saying why, before Atlassian refuses everyone.
 *
 * One admission function for every caller: `admitAtlassianCall` before the call, `observeAtlassianBudget`
 * with each answer. State is per process (each process splits what it sees; Atlassian's own headers keep
 * every process's view of `remaining` current).
 */
import { limitMessages } from '@jira-integration/shared/security-messages';
import type { Services } from '../context';
import { type AppIdentity, identityKey } from './rate-limit';

/** Below this fraction of the hourly limit, the rest is shared out. */
export const LOW_FRACTION = 0.2;
/** A consumer counts as active this long after its last call. */
export const ACTIVE_WINDOW_MS = 60_000;
/** Retry-After when Atlassian gave no reset time. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export type BudgetConsumer = { kind: 'team'; teamId: string } | { kind: 'sync' } | { kind: 'workflows' };

export interface AtlassianCallTarget {
  identity: AppIdentity;
  cloudId: string;
  /** How the site is named in the refusal (its URL when known). */
  site?: string;
}

/** What is read of an answer: a Response, or the proxy's view of an undici answer. */
export type AnswerSeen = { status: number; headers: Pick<Headers, 'get'> };

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number; message: string };

function consumerKey(consumer: BudgetConsumer): string {
  return consumer.kind === 'team' ? `team:${consumer.teamId}` : consumer.kind;
}

interface SiteBudget {
  limit: number | null;
  remaining: number | null;
  resetAtMs: number | null;
  /** Atlassian answered 429: nobody calls until then. */
  blockedUntilMs: number;
  lastSeen: Map<string, number>;
  /** Set while the budget is low: what was left when it went low, and each consumer's calls since. */
  low: { remainingAtStart: number; used: Map<string, number> } | null;
}

export class FairShare {
  private readonly sites = new Map<string, SiteBudget>();

  constructor(private readonly now: () => number) {}

  private budgetOf(target: AtlassianCallTarget): SiteBudget {
    const key = `${identityKey(target.identity)}|${target.cloudId}`;
    let budget = this.sites.get(key);
    if (!budget) {
      budget = {
        limit: null,
        remaining: null,
        resetAtMs: null,
        blockedUntilMs: 0,
        lastSeen: new Map(),
        low: null,
      };
      this.sites.set(key, budget);
    }
    return budget;
  }

  observe(target: AtlassianCallTarget, response: AnswerSeen): void {
    const budget = this.budgetOf(target);
    const number = (name: string) => {
      const value = response.headers.get(name);
      const parsed = value === null || value.trim() === '' ? Number.NaN : Number(value);
      return Number.isFinite(parsed) ? parsed : null;
    };
    budget.limit = number('x-ratelimit-limit') ?? budget.limit;
    budget.remaining = number('x-ratelimit-remaining') ?? budget.remaining;
    const reset = Date.parse(response.headers.get('x-ratelimit-reset') ?? '');
    if (Number.isFinite(reset)) budget.resetAtMs = reset;
    if (response.status === 429) {
      const retryAfter = number('retry-after');
      budget.blockedUntilMs = this.now() + (retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS) * 1000;
    }
  }

  admit(target: AtlassianCallTarget, consumer: BudgetConsumer): Admission {
    const budget = this.budgetOf(target);
    const now = this.now();
    const key = consumerKey(consumer);
    budget.lastSeen.set(key, now);
    const site = target.site ?? target.cloudId;
    const refuse = (untilMs: number | null): Admission => {
      const retryAfterSeconds =
        untilMs !== null && untilMs > now ? Math.ceil((untilMs - now) / 1000) : DEFAULT_RETRY_AFTER_SECONDS;
      return {
        admitted: false,
        retryAfterSeconds,
        message: limitMessages.siteBudgetLow(site, retryAfterSeconds),
      };
    };
    if (budget.blockedUntilMs > now) return refuse(budget.blockedUntilMs);
    if (budget.resetAtMs !== null && now >= budget.resetAtMs) {
      // A new window: what we knew about the old one no longer holds.
      budget.remaining = null;
      budget.resetAtMs = null;
      budget.low = null;
    }
    if (
      budget.limit === null ||
      budget.remaining === null ||
      budget.remaining > budget.limit * LOW_FRACTION
    ) {
      budget.low = null;
      return { admitted: true };
    }
    budget.low ??= { remainingAtStart: budget.remaining, used: new Map() };
    let active = 0;
    for (const [name, seen] of budget.lastSeen) {
      if (now - seen <= ACTIVE_WINDOW_MS) active += 1;
      else budget.lastSeen.delete(name);
    }
    const share = Math.floor(budget.low.remainingAtStart / Math.max(1, active));
    const used = budget.low.used.get(key) ?? 0;
    if (used >= share) return refuse(budget.resetAtMs);
    budget.low.used.set(key, used + 1);
    return { admitted: true };
  }
}

function fairShare(services: Services): FairShare {
  return services.state.fairShare;
}

/**
 * Call before every Atlassian call made for a consumer. `{admitted: false}` carries the Retry-After and the
 * message of the 429 to answer instead of calling.
 */
export function admitAtlassianCall(
  services: Services,
  target: AtlassianCallTarget,
  consumer: BudgetConsumer,
): Admission {
  return fairShare(services).admit(target, consumer);
}

/** Call with every Atlassian answer (retried ones too), e.g. as atlassianFetch's `onResponse`. */
export function observeAtlassianBudget(
  services: Services,
  target: AtlassianCallTarget,
  response: AnswerSeen,
): void {
  fairShare(services).observe(target, response);
}
