import type { JiraConnection } from '../src/connections/service';
import type { Services } from '../src/context';
import { issueSyncLinks } from '../src/db/schema';
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
