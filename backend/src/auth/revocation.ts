/**
 * Revoked API keys, as seen by hot paths that cache keys in memory (the proxy): `isApiKeyRevoked` answers
 * from a per-process set refreshed from the database at most once a second, so a key revoked on any process
 * stops working on every process within a second, at one small query a second whatever the traffic.
 * Routes that look the key up in the database on each request (requireTeam) see a revocation at once.
 */
import { gt, isNotNull } from 'drizzle-orm';
import type { Services } from '../context';
import { apiKeys } from '../db/schema';

/** How stale the revoked set may be. */
export const REVOCATION_STALENESS_MS = 1_000;
/** Revocations are re-read this far back: processes' clocks differ and a revoking transaction commits late. */
const OVERLAP_MS = 60_000;

export class KeyRevocations {
  private readonly revoked = new Set<string>();
  /** Newest revocation time seen: the next refresh reads only what came after it. */
  private newest: Date | null = null;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly services: Services) {}

  async isRevoked(keyId: string): Promise<boolean> {
    if (this.services.clock.now().getTime() - this.refreshedAt >= REVOCATION_STALENESS_MS) {
      this.inFlight ??= this.refresh().finally(() => {
        this.inFlight = null;
      });
      await this.inFlight;
    }
    return this.revoked.has(keyId);
  }

  private async refresh() {
    const startedAt = this.services.clock.now().getTime();
    const rows = await this.services.db
      .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(
        this.newest
          ? gt(apiKeys.revokedAt, new Date(this.newest.getTime() - OVERLAP_MS))
          : isNotNull(apiKeys.revokedAt),
      );
    for (const row of rows) {
      this.revoked.add(row.id);
      if (row.revokedAt && (!this.newest || row.revokedAt > this.newest)) this.newest = row.revokedAt;
    }
    this.refreshedAt = startedAt;
  }
}

/**
 * Whether the key (by id) is revoked, at most REVOCATION_STALENESS_MS stale on this process. For callers
 * that keep a key → team cache: check this before trusting a cached key.
 */
export function isApiKeyRevoked(services: Services, keyId: string): Promise<boolean> {
  return services.state.keyRevocations.isRevoked(keyId);
}
