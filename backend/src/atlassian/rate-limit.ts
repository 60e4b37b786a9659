/**
 * Jira's hourly points budget as Atlassian reports it on every answer (`X-RateLimit-*`, `RateLimit-Reason`).
 * The budget belongs to an app identity, not to a connection: the managed OAuth app shares one pool across every
 * team, each bring-your-own client id has its own, and the Forge app (system and impersonation tokens) has one.
 */
import type { Services } from '../context';

export type AppIdentity = { kind: 'managed' } | { kind: 'custom'; clientId: string } | { kind: 'forge' };

export interface BudgetSnapshot {
  identity: AppIdentity;
  limit: number | null;
  remaining: number | null;
  /** When the hourly window resets, as Atlassian sent it (ISO-8601, minute precision). */
  resetAt: string | null;
  nearLimit: boolean;
  /** The `RateLimit-Reason` of the last limited answer, e.g. `jira-quota-global-based`. */
  lastLimitReason: string | null;
  lastLimitedAt: string | null;
  observedAt: string;
}

export function identityKey(identity: AppIdentity): string {
  return identity.kind === 'custom' ? `custom:${identity.clientId}` : identity.kind;
}

function numberHeader(headers: Pick<Headers, 'get'>, name: string): number | null {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export class RateLimitBudget {
  private readonly byIdentity = new Map<string, BudgetSnapshot>();

  constructor(private readonly now: () => Date) {}

  /** Records what one Jira answer says about the identity's budget; answers without budget headers change nothing. */
  observe(identity: AppIdentity, response: { status: number; headers: Pick<Headers, 'get'> }): void {
    const headers = response.headers;
    const limit = numberHeader(headers, 'x-ratelimit-limit');
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const reason = headers.get('ratelimit-reason');
    if (limit === null && remaining === null && reason === null) return;
    const key = identityKey(identity);
    const previous = this.byIdentity.get(key);
    const observedAt = this.now().toISOString();
    const limited = response.status === 429 && reason !== null;
    this.byIdentity.set(key, {
      identity,
      limit: limit ?? previous?.limit ?? null,
      remaining: remaining ?? previous?.remaining ?? null,
      resetAt: headers.get('x-ratelimit-reset') ?? previous?.resetAt ?? null,
      nearLimit: headers.get('x-ratelimit-nearlimit')?.toLowerCase() === 'true',
      lastLimitReason: limited ? reason : (previous?.lastLimitReason ?? null),
      lastLimitedAt: limited ? observedAt : (previous?.lastLimitedAt ?? null),
      observedAt,
    });
  }

  /** The last known budget of every identity seen, for /metrics. */
  all(): BudgetSnapshot[] {
    return [...this.byIdentity.values()];
  }

  /** The last known budget of each identity, in the order asked; identities never seen are left out. */
  snapshot(identities: AppIdentity[]): BudgetSnapshot[] {
    const seen = new Set<string>();
    const result: BudgetSnapshot[] = [];
    for (const identity of identities) {
      const key = identityKey(identity);
      const known = this.byIdentity.get(key);
      if (known && !seen.has(key)) result.push(known);
      seen.add(key);
    }
    return result;
  }
}

/** One tracker per backend (in its services' process state), so tests with their own services never share budgets. */
export function rateLimitBudget(services: Services): RateLimitBudget {
  return services.state.rateLimits;
}
