/**
 * Jira → platform. Every trigger (an event, reconciliation, backfill, Retry) re-reads the issue as it is now and
 * merges it into the linked ticket field by field against the link's shadow (the last synced values):
 *
 * - Jira value = shadow: nothing changed in Jira (an echo of the sync's own write, a duplicate or late event).
 * - platform value = shadow: only Jira changed: the ticket takes Jira's value.
 * - both changed: the later change wins (Jira's `updated` against the ticket field's change time); Jira wins
 *   ties. A platform win is written to Jira by the outbox row the platform change already committed.
 *
 * Because the issue is read fresh, events that arrive twice, late or out of order change nothing beyond the
 * issue's current state; per-issue work is serialised by the ticket's lease.
 */
import { syncErrorMessages } from '@jira-integration/shared/sync-messages';
import { and, eq, isNotNull } from 'drizzle-orm';
import { JiraError } from '../atlassian/jira';
import type { Services } from '../context';
import { refusedValue } from '../db/client';
import {
  issueSyncLinks,
  type TicketPriority,
  type TicketStatus,
  ticketComments,
  tickets,
} from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { newCommentId, newTicketId, type Ticket } from '../tickets/service';
import { canonicalMarkdown, toMarkdown } from './adf';
import { pullsFromJira, type SyncConfig } from './config';
import { serviceAccountJson, writtenBySync } from './jira-client';
import type { IssueSyncLink } from './links';
import {
  ISSUE_FIELDS,
  type JiraIssue,
  jiraValues,
  PAIR_FIELDS,
  type PairValues,
  platformValueOf,
  TICKET_FIELD_OF,
  TICKET_PROPERTY,
} from './mapping';
import { withLease } from './outbox';

export type PullOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'ignored'
  | 'deleted'
  | 'not_pulling'
  | 'error';

