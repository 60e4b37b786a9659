/**
 * Platform → Jira: the worker that turns a ticket's outbox rows into Jira writes, as the Forge service account.
 *
 * - Only fields whose platform value differs from the last synced value (the link's shadow) are written, in one
 *   edit; status moves through the workflow's available transitions, several steps where needed.
 * - Creating an issue is idempotent: the ticket id goes onto the issue as an entity property in the create call
 *   itself, and the attempt's start is committed first; a retry after a crash finds the issue by that property
 *   before creating anything.
 * - Jira events that arrived for the issue but are not applied yet are applied first, so a newer Jira value is
 *   not overwritten by an older platform one (last writer wins per field, Jira wins ties).
 */
import { syncErrorMessages } from '@jira-integration/shared/sync-messages';
import { and, eq, inArray, isNotNull, isNull, lte, ne } from 'drizzle-orm';
import { JiraError } from '../atlassian/jira';
import type { Services } from '../context';
import {
  forgeEvents,
  issueSyncLinks,
  jiraConnections,
  syncOutbox,
  ticketComments,
  tickets,
} from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { notifyOutbox } from '../tickets/outbox';
import type { Ticket } from '../tickets/service';
import { canonicalMarkdown, toAdf, toMarkdown } from './adf';
import { findSyncConfig, pushesToJira, type SyncConfig } from './config';
import { pullIssue } from './inbound';
import {
  jiraErrorDetail,
  SyncRateLimitedError,
  SyncSetupError,
  serviceAccountJson,
  syncRuntime,
  writtenBySync,
} from './jira-client';
import type { IssueSyncLink } from './links';
import {
  ISSUE_FIELDS,
  type JiraComment,
  type JiraIssue,
  type JiraUser,
  jiraValues,
  type PairValues,
  platformValues,
  TICKET_PROPERTY,
  ticketPropertyValue,
} from './mapping';
import { LeaseBusyError, withLease } from './outbox';
import { syncReadiness } from './readiness';
import { markIssueWithTicket, raiseRequest, raisesRequests } from './requests';

type Connection = JiraConnection;

/** The site user with exactly this email, or null (cached per process: Jira calls are the scarce resource). */
async function accountIdOf(
  services: Services,
  connection: Connection,
  email: string,
): Promise<string | null> {
  const cache = syncRuntime(services).accountIds;
  const key = `${connection.cloudId}:${email}`;
  if (cache.has(key)) return cache.get(key) ?? null;
  const users = await serviceAccountJson<JiraUser[]>(services, connection, 'GET', '/rest/api/3/user/search', {
    query: { query: email, maxResults: 10 },
  });
  const found = users.find((user) => user.emailAddress?.toLowerCase() === email) ?? null;
  cache.set(key, found?.accountId ?? null);
  return found?.accountId ?? null;
}

const INTERNAL = [{ key: 'sd.public.comment', value: { internal: true } }];

async function postComment(
  services: Services,
  connection: Connection,
  issueId: string,
  markdown: string,
  internal: boolean,
): Promise<JiraComment> {
  return serviceAccountJson<JiraComment>(
    services,
    connection,
    'POST',
    `/rest/api/3/issue/${issueId}/comment`,
    {
      body: { body: toAdf(markdown), ...(internal ? { properties: INTERNAL } : {}) },
    },
  );
}

/** The most transitions one status change takes (a workflow's longest sensible path, with steps back). */
const MAX_TRANSITION_STEPS = 8;

/**
 * Moves the issue to `targetId` through available transitions: the direct one when offered, else one to a status
 * not seen yet, else (a dead end) one not yet taken from this status, which steps back so another branch is tried.
 */
