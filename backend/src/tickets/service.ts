/**
 * Platform tickets. Every change a person makes writes, in the same transaction, an outbox row that the sync
 * worker turns into Jira writes (see sync/outbound.ts): a committed change is never lost, an aborted one never
 * leaks to Jira. Changes the sync applies from Jira go through sync/inbound.ts and write no outbox row.
 */
import { randomUUID } from 'node:crypto';
import { ticketMessages } from '@jira-integration/shared/sync-messages';
import { and, asc, desc, eq, ilike, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Services } from '../context';
import {
  issueSyncLinks,
  jiraConnections,
  syncConfigs,
  syncOutbox,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  ticketComments,
  tickets,
} from '../db/schema';
import { ApiError } from '../http/errors';
import { notifyOutbox } from './outbox';

export type Ticket = typeof tickets.$inferSelect;
export type TicketComment = typeof ticketComments.$inferSelect;
type Tx = Parameters<Parameters<Services['db']['transaction']>[0]>[0];

/** The fields a person edits and the sync keeps equal on both sides. */
export const SYNCED_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'requesterEmail',
  'assigneeEmail',
] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

const email = () =>
  z
    .email({ message: ticketMessages.invalidEmail })
    .max(320)
    .transform((value) => value.toLowerCase());

export const ticketCreateInput = z.strictObject({
  title: z.string().trim().min(1, ticketMessages.titleRequired).max(255),
  description: z.string().max(32_000).default(''),
  status: z.enum(TICKET_STATUSES).default('open'),
  priority: z.enum(TICKET_PRIORITIES).default('medium'),
  requesterEmail: email().nullable().optional(),
  assigneeEmail: email().nullable().optional(),
});
export const ticketUpdateInput = z.strictObject({
  title: z.string().trim().min(1, ticketMessages.titleRequired).max(255).optional(),
  description: z.string().max(32_000).optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  requesterEmail: email().nullable().optional(),
  assigneeEmail: email().nullable().optional(),
});
export const commentInput = z.strictObject({
  body: z.string().trim().min(1, ticketMessages.commentBodyRequired).max(32_000),
  visibility: z.enum(['public', 'internal']).default('public'),
  authorEmail: email().nullable().optional(),
});
export type TicketCreateInput = z.infer<typeof ticketCreateInput>;
export type TicketUpdateInput = z.infer<typeof ticketUpdateInput>;
export type CommentInput = z.infer<typeof commentInput>;

export const newTicketId = () => `tkt_${randomUUID().replace(/-/g, '')}`;
export const newCommentId = () => `cmt_${randomUUID().replace(/-/g, '')}`;

/**
 * The team's connection new tickets sync to: the oldest with saved settings that push to Jira. A ticket made
 * before any such settings existed takes it at its next change, which then goes to Jira with the whole ticket.
 */
async function pushConnectionOf(tx: Tx, teamId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: syncConfigs.connectionId })
    .from(syncConfigs)
    .innerJoin(jiraConnections, eq(jiraConnections.id, syncConfigs.connectionId))
    .where(
      and(eq(syncConfigs.teamId, teamId), inArray(syncConfigs.strategy, ['two_way', 'platform_to_jira'])),
    )
    .orderBy(asc(jiraConnections.createdAt))
    .limit(1);
  return row?.id ?? null;
}

async function writeOutbox(tx: Tx, ticket: Ticket, commentId: string | null, now: Date) {
  if (!ticket.connectionId) return false;
  await tx
    .insert(syncOutbox)
    .values({ teamId: ticket.teamId, ticketId: ticket.id, commentId, createdAt: now });
  return true;
}

export async function createTicket(
  services: Services,
  teamId: string,
  input: TicketCreateInput,
): Promise<Ticket> {
  const now = services.clock.now();
  const stamp = now.toISOString();
  const { ticket, queued } = await services.db.transaction(async (tx) => {
    const [ticket] = await tx
      .insert(tickets)
      .values({
        id: newTicketId(),
        teamId,
        title: input.title,
        description: input.description,
        status: input.status,
        priority: input.priority,
        requesterEmail: input.requesterEmail ?? null,
        assigneeEmail: input.assigneeEmail ?? null,
        connectionId: await pushConnectionOf(tx, teamId),
        fieldChangedAt: Object.fromEntries(SYNCED_FIELDS.map((field) => [field, stamp])),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return { ticket, queued: await writeOutbox(tx, ticket, null, now) };
  });
  if (queued) await notifyOutbox(services, ticket.id);
  return ticket;
}

export async function findTicket(services: Services, teamId: string, id: string): Promise<Ticket> {
  const [ticket] = await services.db
    .select()
    .from(tickets)
    .where(and(eq(tickets.id, id), eq(tickets.teamId, teamId)));
  if (!ticket) throw new ApiError('not_found', ticketMessages.notFound);
  return ticket;
}

export async function updateTicket(
  services: Services,
  teamId: string,
  id: string,
  input: TicketUpdateInput,
): Promise<Ticket> {
  const now = services.clock.now();
  const { ticket, queued } = await services.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.id, id), eq(tickets.teamId, teamId)))
      .for('update');
    if (!current) throw new ApiError('not_found', ticketMessages.notFound);
    const changed = SYNCED_FIELDS.filter(
      (field) => input[field] !== undefined && input[field] !== current[field],
    );
    if (!changed.length) return { ticket: current, queued: false };
    const fieldChangedAt = { ...current.fieldChangedAt };
    for (const field of changed) fieldChangedAt[field] = now.toISOString();
    const [ticket] = await tx
      .update(tickets)
      .set({
        ...Object.fromEntries(changed.map((field) => [field, input[field] ?? null])),
        fieldChangedAt,
        connectionId: current.connectionId ?? (await pushConnectionOf(tx, teamId)),
        updatedAt: now,
      })
      .where(eq(tickets.id, id))
      .returning();
    return { ticket, queued: await writeOutbox(tx, ticket, null, now) };
  });
  if (queued) await notifyOutbox(services, ticket.id);
  return ticket;
}

