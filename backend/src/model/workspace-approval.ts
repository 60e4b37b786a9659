/**
 * Whether a site's Jira admins let a workspace (a customer) use the Forge app's service account and
 * impersonation: a workspace whose managed connection a site admin made is approved at once, any other waits
 * for an admin (workspaces/service.ts). The Forge upgrade rule (forge-upgrade.ts) upgrades only the managed
 * connections of approved workspaces.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { siteWorkspaceApprovals, teams } from '../db/schema';

export type ApprovalStatus = (typeof siteWorkspaceApprovals.$inferSelect)['status'];

type Reader = Pick<Db, 'select'>;

/** Ids of the teams whose workspace is approved on the site: a subquery for "may be upgraded". */
export function approvedTeamIds(db: Reader, cloudId: string) {
  return db
    .select({ id: teams.id })
    .from(teams)
    .innerJoin(siteWorkspaceApprovals, eq(siteWorkspaceApprovals.workspaceId, teams.workspaceId))
    .where(and(eq(siteWorkspaceApprovals.cloudId, cloudId), eq(siteWorkspaceApprovals.status, 'approved')));
}

export async function isTeamApprovedOnSite(db: Reader, teamId: string, cloudId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .innerJoin(siteWorkspaceApprovals, eq(siteWorkspaceApprovals.workspaceId, teams.workspaceId))
    .where(
      and(
        eq(teams.id, teamId),
        eq(siteWorkspaceApprovals.cloudId, cloudId),
        eq(siteWorkspaceApprovals.status, 'approved'),
      ),
    );
  return Boolean(row);
}

/**
 * Called (in the connection's transaction) when a team finishes a managed connection: a site admin's
 * connection approves the team's workspace on that site; anyone else's asks for approval, and an existing
 * decision stays as it is.
 */
export async function recordManagedConnection(
  tx: Pick<Db, 'select' | 'insert'>,
  now: Date,
  input: { teamId: string; cloudId: string; accountId: string; connectedBySiteAdmin: boolean },
): Promise<ApprovalStatus> {
  const [team] = await tx
    .select({ workspaceId: teams.workspaceId })
    .from(teams)
    .where(eq(teams.id, input.teamId));
  const key = { cloudId: input.cloudId, workspaceId: team.workspaceId };
  if (input.connectedBySiteAdmin) {
    await tx
      .insert(siteWorkspaceApprovals)
      .values({ ...key, status: 'approved', decidedBy: input.accountId, decidedAt: now, requestedAt: now })
      .onConflictDoUpdate({
        target: [siteWorkspaceApprovals.cloudId, siteWorkspaceApprovals.workspaceId],
        set: { status: 'approved', decidedBy: input.accountId, decidedAt: now },
      });
    return 'approved';
  }
  await tx
    .insert(siteWorkspaceApprovals)
    .values({ ...key, status: 'pending', requestedAt: now })
    .onConflictDoNothing();
  const [row] = await tx
    .select({ status: siteWorkspaceApprovals.status })
    .from(siteWorkspaceApprovals)
    .where(
      and(
        eq(siteWorkspaceApprovals.cloudId, key.cloudId),
        eq(siteWorkspaceApprovals.workspaceId, key.workspaceId),
      ),
    );
  return row.status;
}