async function transitionTo(
  services: Services,
  connection: Connection,
  issue: { id: string; key: string },
  fromId: string | null,
  targetId: string,
  /** Told each status the walk reached on its way (the sync's own write: it becomes the shadow's status). */
  reached: (statusId: string) => Promise<void>,
): Promise<void> {
  const visited = new Set(fromId ? [fromId] : []);
  const taken = new Set<string>();
  let at = fromId ?? '';
  const names = new Map<string, string>();
  let steps = 0;
  /** Where the walk stopped and why, on the link; the next attempt starts from the status reached. */
  const stopped = (error: unknown) => {
    if (error instanceof SyncRateLimitedError || steps === 0) return error;
    const name = (id: string) => names.get(id) ?? id;
    return new SyncSetupError(
      syncErrorMessages.statusWalkStopped(
        issue.key,
        name(targetId),
        name(at),
        steps,
        describeSyncError(error),
      ),
    );
  };
  for (let step = 0; step < MAX_TRANSITION_STEPS; step += 1) {
    let next: { id: string; to: { id: string; name: string } } | undefined;
    try {
      const { transitions } = await serviceAccountJson<{
        transitions: Array<{ id: string; to: { id: string; name: string } }>;
      }>(services, connection, 'GET', `/rest/api/3/issue/${issue.id}/transitions`);
      for (const transition of transitions) names.set(transition.to.id, transition.to.name);
      next =
        transitions.find((transition) => transition.to.id === targetId) ??
        transitions.find((transition) => !visited.has(transition.to.id)) ??
        transitions.find((transition) => !taken.has(`${at}>${transition.id}`));
      if (!next) break;
      await serviceAccountJson(services, connection, 'POST', `/rest/api/3/issue/${issue.id}/transitions`, {
        body: { transition: { id: next.id } },
      });
    } catch (error) {
      throw stopped(error);
    }
    if (next.to.id === targetId) return;
    steps += 1;
    taken.add(`${at}>${next.id}`);
    visited.add(next.to.id);
    at = next.to.id;
    await reached(at);
  }
  throw new SyncSetupError(syncErrorMessages.noTransitionPath(targetId, issue.key));
}

/**
 * An issue this ticket's interrupted create left on Jira: found by the ticket property. A JSM request gets the
 * property just after it is raised, so a crash in between leaves it unmarked: such a request (this project,
 * created by the app since the attempt began, no ticket property, this ticket's title) is this ticket's when it
 * is the only one and no other ticket on the site (any team) is creating an issue with the same title; it is then
 * marked and used. When the title was edited since the attempt began, any unmarked request of the app may be
 * this ticket's. Anything less certain is left to the admin rather than risking a second issue.
 */
async function findCreatedIssue(
  services: Services,
  connection: Connection,
  config: SyncConfig,
  ticket: Ticket,
): Promise<JiraIssue | null> {
  const since = new Date((ticket.jiraCreateStartedAt?.getTime() ?? 0) - 60_000);
  const jql = `project = ${config.projectKey} AND created >= "${since.toISOString().slice(0, 16).replace('T', ' ')}" ORDER BY created DESC`;
  const titleEdited =
    ticket.jiraCreateStartedAt !== null &&
    ticket.fieldChangedAt.title !== undefined &&
    new Date(ticket.fieldChangedAt.title) > ticket.jiraCreateStartedAt;
  const unmarked: JiraIssue[] = [];
  let nextPageToken: string | undefined;
  do {
    const page = await serviceAccountJson<{ issues: JiraIssue[]; nextPageToken?: string; isLast?: boolean }>(
      services,
      connection,
      'POST',
      '/rest/api/3/search/jql',
      {
        body: { jql, fields: [ISSUE_FIELDS], properties: [TICKET_PROPERTY], maxResults: 100, nextPageToken },
      },
    );
    for (const issue of page.issues) {
      const property = issue.properties?.[TICKET_PROPERTY] as { ticketId?: string } | undefined;
      if (property?.ticketId === ticket.id) return issue;
      const byApp = !property && (await writtenBySync(services, connection, issue.fields.creator));
      if (byApp && (titleEdited || issue.fields.summary === ticket.title)) unmarked.push(issue);
    }
    nextPageToken = page.isLast ? undefined : page.nextPageToken;
  } while (nextPageToken);
  if (!raisesRequests(config) || unmarked.length === 0) return null;
  // Any team syncing this site raises its requests as the same app: look at every connection to the site.
  const [sameTitle] = await services.db
    .select({ id: tickets.id })
    .from(tickets)
    .innerJoin(jiraConnections, eq(jiraConnections.id, tickets.connectionId))
    .where(
      and(
        eq(jiraConnections.cloudId, connection.cloudId),
        eq(tickets.title, ticket.title),
        isNotNull(tickets.jiraCreateStartedAt),
        ne(tickets.id, ticket.id),
      ),
    )
    .limit(1);
  if (titleEdited || unmarked.length > 1 || sameTitle) {
    throw new SyncSetupError(syncErrorMessages.createAmbiguous(unmarked.map((issue) => issue.key).reverse()));
  }
  const [request] = unmarked;
  await markIssueWithTicket(services, connection, request.id, ticket);
  return request;
}

