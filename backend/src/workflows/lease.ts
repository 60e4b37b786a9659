/**
 * A running workflow run is owned by its worker for RUN_LEASE_MS at a time, renewed by a heartbeat three times a
 * lease for as long as the run goes on (a long Jira call included); a worker that stops renewing (a killed process) loses the run within a
 * lease, and the minute sweep hands it on (a read resumes, a write that may have reached Jira fails naming it).
 */
import { and, eq } from 'drizzle-orm';
import type { Services } from '../context';
import { workflowRuns } from '../db/schema';

/** How long a worker owns a running run without renewing; past it, the sweep treats the worker as gone. */
export const RUN_LEASE_MS = 60_000;
/** How often a running worker renews its lease: three times a lease. */
export const RUN_HEARTBEAT_MS = RUN_LEASE_MS / 3;

/** Calls `beat` every `ms` until stopped (the job's worker uses real time; tests drive their own). */
export type Heartbeat = (beat: () => void) => () => void;

export const intervalHeartbeat =
  (ms: number): Heartbeat =>
  (beat) => {
    const timer = setInterval(beat, ms);
    timer.unref();
    return () => clearInterval(timer);
  };

/** Extends the lease of this attempt; false when the run is no longer this worker's (another took it over). */
export async function renewRunLease(services: Services, runId: string, attempt: number): Promise<boolean> {
  const renewed = await services.db
    .update(workflowRuns)
    .set({ leaseExpiresAt: new Date(services.clock.now().getTime() + RUN_LEASE_MS) })
    .where(
      and(eq(workflowRuns.id, runId), eq(workflowRuns.state, 'running'), eq(workflowRuns.attempts, attempt)),
    )
    .returning({ id: workflowRuns.id });
  return renewed.length > 0;
}
