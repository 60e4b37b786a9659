/**
 * Forge invocation tokens used for a state-changing call are remembered (their hash, until they expire) in
 * the database, so the same token is accepted once on whichever process it reaches.
 */
import { createHash } from 'node:crypto';
import { lte } from 'drizzle-orm';
import type { Services } from '../context';
import { forgeTokenUses } from '../db/schema';

/** Records the token's use; false when it was used before (a replay). */
export async function useInvocationTokenOnce(
  services: Services,
  token: string,
  expiresAt: Date,
): Promise<boolean> {
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const inserted = await services.db
    .insert(forgeTokenUses)
    .values({ tokenHash, expiresAt })
    .onConflictDoNothing()
    .returning({ tokenHash: forgeTokenUses.tokenHash });
  return inserted.length === 1;
}

/** Tokens past their expiry can no longer verify, so their use need not be remembered (the prune job). */
export async function pruneUsedInvocationTokens(services: Services): Promise<number> {
  const removed = await services.db
    .delete(forgeTokenUses)
    .where(lte(forgeTokenUses.expiresAt, services.clock.now()))
    .returning({ tokenHash: forgeTokenUses.tokenHash });
  return removed.length;
}