async function createIssue(
  services: Services,
  connection: Connection,
  config: SyncConfig,
  ticket: Ticket,
): Promise<{ issue: JiraIssue; written: PairValues }> {
  if (ticket.jiraCreateStartedAt) {
    const existing = await findCreatedIssue(services, connection, config, ticket);
    if (existing) return { issue: existing, written: jiraValues(existing) };
  }
  await services.db
    .update(tickets)
    .set({ jiraCreateStartedAt: services.clock.now() })
    .where(eq(tickets.id, ticket.id));
  const values = platformValues(ticket, config, {});
  const reporter = values.reporter ? await accountIdOf(services, connection, values.reporter) : null;
  // An unknown requester leaves the reporter to the service account; an internal note carries their email
  // (written by pushChanges, which sees the reporter still differ).
  const created = raisesRequests(config)
    ? // Priority, assignee and status are not request fields: pushChanges writes them next, in one edit.
      await raiseRequest(services, connection, config, ticket, reporter)
    : await createPlatformIssue(services, connection, config, ticket, values, reporter);
  const issue = await serviceAccountJson<JiraIssue>(
    services,
    connection,
    'GET',
    `/rest/api/3/issue/${created.id}`,
    {
      query: { fields: ISSUE_FIELDS },
    },
  );
  return { issue, written: jiraValues(issue) };
}

/** A non-JSM project: one create carrying the fields and, atomically, the ticket property. */
async function createPlatformIssue(
  services: Services,
  connection: Connection,
  config: SyncConfig,
  ticket: Ticket,
  values: PairValues,
  reporter: string | null,
): Promise<{ id: string; key: string }> {
  const assignee = values.assignee ? await accountIdOf(services, connection, values.assignee) : null;
  return serviceAccountJson<{ id: string; key: string }>(services, connection, 'POST', '/rest/api/3/issue', {
    body: {
      fields: {
        project: { id: config.projectId },
        issuetype: { id: config.issueTypeId },
        summary: values.summary,
        ...(values.description ? { description: toAdf(ticket.description) } : {}),
        priority: { id: values.priority },
        ...(reporter ? { reporter: { accountId: reporter } } : {}),
        ...(assignee ? { assignee: { accountId: assignee } } : {}),
      },
      properties: [{ key: TICKET_PROPERTY, value: ticketPropertyValue(ticket) }],
    },
  });
}

