/**
 * Every ten minutes: expired console sessions, OAuth states past their 10 minutes, failed-key windows that
 * ended and Forge invocation tokens past their expiry are deleted. pg-boss runs the schedule once across the
 * cluster; each delete is idempotent, so a repeat is harmless.
 */

import { pruneExpiredStates } from '../connections/service';
import type { Services } from '../context';
import { pruneUsedInvocationTokens } from '../forge/replay';
import { pruneIdempotentRequests } from '../http/idempotency';
import { pruneAuthFailures } from './rate-limits';
import { pruneExpiredSessions } from './sessions';

export const SECURITY_PRUNE_JOB = 'security.prune-expired';

export async function pruneExpired(services: Services) {
  const now = services.clock.now();
  const pruned = {
    sessions: await pruneExpiredSessions(services.db, now),
    oauthStates: await pruneExpiredStates(services),
    authFailures: await pruneAuthFailures(services),
    invocationTokens: await pruneUsedInvocationTokens(services),
    idempotentRequests: await pruneIdempotentRequests(services.db, now),
  };
  if (Object.values(pruned).some(Boolean)) services.logger.info(pruned, 'pruned expired security records');
  return pruned;
}

export async function registerSecurityJobs(services: Services): Promise<void> {
  await services.queue.work(SECURITY_PRUNE_JOB, async () => {
    await pruneExpired(services);
  });
  await services.queue.boss.schedule(SECURITY_PRUNE_JOB, '*/10 * * * *');
}
