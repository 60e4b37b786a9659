/**
 * Entry points that bring a Jira issue into the platform: a Forge event (every connection of the site that
 * syncs), and one connection's issue (Retry, reconciliation). The sync's own changes are not echoed: events
 * the Forge app's own calls caused (`selfGenerated`) are dropped here, and the per-field shadow makes any other
 * re-delivery of the sync's writes compare equal.
 */
import { and, eq } from 'drizzle-orm';
import { JiraError } from '../atlassian/jira';
import type { Services } from '../context';
import { issueSyncLinks, jiraConnections, syncConfigs, syncOutbox } from '../db/schema';
import { notifyOutbox } from '../tickets/outbox';
import { findSyncConfig, pullsFromJira, pushesToJira } from './config';
import { type PullOutcome, pullIssue } from './inbound';
import { SyncRateLimitedError, serviceAccountJson } from './jira-client';
import { ISSUE_FIELDS, type JiraIssue, TICKET_PROPERTY } from './mapping';
import { describeSyncError } from './outbound';
import { LeaseBusyError, queueIssueSync } from './outbox';
import { syncReadinessOf } from './readiness';

export interface StoredJiraEvent {
  cloudId: string;
  issueId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/** The site's connections whose sync can run, with their configs. */
async function syncingConnectionsOf(services: Services, cloudId: string) {
  const rows = await services.db
    .select({ connection: jiraConnections, config: syncConfigs })
    .from(jiraConnections)
    .innerJoin(syncConfigs, eq(syncConfigs.connectionId, jiraConnections.id))
    .where(eq(jiraConnections.cloudId, cloudId));
  const readiness = await syncReadinessOf(
    services,
    rows.map((row) => row.connection),
  );
  return rows.filter((row) => readiness.get(row.connection.id)?.ready);
}

/** Applies one stored Forge event: each syncing connection of the site re-reads the issue and merges it. */
export async function applyJiraEvent(services: Services, event: StoredJiraEvent): Promise<PullOutcome[]> {
  if (event.payload.selfGenerated === true) return [];
  const targets = await syncingConnectionsOf(services, event.cloudId);
  if (!targets.length) return [];
  // One read serves every team syncing this site (they all read as the same service account).
  let issue: JiraIssue | null = null;
  try {
    issue = await serviceAccountJson<JiraIssue>(
      services,
      targets[0].connection,
      'GET',
      `/rest/api/3/issue/${event.issueId}`,
      {
        query: { fields: ISSUE_FIELDS, properties: TICKET_PROPERTY },
      },
    );
  } catch (error) {
    if (!(error instanceof JiraError && error.status === 404)) throw error;
  }
  const outcomes: PullOutcome[] = [];
  for (const { connection, config } of targets) {
    try {
      outcomes.push(await pullIssue(services, connection, config, event.issueId, { issue }));
    } catch (error) {
      // A worker holds the ticket (it re-reads the issue itself) or Jira asked to wait: look again later.
      if (error instanceof LeaseBusyError)
        await queueIssueSync(services, { connectionId: connection.id, issueId: event.issueId }, 2);
      else if (error instanceof SyncRateLimitedError) {
        await queueIssueSync(
          services,
          { connectionId: connection.id, issueId: event.issueId },
          Math.ceil(error.retryAfterMs / 1000),
        );
      } else throw error;
    }
  }
  return outcomes;
}

/** Retry from the issue panel or the API: re-read the issue for every link and push what the platform has. */
export async function resyncIssue(services: Services, cloudId: string, issueId: string): Promise<number> {
  const links = await services.db
    .select()
    .from(issueSyncLinks)
    .where(and(eq(issueSyncLinks.cloudId, cloudId), eq(issueSyncLinks.issueId, issueId)));
  for (const link of links) await queueIssueSync(services, { connectionId: link.connectionId, issueId });
  return links.length;
}

/**
 * Retry on an issue no ticket is linked to and no stored event names (never delivered, or pruned): every
 * connection of the site with sync settings reads it, which creates its ticket where the strategy and project
 * allow (the job checks readiness first).
 */
export async function readUnlinkedIssue(
  services: Services,
  cloudId: string,
  issueId: string,
): Promise<number> {
  const rows = await services.db
    .select({ connectionId: syncConfigs.connectionId })
    .from(syncConfigs)
    .innerJoin(jiraConnections, eq(jiraConnections.id, syncConfigs.connectionId))
    .where(eq(jiraConnections.cloudId, cloudId));
  for (const row of rows) await queueIssueSync(services, { connectionId: row.connectionId, issueId });
  return rows.length;
}

/**
 * Re-runs one link's sync for real: the issue is read again and merged (when the strategy pulls), and the
 * ticket's current values are pushed through a new outbox row (when it pushes), so a fixed mapping or a
 * recovered site takes effect without waiting for the next change.
 */
export async function resyncLink(
  services: Services,
  connectionId: string,
  ticketId: string,
  issueId: string,
) {
  const [connection] = await services.db
    .select()
    .from(jiraConnections)
    .where(eq(jiraConnections.id, connectionId));
  const config = connection ? await findSyncConfig(services, connection.id) : null;
  if (!connection || !config) return;
  if (pullsFromJira(config)) {
    try {
      await pullIssue(services, connection, config, issueId);
    } catch (error) {
      const now = services.clock.now();
      await services.db
        .update(issueSyncLinks)
        .set({ state: 'error', lastError: describeSyncError(error), updatedAt: now })
        .where(and(eq(issueSyncLinks.connectionId, connectionId), eq(issueSyncLinks.issueId, issueId)));
      throw error;
    }
  }
  if (pushesToJira(config)) {
    await services.db
      .insert(syncOutbox)
      .values({ teamId: connection.teamId, ticketId, createdAt: services.clock.now() });
    await notifyOutbox(services, ticketId);
  }
}