/** Writes what differs between the ticket and the shadow; answers the new shadow. */
async function pushChanges(
  services: Services,
  connection: Connection,
  config: SyncConfig,
  ticket: Ticket,
  link: { issueId: string; issueKey: string },
  shadow: Partial<PairValues> & { requesterNote?: string | null },
): Promise<Record<string, string | null>> {
  const next: Record<string, string | null> = { ...shadow };
  const wanted = platformValues(ticket, config, shadow);
  const fields: Record<string, unknown> = {};
  if (wanted.summary !== shadow.summary) fields.summary = wanted.summary;
  if (wanted.description !== shadow.description) {
    fields.description = ticket.description.trim() ? toAdf(ticket.description) : null;
  }
  if (wanted.priority !== shadow.priority) fields.priority = { id: wanted.priority };
  // The shadow keeps what Jira holds: a person the site lacks is not written, so Jira's value stays the shadow
  // (else the next Jira event would read Jira's unchanged value as a change and clear the ticket's email).
  let note: string | null = null;
  if (wanted.reporter !== shadow.reporter && wanted.reporter) {
    const accountId = await accountIdOf(services, connection, wanted.reporter);
    if (accountId) {
      fields.reporter = { accountId };
      next.reporter = wanted.reporter;
    } else if (shadow.requesterNote !== wanted.reporter) note = wanted.reporter;
  }
  if (wanted.assignee !== shadow.assignee) {
    const accountId = wanted.assignee ? await accountIdOf(services, connection, wanted.assignee) : null;
    if (accountId || (shadow.assignee ?? null) !== null) {
      fields.assignee = accountId ? { accountId } : null;
      next.assignee = accountId ? wanted.assignee : null;
    }
  }
  if (Object.keys(fields).length) {
    await serviceAccountJson(services, connection, 'PUT', `/rest/api/3/issue/${link.issueId}`, {
      query: { notifyUsers: 'false' },
      body: { fields },
    });
  }
  Object.assign(next, {
    summary: wanted.summary,
    description: wanted.description,
    priority: wanted.priority,
  });
  if (note) {
    await postComment(services, connection, link.issueId, syncErrorMessages.unknownRequester(note), true);
    next.requesterNote = note;
  }
  if (wanted.status && wanted.status !== shadow.status) {
    // Each status on the way is the sync's own write: kept on the link at once, so a Jira read does not take it for
    // a change made in Jira, and an interrupted walk goes on from there.
    const reached = async (statusId: string) => {
      next.status = statusId;
      await services.db
        .update(issueSyncLinks)
        .set({ shadow: next, updatedAt: services.clock.now() })
        .where(and(eq(issueSyncLinks.connectionId, connection.id), eq(issueSyncLinks.issueId, link.issueId)));
    };
    await transitionTo(
      services,
      connection,
      { id: link.issueId, key: link.issueKey },
      shadow.status ?? null,
      wanted.status,
      reached,
    );
    next.status = wanted.status;
  }
  return next;
}

/** Posts the ticket's platform comments that Jira does not have yet; a retry first looks for its own comment. */
async function pushComments(
  services: Services,
  connection: Connection,
  ticketId: string,
  issueId: string,
  retrying: boolean,
): Promise<void> {
  const pending = await services.db
    .select()
    .from(ticketComments)
    .where(
      and(
        eq(ticketComments.ticketId, ticketId),
        eq(ticketComments.source, 'platform'),
        isNull(ticketComments.jiraCommentId),
      ),
    )
    .orderBy(ticketComments.createdAt, ticketComments.id);
  if (!pending.length) return;
  const existing: JiraComment[] = [];
  if (retrying) {
    const { comments } = await serviceAccountJson<{ comments: JiraComment[] }>(
      services,
      connection,
      'GET',
      `/rest/api/3/issue/${issueId}/comment`,
      { query: { maxResults: 100, orderBy: '-created' } },
    );
    for (const comment of comments) {
      if (await writtenBySync(services, connection, comment.author)) existing.push(comment);
    }
  }
  for (const comment of pending) {
    const body = canonicalMarkdown(comment.body);
    const already = existing.find((candidate) => toMarkdown(candidate.body) === body);
    const jiraComment =
      already ??
      (await postComment(services, connection, issueId, comment.body, comment.visibility === 'internal'));
    await services.db
      .update(ticketComments)
      .set({ jiraCommentId: jiraComment.id })
      .where(eq(ticketComments.id, comment.id));
  }
}