async function readIssue(services: Services, connection: JiraConnection, issueId: string) {
  try {
    return await serviceAccountJson<JiraIssue>(services, connection, 'GET', `/rest/api/3/issue/${issueId}`, {
      query: { fields: ISSUE_FIELDS, properties: TICKET_PROPERTY },
    });
  } catch (error) {
    if (error instanceof JiraError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Brings one issue's current state into the platform for one connection: applies it to the linked ticket, or
 * creates the ticket when the strategy pulls from Jira and the issue is in the configured project.
 */
export async function pullIssue(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
  issueId: string,
  options: { holdingLease?: boolean; issue?: JiraIssue | null } = {},
): Promise<PullOutcome> {
  try {
    return await pullIssueOnce(services, connection, config, issueId, options);
  } catch (error) {
    // Jira's text is made storable as it is read (atlassian/content.ts); a value the database still refuses is
    // this issue's failure, shown on its link, never a job that fails again and again.
    const refused = refusedValue(error);
    if (!refused) throw error;
    services.logger.warn({ issueId, connectionId: connection.id, ...refused }, 'Jira issue content refused');
    await services.db
      .update(issueSyncLinks)
      .set({
        state: 'error',
        lastError: syncErrorMessages.unstorableContent(options.issue?.key ?? issueId),
        updatedAt: services.clock.now(),
      })
      .where(and(eq(issueSyncLinks.connectionId, connection.id), eq(issueSyncLinks.issueId, issueId)));
    return 'error';
  }
}

async function pullIssueOnce(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
  issueId: string,
  options: { holdingLease?: boolean; issue?: JiraIssue | null },
): Promise<PullOutcome> {
  const [link] = await services.db
    .select()
    .from(issueSyncLinks)
    .where(and(eq(issueSyncLinks.connectionId, connection.id), eq(issueSyncLinks.issueId, issueId)));
  if (!link) {
    if (!pullsFromJira(config)) return 'not_pulling';
    const issue =
      options.issue !== undefined ? options.issue : await readIssue(services, connection, issueId);
    if (!issue || issue.fields.project?.id !== config.projectId) return 'ignored';
    return createTicketFromIssue(services, connection, config, issue);
  }
  const apply = async () => {
    const issue =
      options.issue !== undefined ? options.issue : await readIssue(services, connection, issueId);
    return mergeIssue(services, connection, config, link, issue);
  };
  return options.holdingLease ? apply() : withLease(services, link.ticketId, apply);
}

function ticketValuesFrom(
  config: SyncConfig,
  values: PairValues,
  current: Ticket | undefined,
): { values: Partial<Ticket>; problems: string[]; fields: Set<string> } {
  const result: Partial<Ticket> = {};
  const problems: string[] = [];
  const fields = new Set<string>();
  for (const field of PAIR_FIELDS) {
    const jira = values[field];
    if (field === 'status' || field === 'priority') {
      if (jira === null) continue;
      const mapped =
        field === 'status'
          ? platformValueOf<TicketStatus>(config.statusMapping, jira, current?.status)
          : platformValueOf<TicketPriority>(config.priorityMapping, jira, current?.priority);
      if (!mapped) {
        problems.push(field);
        continue;
      }
      (result as Record<string, unknown>)[field] = mapped;
    } else {
      (result as Record<string, unknown>)[TICKET_FIELD_OF[field]] =
        field === 'summary' ? jira || '(no summary)' : jira;
    }
    fields.add(field);
  }
  return { values: result, problems, fields };
}

function unmappedMessage(issue: JiraIssue, field: string): string {
  return field === 'status'
    ? syncErrorMessages.unmappedJiraValue('status', issue.fields.status?.name ?? '')
    : syncErrorMessages.unmappedJiraValue('priority', issue.fields.priority?.name ?? '');
}

/** The issue's comments the service account wrote: the sync's own writes (or notes), never echoed back. */
async function commentsBySync(services: Services, connection: JiraConnection, issue: JiraIssue) {
  const own = new Set<string>();
  for (const comment of issue.fields.comment?.comments ?? []) {
    if (await writtenBySync(services, connection, comment.author)) own.add(comment.id);
  }
  return own;
}

async function importComments(
  tx: Parameters<Parameters<Services['db']['transaction']>[0]>[0],
  ticketId: string,
  issue: JiraIssue,
  bySync: Set<string>,
): Promise<number> {
  let added = 0;
  for (const comment of issue.fields.comment?.comments ?? []) {
    if (bySync.has(comment.id)) continue;
    const inserted = await tx
      .insert(ticketComments)
      .values({
        id: newCommentId(),
        ticketId,
        body: toMarkdown(comment.body),
        visibility: comment.jsdPublic === false ? 'internal' : 'public',
        authorEmail: comment.author?.emailAddress?.toLowerCase() ?? null,
        source: 'jira',
        jiraCommentId: comment.id,
        createdAt: comment.created ? new Date(comment.created) : new Date(),
      })
      .onConflictDoNothing()
      .returning({ id: ticketComments.id });
    added += inserted.length;
  }
  return added;
}

/** Whether a ticket of the connection is creating an issue with this issue's title right now. */
async function creatingIssue(services: Services, connection: JiraConnection, issue: JiraIssue) {
  const [creating] = await services.db
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      and(
        eq(tickets.connectionId, connection.id),
        eq(tickets.title, issue.fields.summary ?? ''),
        isNotNull(tickets.jiraCreateStartedAt),
      ),
    )
    .limit(1);
  return Boolean(creating);
}

async function createTicketFromIssue(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
  issue: JiraIssue,
): Promise<PullOutcome> {
  const property = issue.properties?.[TICKET_PROPERTY] as { ticketId?: string; teamId?: string } | undefined;
  // The platform made this issue (its create is still finishing, or crashed before linking): that ticket's
  // worker links it; a second ticket must not appear.
  if (property?.teamId === connection.teamId) return 'ignored';
  // A JSM request the sync raised is marked just after it is made: until then (or after a crash in between) it
  // is recognised by the ticket creating an issue with its title, whose retry claims it.
  if (
    !property &&
    (await writtenBySync(services, connection, issue.fields.creator)) &&
    (await creatingIssue(services, connection, issue))
  )
    return 'ignored';
  const values = jiraValues(issue);
  const mapped = ticketValuesFrom(config, values, undefined);
  const bySync = await commentsBySync(services, connection, issue);
  const now = services.clock.now();
  const changedAt = (issue.fields.updated ? new Date(issue.fields.updated) : now).toISOString();
  return services.db.transaction(async (tx) => {
    const ticketId = newTicketId();
    const [link] = await tx
      .insert(issueSyncLinks)
      .values({
        teamId: connection.teamId,
        connectionId: connection.id,
        cloudId: connection.cloudId,
        issueId: issue.id,
        issueKey: issue.key,
        ticketId,
        ticketTitle: values.summary ?? '',
        state: mapped.problems.length ? 'error' : 'synced',
        lastError: mapped.problems.length ? unmappedMessage(issue, mapped.problems[0]) : null,
        lastSyncedAt: now,
        shadow: values,
        jiraUpdatedAt: issue.fields.updated ? new Date(issue.fields.updated) : null,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    // Another worker linked the issue first.
    if (!link) return 'unchanged';
    await tx.insert(tickets).values({
      id: ticketId,
      teamId: connection.teamId,
      title: mapped.values.title ?? '(no summary)',
      description: mapped.values.description ?? '',
      status: mapped.values.status ?? 'open',
      priority: mapped.values.priority ?? 'medium',
      requesterEmail: mapped.values.requesterEmail ?? null,
      assigneeEmail: mapped.values.assigneeEmail ?? null,
      connectionId: connection.id,
      fieldChangedAt: Object.fromEntries(Object.values(TICKET_FIELD_OF).map((field) => [field, changedAt])),
      createdAt: issue.fields.created ? new Date(issue.fields.created) : now,
      updatedAt: now,
    });
    await importComments(tx, ticketId, issue, bySync);
    return 'created';
  });
}

async function mergeIssue(
  services: Services,
  connection: JiraConnection,
  config: SyncConfig,
  link: IssueSyncLink,
  issue: JiraIssue | null,
): Promise<PullOutcome> {
  const now = services.clock.now();
  if (!issue) {
    await services.db
      .update(issueSyncLinks)
      .set({ state: 'error', lastError: syncErrorMessages.issueDeleted(link.issueKey), updatedAt: now })
      .where(eq(issueSyncLinks.id, link.id));
    return 'deleted';
  }
  const [ticket] = await services.db.select().from(tickets).where(eq(tickets.id, link.ticketId));
  if (!ticket) return 'ignored';
  const jira = jiraValues(issue);
  const shadow = link.shadow as Partial<PairValues>;
  const jiraChangedAt = issue.fields.updated ? new Date(issue.fields.updated) : now;
  const mapped = ticketValuesFrom(config, jira, ticket);
  const updates: Record<string, unknown> = {};
  const fieldChangedAt = { ...ticket.fieldChangedAt };
  const nextShadow: Record<string, string | null> = { ...link.shadow };
  const pulls = pullsFromJira(config);
  for (const field of PAIR_FIELDS) {
    if (jira[field] === (shadow[field] ?? null)) continue;
    if (!mapped.fields.has(field) || !pulls) continue;
    const column = TICKET_FIELD_OF[field];
    const platformChangedAt = ticket.fieldChangedAt[column]
      ? new Date(ticket.fieldChangedAt[column])
      : new Date(0);
    const platformMoved = !platformUnchanged(ticket, config, field, shadow);
    // Both sides changed: the later change wins; Jira wins ties.
    if (platformMoved && platformChangedAt > jiraChangedAt) continue;
    if ((ticket[column] ?? null) !== (mapped.values[column] ?? null)) {
      updates[column] = mapped.values[column] ?? null;
      fieldChangedAt[column] = jiraChangedAt.toISOString();
    }
    nextShadow[field] = jira[field];
  }
  const problems = pulls ? mapped.problems : [];
  const bySync = pulls ? await commentsBySync(services, connection, issue) : new Set<string>();
  const lastError = problems.length ? unmappedMessage(issue, problems[0]) : null;
  const outcome = await services.db.transaction(async (tx) => {
    if (Object.keys(updates).length) {
      await tx
        .update(tickets)
        .set({ ...updates, fieldChangedAt, updatedAt: now })
        .where(eq(tickets.id, ticket.id));
    }
    const comments = pulls ? await importComments(tx, ticket.id, issue, bySync) : 0;
    await tx
      .update(issueSyncLinks)
      .set({
        shadow: nextShadow,
        issueKey: issue.key,
        jiraUpdatedAt: jiraChangedAt,
        ticketTitle: (updates.title as string | undefined) ?? ticket.title,
        ...(lastError
          ? { state: 'error' as const, lastError }
          : { state: 'synced' as const, lastError: null, lastSyncedAt: now }),
        updatedAt: now,
      })
      .where(eq(issueSyncLinks.id, link.id));
    return Object.keys(updates).length || comments ? 'updated' : 'unchanged';
  });
  return lastError ? 'error' : outcome;
}

/** The ticket still holds what was last synced for this field (in Jira's terms), so only Jira moved. */
function platformUnchanged(
  ticket: Ticket,
  config: SyncConfig,
  field: string,
  shadow: Partial<PairValues>,
): boolean {
  const base = shadow[field as keyof PairValues] ?? null;
  switch (field) {
    case 'status':
      return base !== null && config.statusMapping[ticket.status]?.includes(base);
    case 'priority':
      return base !== null && config.priorityMapping[ticket.priority]?.includes(base);
    case 'description':
      return canonicalMarkdown(ticket.description) === base;
    default:
      return (ticket[TICKET_FIELD_OF[field as keyof typeof TICKET_FIELD_OF]] ?? null) === base;
  }
}
