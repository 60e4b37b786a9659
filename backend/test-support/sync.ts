import type { JiraConnection } from '../src/connections/service';
import type { Services } from '../src/context';
import { issueSyncLinks, syncConfigs } from '../src/db/schema';
import type { IssueSyncLink } from '../src/sync/links';

/** Tests only: a link row as the two-way sync leaves it. */
export async function insertTestIssueLink(
  services: Services,
  connection: Pick<JiraConnection, 'id' | 'teamId' | 'cloudId'>,
  input: {
    issueId: string;
    issueKey: string;
    ticketId: string;
    ticketTitle?: string;
    state: IssueSyncLink['state'];
    lastSyncedAt?: Date;
    lastError?: string;
    updatedAt?: Date;
  },
): Promise<IssueSyncLink> {
  const [row] = await services.db
    .insert(issueSyncLinks)
    .values({
      teamId: connection.teamId,
      connectionId: connection.id,
      cloudId: connection.cloudId,
      issueId: input.issueId,
      issueKey: input.issueKey,
      ticketId: input.ticketId,
      ticketTitle: input.ticketTitle ?? `Ticket ${input.ticketId}`,
      state: input.state,
      lastSyncedAt: input.lastSyncedAt ?? null,
      lastError: input.lastError ?? null,
      updatedAt: input.updatedAt ?? services.clock.now(),
    })
    .returning();
  return row;
}

/** The sandbox's SUP project mapped completely: platform priority and status to Jira ids (the first is written). */
export const SUP_MAPPINGS = {
  priorityMapping: { urgent: ['1'], high: ['2'], medium: ['3'], low: ['4', '5'] },
  statusMapping: {
    open: ['10000'],
    in_progress: ['3'],
    waiting: ['10002'],
    resolved: ['10001'],
    closed: ['10001'],
  },
};

/** Tests only: a saved sync config for a connection (SUP-shaped mappings), as PUT sync-config leaves it. */
export async function insertTestSyncConfig(
  services: Services,
  connection: Pick<JiraConnection, 'id' | 'teamId'>,
): Promise<void> {
  await services.db.insert(syncConfigs).values({
    connectionId: connection.id,
    teamId: connection.teamId,
    projectId: '10000',
    projectKey: 'SUP',
    issueTypeId: '10003',
    requestTypeId: '10',
    ...SUP_MAPPINGS,
    strategy: 'two_way',
    reconcileIntervalMinutes: 5,
    updatedAt: services.clock.now(),
  });
}
