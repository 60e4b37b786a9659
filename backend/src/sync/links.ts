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

/** Per connection of a site: how many issues are linked, and how many of them failed their last sync. */
export async function countLinksByConnection(
  services: Services,
  cloudId: string,
): Promise<Map<string, { linked: number; failing: number }>> {
  const rows = await services.db
    .select({
      connectionId: issueSyncLinks.connectionId,
      linked: sql<number>`count(*)::int`,
      failing: sql<number>`(count(*) filter (where ${issueSyncLinks.state} = 'error'))::int`,
    })
    .from(issueSyncLinks)
    .where(eq(issueSyncLinks.cloudId, cloudId))
    .groupBy(issueSyncLinks.connectionId);
  return new Map(rows.map((row) => [row.connectionId, { linked: row.linked, failing: row.failing }]));
}
