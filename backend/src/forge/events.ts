/**
 * Jira events from the Forge app: accepted fast, stored once per event, queued for the sync worker.
 * Forge redelivers a failed event up to four times with the same event and a `retryContext`, in a
 * `{payload: …}` envelope; first deliveries may come as the bare event. Both shapes are read.
 */
import { createHash } from 'node:crypto';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { and, desc, eq, isNotNull, lt } from 'drizzle-orm';
import type { Services } from '../context';
import { forgeEvents } from '../db/schema';
import { ApiError } from '../http/errors';
import { markIssueLinksPending } from '../sync/links';
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

/** Stores the event unless it is stored already, and queues a new one for the worker. */
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
  try {
    await services.queue.send(FORGE_EVENT_JOB, { eventId: stored.id });
  } catch (error) {
    // Without a job the event would sit unprocessed; dropping it lets Forge's redelivery try again.
    await services.db.delete(forgeEvents).where(eq(forgeEvents.id, stored.id));
    throw error;
  }
  return { eventId: stored.id, duplicate: false };
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
 * The event job: the issue's links wait for the sync worker, which applies the change to the linked platform
 * ticket according to the sync configuration.
 */
export async function processForgeEvent(services: Services, eventId: number): Promise<void> {
  const [event] = await services.db.select().from(forgeEvents).where(eq(forgeEvents.id, eventId));
  if (!event) return;
  // Both steps are idempotent, so a job retried after a crash between them does no harm.
  await markIssueLinksPending(services, event.cloudId, event.issueId);
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
