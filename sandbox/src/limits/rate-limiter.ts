/**
 * Jira's rate limits as documented for 3LO and Forge apps (jira-api.md §2.2): an hourly points budget per app
 * (1 point per call plus 1 per returned object for reads; writes cost 1) and a per-second burst limit.
 */

export interface RateLimits {
  hourlyPoints?: number;
  perSecond?: number;
}

export type RateLimitReason = 'jira-quota-tenant-based' | 'jira-burst-based';

export type AdmitResult =
  | { admitted: true }
  | { admitted: false; reason: RateLimitReason; retryAfterSeconds: number; headers: Record<string, string> };

const HOUR_MS = 3_600_000;

/** `yyyy-MM-ddTHH:mmZ`, the format Atlassian documents for X-RateLimit-Reset. */
export function formatResetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

export class RateLimiter {
  private limits: RateLimits | null = null;
  /** Per app: points used in the current clock hour. */
  private readonly hourly = new Map<string, { windowStart: number; used: number }>();
  /** Per app: requests admitted in the current second. */
  private readonly burst = new Map<string, { second: number; count: number }>();

  constructor(private readonly now: () => number) {}

  set(limits: RateLimits | null): void {
    this.limits =
      limits && (limits.hourlyPoints !== undefined || limits.perSecond !== undefined) ? limits : null;
    this.hourly.clear();
    this.burst.clear();
  }

  current(): RateLimits | null {
    return this.limits;
  }

  private hourWindow(appKey: string): { windowStart: number; used: number } {
    const windowStart = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
    let window = this.hourly.get(appKey);
    if (!window || window.windowStart !== windowStart) {
      window = { windowStart, used: 0 };
      this.hourly.set(appKey, window);
    }
    return window;
  }

  /** Decides before the call runs; the cost is charged afterwards with `charge`, when it is known. */
  admit(appKey: string): AdmitResult {
    const limits = this.limits;
    if (!limits) return { admitted: true };
    const now = this.now();
    if (limits.hourlyPoints !== undefined) {
      const window = this.hourWindow(appKey);
      if (window.used >= limits.hourlyPoints) {
        const resetAt = window.windowStart + HOUR_MS;
        return {
          admitted: false,
          reason: 'jira-quota-tenant-based',
          retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
          headers: this.budgetHeaders(appKey),
        };
      }
    }
    if (limits.perSecond !== undefined) {
      const second = Math.floor(now / 1000);
      let slot = this.burst.get(appKey);
      if (!slot || slot.second !== second) {
        slot = { second, count: 0 };
        this.burst.set(appKey, slot);
      }
      if (slot.count >= limits.perSecond) {
        return {
          admitted: false,
          reason: 'jira-burst-based',
          retryAfterSeconds: 1,
          headers: this.budgetHeaders(appKey),
        };
      }
      slot.count++;
    }
    return { admitted: true };
  }

  /** Charges the call and returns the X-RateLimit-* headers to send with it. */
  charge(appKey: string, points: number): Record<string, string> {
    if (this.limits?.hourlyPoints !== undefined) this.hourWindow(appKey).used += points;
    return this.budgetHeaders(appKey);
  }

  /** Headers describing the hourly budget; none when no hourly budget is set. */
  budgetHeaders(appKey: string): Record<string, string> {
    const limit = this.limits?.hourlyPoints;
    if (limit === undefined) return {};
    const window = this.hourWindow(appKey);
    const remaining = Math.max(0, limit - window.used);
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': formatResetTime(window.windowStart + HOUR_MS),
    };
    if (remaining < limit * 0.2) headers['X-RateLimit-NearLimit'] = 'true';
    return headers;
  }
}