/** Records a failure on the ticket's link (when it has one) and on its outbox rows. */
async function recordFailure(services: Services, ticketId: string, upTo: number, message: string) {
  const now = services.clock.now();
  await services.db
    .update(issueSyncLinks)
    .set({ state: 'error', lastError: message, updatedAt: now })
    .where(eq(issueSyncLinks.ticketId, ticketId));
  const rows = await services.db
    .select({ id: syncOutbox.id, attempts: syncOutbox.attempts })
    .from(syncOutbox)
    .where(and(eq(syncOutbox.ticketId, ticketId), isNull(syncOutbox.processedAt), lte(syncOutbox.id, upTo)));
  for (const row of rows) {
    await services.db
      .update(syncOutbox)
      .set({ attempts: row.attempts + 1, lastError: message })
      .where(eq(syncOutbox.id, row.id));
  }
}

async function hasUnappliedEvents(services: Services, cloudId: string, issueId: string): Promise<boolean> {
  const [pending] = await services.db
    .select({ id: forgeEvents.id })
    .from(forgeEvents)
    .where(
      and(
        eq(forgeEvents.cloudId, cloudId),
        eq(forgeEvents.issueId, issueId),
        isNull(forgeEvents.processedAt),
      ),
    )
    .limit(1);
  return Boolean(pending);
}

async function findConnectionById(services: Services, id: string): Promise<Connection | null> {
  const [row] = await services.db.select().from(jiraConnections).where(eq(jiraConnections.id, id));
  return row ?? null;
}

export function describeSyncError(error: unknown): string {
  if (error instanceof SyncSetupError) return error.message;
  if (error instanceof SyncRateLimitedError) return syncErrorMessages.rateLimited;
  if (error instanceof JiraError)
    return syncErrorMessages.jiraRejected(error.status, jiraErrorDetail(error.body));
  if (error instanceof Error && error.name === 'AtlassianUnavailableError')
    return syncErrorMessages.unavailable;
  if (error instanceof Error && 'status' in error && 'code' in error) return error.message;
  return syncErrorMessages.unavailable;
}

export interface PushOutcome {
  processed: number;
  created: boolean;
  skipped?: 'not_ready' | 'not_pushing' | 'no_connection';
}

/**
 * The `sync.ticket` job: everything pending for the ticket reaches Jira, or the failure is recorded and the job
 * fails (pg-boss retries it with backoff; a 429 is re-queued after Jira's Retry-After).
 */
export async function pushTicket(services: Services, ticketId: string): Promise<PushOutcome> {
  try {
    return await withLease(services, ticketId, () => pushTicketHoldingLease(services, ticketId));
  } catch (error) {
    if (error instanceof LeaseBusyError) {
      // The holder may finish before seeing rows committed after it started: look again shortly.
      await notifyOutbox(services, ticketId, 2);
      return { processed: 0, created: false };
    }
    if (error instanceof SyncRateLimitedError) {
      await notifyOutbox(services, ticketId, Math.ceil(error.retryAfterMs / 1000));
      return { processed: 0, created: false };
    }
    throw error;
  }
}

