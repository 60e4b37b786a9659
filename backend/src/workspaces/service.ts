/**
 * Workspaces (customers) and their approval on each Jira site. The Forge app's service account and
 * impersonation act as anyone on a site, so a site's Jira admins decide which customers may use them: a
 * workspace whose managed connection was made by a site admin is approved at once, any other waits until an
 * admin approves it on the app's admin page. Only managed connections of approved workspaces are upgraded.
 */
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { and, asc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { type AuditAction, type AuditEntry, writeAudit } from '../audit/log';
import type { Services } from '../context';
import { jiraConnections, siteWorkspaceApprovals, teams, workspaces } from '../db/schema';
import { ApiError } from '../http/errors';
import { findInstallation, hasFreshCredentials } from '../model/forge-upgrade';
import type { ApprovalStatus } from '../model/workspace-approval';

/** Each team's workspace status on each site, for the console: absent = the workspace never asked. */
export async function approvalsOfTeam(
  services: Services,
  teamId: string,
): Promise<Map<string, ApprovalStatus>> {
  const rows = await services.db
    .select({ cloudId: siteWorkspaceApprovals.cloudId, status: siteWorkspaceApprovals.status })
    .from(siteWorkspaceApprovals)
    .innerJoin(teams, eq(teams.workspaceId, siteWorkspaceApprovals.workspaceId))
    .where(eq(teams.id, teamId));
  return new Map(rows.map((row) => [row.cloudId, row.status]));
}

export interface SiteWorkspace {
  workspaceId: string;
  workspaceName: string;
  teamNames: string[];
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  requestedAt: string;
}

/** Every workspace that asked for the site, oldest request first (the admin page's list). */
export async function workspacesOfSite(services: Services, cloudId: string): Promise<SiteWorkspace[]> {
  const rows = await services.db
    .select({
      approval: siteWorkspaceApprovals,
      workspaceName: workspaces.name,
      teamName: teams.name,
    })
    .from(siteWorkspaceApprovals)
    .innerJoin(workspaces, eq(workspaces.id, siteWorkspaceApprovals.workspaceId))
    .leftJoin(teams, eq(teams.workspaceId, workspaces.id))
    .where(eq(siteWorkspaceApprovals.cloudId, cloudId))
    .orderBy(asc(siteWorkspaceApprovals.requestedAt), asc(workspaces.id), asc(teams.name));
  const byId = new Map<string, SiteWorkspace>();
  for (const row of rows) {
    const id = row.approval.workspaceId;
    let entry = byId.get(id);
    if (!entry) {
      entry = {
        workspaceId: id,
        workspaceName: row.workspaceName,
        teamNames: [],
        status: row.approval.status,
        decidedBy: row.approval.decidedBy,
        decidedAt: row.approval.decidedAt?.toISOString() ?? null,
        requestedAt: row.approval.requestedAt.toISOString(),
      };
      byId.set(id, entry);
    }
    if (row.teamName) entry.teamNames.push(row.teamName);
  }
  return [...byId.values()];
}

/**
 * A Jira admin's decision on the admin page. Approving upgrades the workspace's managed connections to the
 * site at once (when the app's credentials are fresh); revoking downgrades them, so their service-account
 * and impersonation headers are ignored from the next call on. The caller has checked the admin.
 */
export async function decideWorkspace(
  services: Services,
  input: { cloudId: string; workspaceId: string; decision: 'approved' | 'revoked'; adminAccountId: string },
): Promise<SiteWorkspace> {
  const now = services.clock.now();
  const installation = await findInstallation(services.db, input.cloudId);
  const fresh = hasFreshCredentials(installation, now);
  await services.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(siteWorkspaceApprovals)
      .set({ status: input.decision, decidedBy: input.adminAccountId, decidedAt: now })
      .where(
        and(
          eq(siteWorkspaceApprovals.cloudId, input.cloudId),
          eq(siteWorkspaceApprovals.workspaceId, input.workspaceId),
        ),
      )
      .returning();
    if (!updated) throw new ApiError('workspace_not_found', workspaceMessages.notFound);
    const teamIds = tx.select({ id: teams.id }).from(teams).where(eq(teams.workspaceId, input.workspaceId));
    const onSite = and(
      eq(jiraConnections.cloudId, input.cloudId),
      eq(jiraConnections.method, 'managed'),
      inArray(jiraConnections.teamId, teamIds),
    );
    const changed =
      input.decision === 'approved'
        ? fresh
          ? await tx
              .update(jiraConnections)
              .set({ forgeUpgradedAt: now, updatedAt: now })
              .where(and(onSite, isNull(jiraConnections.forgeUpgradedAt)))
              .returning({ id: jiraConnections.id, teamId: jiraConnections.teamId })
          : []
        : await tx
            .update(jiraConnections)
            .set({ forgeUpgradedAt: null, updatedAt: now })
            .where(and(onSite, isNotNull(jiraConnections.forgeUpgradedAt)))
            .returning({ id: jiraConnections.id, teamId: jiraConnections.teamId });
    const action: AuditAction =
      input.decision === 'approved'
        ? 'jira.connection.forge_upgraded'
        : 'jira.connection.forge_downgraded_revoked';
    const workspaceTeams = await tx
      .select({ id: teams.id })
      .from(teams)
      .where(eq(teams.workspaceId, input.workspaceId));
    const entries: AuditEntry[] = [
      ...workspaceTeams.map((team) => ({
        teamId: team.id,
        action: (input.decision === 'approved'
          ? 'workspace.site_approved'
          : 'workspace.site_revoked') as AuditAction,
        target: input.workspaceId,
        detail: { cloudId: input.cloudId, by: input.adminAccountId },
      })),
      ...changed.map((row) => ({
        teamId: row.teamId,
        action,
        target: row.id,
        detail: { cloudId: input.cloudId },
      })),
    ];
    await writeAudit(tx, entries);
  });
  services.logger.info(
    { cloudId: input.cloudId, workspaceId: input.workspaceId, decision: input.decision },
    'workspace decision on site',
  );
  const entry = (await workspacesOfSite(services, input.cloudId)).find(
    (workspace) => workspace.workspaceId === input.workspaceId,
  );
  return entry!;
}
