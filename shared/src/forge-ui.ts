/**
 * Contract between the Forge UI modules (issue panel, admin page) and the backend's `/forge/ui/*` routes.
 * The UI calls these paths with `@forge/bridge` `invokeRemote` through the `ui-endpoint` endpoint, so every
 * request carries a Forge invocation token: the backend takes the site (`context.cloudId`), the issue
 * (`context.extension.issue`) and the user (`principal`) from the verified token, never from the request.
 */
import { z } from 'zod';

export const FORGE_UI_PATHS = {
  /** GET → IssueSyncStatus of the issue named by the token's `context.extension.issue`. */
  issueStatus: '/forge/ui/issue-status',
  /** POST (no body) → re-queues that issue's sync and answers its new IssueSyncStatus. */
  retryIssueSync: '/forge/ui/issue-status/retry',
  /** GET → AdminOverview of the site named by the token's `context.cloudId`. */
  adminOverview: '/forge/ui/admin-overview',
  /** POST {workspaceId, decision} → the workspace's new SiteWorkspace; the token's user must be a Jira admin. */
  workspaceDecision: '/forge/ui/admin-overview/workspaces',
} as const;

export type ForgeUiPath = (typeof FORGE_UI_PATHS)[keyof typeof FORGE_UI_PATHS];

export const ISSUE_SYNC_STATES = ['synced', 'pending', 'error', 'not_linked'] as const;
export type IssueSyncState = (typeof ISSUE_SYNC_STATES)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const linkedTicketSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** The ticket's page, when the platform has one to link to. */
  url: z.url().optional(),
});

export const issueSyncStatusSchema = z.object({
  state: z.enum(ISSUE_SYNC_STATES),
  issueKey: z.string(),
  ticket: linkedTicketSchema.optional(),
  lastSyncedAt: isoDateTime.optional(),
  lastError: z.string().optional(),
});

export type LinkedTicket = z.infer<typeof linkedTicketSchema>;
export type IssueSyncStatus = z.infer<typeof issueSyncStatusSchema>;

export const upgradedConnectionSchema = z.object({
  teamName: z.string(),
  connectionId: z.string(),
  upgradedAt: isoDateTime,
});

export const syncSettingsSummarySchema = z.object({
  connectionId: z.string(),
  teamName: z.string(),
  enabled: z.boolean(),
  projectKey: z.string().optional(),
  strategy: z.string().optional(),
  intervalMinutes: z.number().int().positive().optional(),
  /** Issues of this site linked to the team's tickets, and how many of them failed their last sync. */
  linkedIssues: z.number().int().nonnegative(),
  failingIssues: z.number().int().nonnegative(),
  /** JSM projects: the request type new issues are raised with. */
  requestTypeId: z.string().optional(),
  /** Tickets with changes waiting to be written to Jira. */
  queuedChanges: z.number().int().nonnegative().optional(),
  lastReconciledAt: isoDateTime.optional(),
  /** Why sync cannot run for this team (the backend's one readiness decision); absent when it can. */
  notReadyReason: z.string().optional(),
});

export const WORKSPACE_APPROVAL_STATES = ['approved', 'pending', 'revoked'] as const;

/** A customer (workspace) whose teams connected the site, and whether a Jira admin lets it use the app. */
export const siteWorkspaceSchema = z.object({
  workspaceId: z.string(),
  workspaceName: z.string(),
  teamNames: z.array(z.string()),
  status: z.enum(WORKSPACE_APPROVAL_STATES),
  decidedBy: z.string().nullable(),
  decidedAt: isoDateTime.nullable(),
  requestedAt: isoDateTime,
});

export type SiteWorkspace = z.infer<typeof siteWorkspaceSchema>;

export const workspaceDecisionSchema = z.object({
  workspaceId: z.string().min(1).max(255),
  decision: z.enum(['approved', 'revoked']),
});

export type WorkspaceDecision = z.infer<typeof workspaceDecisionSchema>;

export const adminOverviewSchema = z.object({
  siteLinked: z.boolean(),
  cloudId: z.string(),
  lastCredentialPushAt: isoDateTime.optional(),
  credentialsFresh: z.boolean(),
  upgradedConnections: z.array(upgradedConnectionSchema),
  sync: z.array(syncSettingsSummarySchema),
  /** Workspaces that connected the site, each approved, waiting or revoked by a Jira admin. */
  workspaces: z.array(siteWorkspaceSchema).optional(),
});

export type UpgradedConnection = z.infer<typeof upgradedConnectionSchema>;
export type SyncSettingsSummary = z.infer<typeof syncSettingsSummarySchema>;
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

/**
 * Body of a non-2xx answer on these paths (the API's one error shape). Forge requires a JSON body on
 * non-2xx answers to UI calls, and reserves 401 for "invocation token not verified".
 */
export const forgeUiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export type ForgeUiErrorBody = z.infer<typeof forgeUiErrorBodySchema>;
