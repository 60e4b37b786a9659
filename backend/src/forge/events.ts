/**
 * Jira events from the Forge app: accepted fast, stored once per event, queued for the sync worker.
 * Forge redelivers a failed event up to four times with the same event and a `retryContext`, in a
 * `{payload: …}` envelope; first deliveries may come as the bare event. Both shapes are read.
 */
import { createHash } from 'node:crypto';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { and, desc, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Services } from '../context';
import { forgeEvents } from '../db/schema';
import { ApiError } from '../http/errors';
import { applyJiraEvent } from '../sync/issue-sync';
import type { ForgeInvocation } from './verify';

export const FORGE_EVENT_JOB = 'forge.jira-event';

export interface ForgeJiraEvent {
  eventType: string;
  issueId: string;
  issueKey: string | null;
  commentId: string | null;
  /** The event without `retryContext`, as stored. */
  payload: Record<string, unknown>;
  retryCount: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const idOf = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : null;

/** Reads either envelope; throws 400 when the event names no type or issue. */
export function parseForgeEvent(body: unknown): ForgeJiraEvent {
  const envelope = isRecord(body) ? body : {};
  const event = isRecord(envelope.payload) ? envelope.payload : envelope;
  const { retryContext, ...payload } = event;
  const issue = isRecord(payload.issue) ? payload.issue : {};
  const comment = isRecord(payload.comment) ? payload.comment : {};
  const eventType = typeof payload.eventType === 'string' ? payload.eventType : '';
  const issueId = idOf(issue.id);
  if (!eventType || !issueId) throw new ApiError('invalid_event', forgeMessages.invalidEvent);
  const retry = isRecord(retryContext)
    ? retryContext
    : isRecord(envelope.retryContext)
      ? envelope.retryContext
      : {};
  return {
    eventType,
    issueId,
    issueKey: typeof issue.key === 'string' ? issue.key : null,
    commentId: idOf(comment.id),
    payload,
    retryCount: typeof retry.retryCount === 'number' ? retry.retryCount : 0,
  };
}

/** The same event on every delivery: retries resend it unchanged, only `retryContext` differs. */
export function eventDedupeKey(cloudId: string, event: ForgeJiraEvent): string {
  const changelog = isRecord(event.payload.changelog) ? idOf(event.payload.changelog.id) : null;
  const identity = [
    cloudId,
    event.eventType,
    event.issueId,
    idOf(event.payload.timestamp) ?? '',
    event.commentId ?? '',
    changelog ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Stores the event unless it is stored already: one insert, deduplicated by its unique key, and nothing else
 * before Forge gets its answer (Forge gives 5 s). The row is the durable record; the job that processes it is
 * queued afterwards, and requeueStrandedEvents picks up any row whose job never got queued (a crash right
 * after answering, a lost connection).
 */
export async function acceptForgeEvent(
  services: Services,
  invocation: ForgeInvocation,
  event: ForgeJiraEvent,
): Promise<{ eventId: number | null; duplicate: boolean }> {
  const [stored] = await services.db
    .insert(forgeEvents)
    .values({
      dedupeKey: eventDedupeKey(invocation.cloudId, event),
      cloudId: invocation.cloudId,
      installationId: invocation.installationId,
      eventType: event.eventType,
      issueId: event.issueId,
      issueKey: event.issueKey,
      commentId: event.commentId,
      payload: event.payload,
      receivedAt: services.clock.now(),
    })
    .onConflictDoNothing({ target: forgeEvents.dedupeKey })
    .returning({ id: forgeEvents.id });
  if (!stored) return { eventId: null, duplicate: true };
  return { eventId: stored.id, duplicate: false };
}

/** Event ids waiting to be queued, per backend: a burst's jobs go out in a few statements, not one each. */
const toQueue = new WeakMap<Services, { ids: number[]; flushing: boolean }>();

/**
 * Queues the stored event's job; called after the answer went out, so a failure only delays it (the requeue
 * sweep picks the event up). Ids arriving while a batch is being written go out together in the next one.
 */
export function queueForgeEvent(services: Services, eventId: number): void {
  let pending = toQueue.get(services);
  if (!pending) {
    pending = { ids: [], flushing: false };
    toQueue.set(services, pending);
  }
  pending.ids.push(eventId);
  if (!pending.flushing) void flushQueuedEvents(services, pending);
}

async function flushQueuedEvents(services: Services, pending: { ids: number[]; flushing: boolean }) {
  pending.flushing = true;
  try {
    while (pending.ids.length > 0) {
      const ids = pending.ids.splice(0);
      await services.queue
        .sendMany(
          FORGE_EVENT_JOB,
          ids.map((eventId) => ({ eventId })),
        )
        .catch((error) => {
          services.logger.warn(
            { err: error, eventIds: ids },
            'Forge events stored but not queued yet; the requeue sweep will',
          );
        });
    }
  } finally {
    pending.flushing = false;
  }
}

/** An unprocessed event older than this has lost its job (or waits behind a long backlog): queue it again. */
export const STRANDED_EVENT_AGE_MS = 60_000;

/**
 * Queues a job for every unprocessed event received over STRANDED_EVENT_AGE_MS ago. Processing is idempotent,
 * so an event whose job was merely slow is processed once and its second job finds it done.
 */
export async function requeueStrandedEvents(services: Services): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - STRANDED_EVENT_AGE_MS);
  const stranded = await services.db
    .select({ id: forgeEvents.id })
    .from(forgeEvents)
    .where(and(isNull(forgeEvents.processedAt), lt(forgeEvents.receivedAt, cutoff)))
    .orderBy(forgeEvents.id)
    .limit(1000);
  for (const { id } of stranded) await services.queue.send(FORGE_EVENT_JOB, { eventId: id });
  return stranded.length;
}

/** Queues the latest stored event of an issue again; null when that issue has no stored event. */
export async function requeueLatestIssueEvent(
  services: Services,
  cloudId: string,
  issueId: string,
): Promise<number | null> {
  const [latest] = await services.db
    .select({ id: forgeEvents.id })
    .from(forgeEvents)
    .where(and(eq(forgeEvents.cloudId, cloudId), eq(forgeEvents.issueId, issueId)))
    .orderBy(desc(forgeEvents.receivedAt), desc(forgeEvents.id))
    .limit(1);
  if (!latest) return null;
  await services.db.update(forgeEvents).set({ processedAt: null }).where(eq(forgeEvents.id, latest.id));
  await services.queue.send(FORGE_EVENT_JOB, { eventId: latest.id });
  return latest.id;
}

/**
 * The event job: every team syncing the site re-reads the issue and merges it into its ticket (or creates one),
 * see sync/issue-sync.ts. Both steps are idempotent, so a job retried after a crash between them does no harm.
 */
export async function processForgeEvent(services: Services, eventId: number): Promise<void> {
  const [event] = await services.db.select().from(forgeEvents).where(eq(forgeEvents.id, eventId));
  // Gone (pruned) or done already: a second job for the same event (requeue sweep, an expired job's retry)
  // changes nothing. Retry from the issue panel clears processedAt before it queues the event again.
  if (!event || event.processedAt) return;
  await applyJiraEvent(services, event);
  await services.db
    .update(forgeEvents)
    .set({ processedAt: services.clock.now() })
    .where(eq(forgeEvents.id, eventId));
}

/** How long processed events are kept: long enough to retry a sync from the panel, short enough to stay small. */
export const FORGE_EVENT_RETENTION_MS = 14 * 24 * 3600_000;

/** Deletes processed events older than the retention; unprocessed ones stay whatever their age. */
export async function pruneProcessedEvents(services: Services): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - FORGE_EVENT_RETENTION_MS);
  const deleted = await services.db
    .delete(forgeEvents)
    .where(and(isNotNull(forgeEvents.processedAt), lt(forgeEvents.receivedAt, cutoff)))
    .returning({ id: forgeEvents.id });
  return deleted.length;
}
