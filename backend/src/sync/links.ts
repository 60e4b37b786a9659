/**
 * Links between Jira issues and platform tickets, and the state of each link's last sync. A site's issue can be
 * linked once per connection, so once per team.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Services } from '../context';
import { issueSyncLinks } from '../db/schema';

export type IssueSyncLink = typeof issueSyncLinks.$inferSelect;

// An error sorts first: another team's healthy link must not hide a failing one from the panel.
const attentionFirst = sql`case ${issueSyncLinks.state} when 'error' then 0 when 'pending' then 1 else 2 end`;

/** The link the issue panel shows for an issue of a site: the one needing attention, else the latest. */
export async function findIssueLink(
  services: Services,
  cloudId: string,
  issueId: string,
): Promise<IssueSyncLink | null> {
  const [link] = await services.db
    .select()
    .from(issueSyncLinks)
    .where(and(eq(issueSyncLinks.cloudId, cloudId), eq(issueSyncLinks.issueId, issueId)))
    .orderBy(attentionFirst, desc(issueSyncLinks.updatedAt), desc(issueSyncLinks.id))
    .limit(1);
  return link ?? null;
}

/**
 * Marks every link of an issue as waiting for the sync worker: a Jira change arrived, or someone asked to retry.
 * The last error stays until a sync succeeds. Answers how many links there were.
 */
export async function markIssueLinksPending(
  services: Services,
  cloudId: string,
  issueId: string,
): Promise<number> {
  const updated = await services.db
    .update(issueSyncLinks)
    .set({ state: 'pending', updatedAt: services.clock.now() })
    .where(and(eq(issueSyncLinks.cloudId, cloudId), eq(issueSyncLinks.issueId, issueId)))
    .returning({ id: issueSyncLinks.id });
  return updated.length;
}