async function pushTicketHoldingLease(services: Services, ticketId: string): Promise<PushOutcome> {
  const [ticket] = await services.db.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!ticket) return { processed: 0, created: false };
  const pending = await services.db
    .select({ id: syncOutbox.id, attempts: syncOutbox.attempts })
    .from(syncOutbox)
    .where(and(eq(syncOutbox.ticketId, ticketId), isNull(syncOutbox.processedAt)))
    .orderBy(syncOutbox.id);
  if (!pending.length) return { processed: 0, created: false };
  const upTo = pending[pending.length - 1].id;
  const markProcessed = () =>
    services.db
      .update(syncOutbox)
      .set({ processedAt: services.clock.now(), lastError: null })
      .where(
        inArray(
          syncOutbox.id,
          pending.map((row) => row.id),
        ),
      );
  const connection = ticket.connectionId ? await findConnectionById(services, ticket.connectionId) : null;
  if (!connection) {
    await markProcessed();
    return { processed: pending.length, created: false, skipped: 'no_connection' };
  }
  const config = await findSyncConfig(services, connection.id);
  if (!config || !pushesToJira(config)) {
    await markProcessed();
    return { processed: pending.length, created: false, skipped: 'not_pushing' };
  }
  const readiness = await syncReadiness(services, connection);
  if (!readiness.ready) {
    // Kept: the rows go out once sync can run again (the sweep re-queues them).
    await recordFailure(services, ticketId, upTo, readiness.reason ?? '');
    return { processed: 0, created: false, skipped: 'not_ready' };
  }
  const retrying = pending.some((row) => row.attempts > 0);
  try {
    let [link] = await services.db
      .select()
      .from(issueSyncLinks)
      .where(and(eq(issueSyncLinks.connectionId, connection.id), eq(issueSyncLinks.ticketId, ticketId)));
    let created = false;
    if (link) {
      // Jira changes not applied yet go first: a newer Jira value must not be overwritten by an older one.
      // Without such an event the link's shadow is Jira's state and no read is needed (one call per change).
      if (await hasUnappliedEvents(services, link.cloudId, link.issueId)) {
        await pullIssue(services, connection, config, link.issueId, { holdingLease: true });
        [link] = await services.db.select().from(issueSyncLinks).where(eq(issueSyncLinks.id, link.id));
      }
    } else {
      const { issue, written } = await createIssue(services, connection, config, ticket);
      link = await commitLink(services, connection, ticket, issue, written);
      created = true;
    }
    const [fresh] = await services.db.select().from(tickets).where(eq(tickets.id, ticketId));
    const shadow = await pushChanges(services, connection, config, fresh, link, link.shadow);
    await pushComments(services, connection, ticketId, link.issueId, retrying || created);
    const now = services.clock.now();
    await services.db.transaction(async (tx) => {
      await tx
        .update(issueSyncLinks)
        .set({
          shadow,
          state: 'synced',
          lastError: null,
          lastSyncedAt: now,
          ticketTitle: fresh.title,
          updatedAt: now,
        })
        .where(eq(issueSyncLinks.id, link.id));
      await tx
        .update(syncOutbox)
        .set({ processedAt: now, lastError: null })
        .where(
          inArray(
            syncOutbox.id,
            pending.map((row) => row.id),
          ),
        );
    });
    return { processed: pending.length, created };
  } catch (error) {
    if (error instanceof SyncRateLimitedError) {
      await recordFailure(services, ticketId, upTo, describeSyncError(error));
      throw error;
    }
    const message = describeSyncError(error);
    services.logger.warn({ err: error, ticketId }, 'ticket sync to Jira failed');
    await recordFailure(services, ticketId, upTo, message);
    if (error instanceof SyncSetupError) return { processed: 0, created: false };
    throw error;
  }
}

/** The link, committed with the values Jira now holds; the create marker is cleared in the same transaction. */
async function commitLink(
  services: Services,
  connection: Connection,
  ticket: Ticket,
  issue: JiraIssue,
  written: PairValues,
): Promise<IssueSyncLink> {
  const now = services.clock.now();
  return services.db.transaction(async (tx) => {
    await tx.update(tickets).set({ jiraCreateStartedAt: null }).where(eq(tickets.id, ticket.id));
    const [row] = await tx
      .insert(issueSyncLinks)
      .values({
        teamId: ticket.teamId,
        connectionId: connection.id,
        cloudId: connection.cloudId,
        issueId: issue.id,
        issueKey: issue.key,
        ticketId: ticket.id,
        ticketTitle: ticket.title,
        state: 'pending',
        shadow: written,
        jiraUpdatedAt: issue.fields.updated ? new Date(issue.fields.updated) : null,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [issueSyncLinks.connectionId, issueSyncLinks.issueId],
        set: { ticketId: ticket.id, updatedAt: now },
      })
      .returning();
    return row;
  });
}