export async function addTicketComment(
  services: Services,
  teamId: string,
  ticketId: string,
  input: CommentInput,
): Promise<TicketComment> {
  const now = services.clock.now();
  const { comment, queued } = await services.db.transaction(async (tx) => {
    const [found] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.id, ticketId), eq(tickets.teamId, teamId)));
    if (!found) throw new ApiError('not_found', ticketMessages.notFound);
    const ticket = { ...found, connectionId: found.connectionId ?? (await pushConnectionOf(tx, teamId)) };
    const [comment] = await tx
      .insert(ticketComments)
      .values({
        id: newCommentId(),
        ticketId,
        body: input.body,
        visibility: input.visibility,
        authorEmail: input.authorEmail ?? null,
        source: 'platform',
        createdAt: now,
      })
      .returning();
    await tx
      .update(tickets)
      .set({ connectionId: ticket.connectionId, updatedAt: now })
      .where(eq(tickets.id, ticketId));
    return { comment, queued: await writeOutbox(tx, ticket, comment.id, now) };
  });
  if (queued) await notifyOutbox(services, ticketId);
  return comment;
}

export async function listTicketComments(services: Services, ticketId: string): Promise<TicketComment[]> {
  return services.db
    .select()
    .from(ticketComments)
    .where(eq(ticketComments.ticketId, ticketId))
    .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id));
}

export interface TicketFilter {
  status?: (typeof TICKET_STATUSES)[number];
  priority?: (typeof TICKET_PRIORITIES)[number];
  assigneeEmail?: string;
  requesterEmail?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

function encodeCursor(ticket: Ticket): string {
  return Buffer.from(JSON.stringify([ticket.createdAt.toISOString(), ticket.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new ApiError('invalid_request', ticketMessages.invalidCursor);
  }
}

/** Newest first; `nextCursor` continues after the last one returned (stable under inserts). */
export async function listTickets(
  services: Services,
  teamId: string,
  filter: TicketFilter,
): Promise<{ tickets: Ticket[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(tickets.teamId, teamId)];
  if (filter.status) conditions.push(eq(tickets.status, filter.status));
  if (filter.priority) conditions.push(eq(tickets.priority, filter.priority));
  if (filter.assigneeEmail) conditions.push(eq(tickets.assigneeEmail, filter.assigneeEmail.toLowerCase()));
  if (filter.requesterEmail) conditions.push(eq(tickets.requesterEmail, filter.requesterEmail.toLowerCase()));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    conditions.push(or(ilike(tickets.title, pattern), ilike(tickets.description, pattern)) as SQL);
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    conditions.push(
      or(
        lt(tickets.createdAt, after.createdAt),
        and(eq(tickets.createdAt, after.createdAt), lt(tickets.id, after.id)),
      ) as SQL,
    );
  }
  const rows = await services.db
    .select()
    .from(tickets)
    .where(and(...conditions))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    tickets: page,
    nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1]) : null,
  };
}

export type TicketLink = typeof issueSyncLinks.$inferSelect;

export async function linksOf(services: Services, ticketIds: string[]): Promise<Map<string, TicketLink>> {
  if (!ticketIds.length) return new Map();
  const rows = await services.db
    .select()
    .from(issueSyncLinks)
    .where(inArray(issueSyncLinks.ticketId, ticketIds));
  return new Map(rows.map((row) => [row.ticketId, row]));
}

export function presentTicket(ticket: Ticket, link: TicketLink | undefined, siteUrl?: string) {
  return {
    id: ticket.id,
    title: ticket.title,
    description: ticket.description,
    status: ticket.status,
    priority: ticket.priority,
    requesterEmail: ticket.requesterEmail,
    assigneeEmail: ticket.assigneeEmail,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    jira: link
      ? {
          issueId: link.issueId,
          issueKey: link.issueKey,
          url: siteUrl ? `${siteUrl}/browse/${link.issueKey}` : null,
          state: link.state,
        }
      : null,
  };
}

export function presentComment(comment: TicketComment) {
  return {
    id: comment.id,
    body: comment.body,
    visibility: comment.visibility,
    authorEmail: comment.authorEmail,
    source: comment.source,
    createdAt: comment.createdAt.toISOString(),
  };
}
