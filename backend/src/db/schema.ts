import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * A workspace is one customer. Its teams share what a Jira admin grants the customer on a site (the Forge
 * app's service account); nothing is shared across workspaces.
 */
export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A team is the unit of tenancy: every row below it is reached through its id. */
export const teams = pgTable(
  'teams',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('teams_workspace_idx').on(table.workspaceId)],
);

/**
 * Whether a site's Jira admins let a workspace's managed connections use the Forge app's service account.
 * `approved` at once when a site admin made the connection; `pending` until an admin decides otherwise.
 */
export const siteWorkspaceApprovals = pgTable(
  'site_workspace_approvals',
  {
    cloudId: text('cloud_id').notNull(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['approved', 'pending', 'revoked'] }).notNull(),
    /** The Jira admin (accountId) whose connection or decision set the status; null while pending. */
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.cloudId, table.workspaceId] })],
);

/** API keys are stored as SHA-256 hashes; the key itself is shown once, when created. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** First characters of the key, so people can tell keys apart without seeing them. */
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_keys_team_idx').on(table.teamId)],
);

/** Console logins: the cookie carries a random token; only its hash is stored. */
export const consoleSessions = pgTable('console_sessions', {
  hash: text('hash').primaryKey(),
  teamId: text('team_id')
    .notNull()
    .references(() => teams.id, { onDelete: 'cascade' }),
  /** The key that opened the session: revoking it ends the session. */
  apiKeyId: text('api_key_id')
    .notNull()
    .references(() => apiKeys.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * Forge invocation tokens already used for a state-changing call, remembered (by hash) until they expire so a
 * replay is refused on every process.
 */
export const forgeTokenUses = pgTable('forge_token_uses', {
  tokenHash: text('token_hash').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * The first answer to a creating request sent with an `Idempotency-Key` (http/idempotency.ts), per team, route
 * and key, kept 24 hours so a retry after a lost answer gets it again on any process. A row without an answer
 * is a request in progress, claimed until `claimedUntil`.
 */
export const idempotentRequests = pgTable(
  'idempotent_requests',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    route: text('route').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    answer: jsonb('answer'),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.route, table.key] })],
);

/** Failed API-key attempts per client address in the current window, shared by every process. */
export const authFailures = pgTable('auth_failures', {
  clientAddress: text('client_address').primaryKey(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  failures: integer('failures').notNull(),
});

/** Who did what, when. Never holds bodies, tokens or secrets. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // The record outlives its team: deleting a team keeps its audit rows, without the team. A trigger on teams
    // clears the id (migration 0010) instead of a foreign key, whose check cost a third of every audit insert:
    // on PGlite those inserts run on the proxy's event loop.
    teamId: text('team_id'),
    action: text('action').notNull(),
    target: text('target'),
    /** Who did it: "key jik_abc…" (an API key), "console" (a console session) or "system". */
    actor: text('actor'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('audit_log_team_created_idx').on(table.teamId, table.createdAt)],
);

/**
 * An OAuth attempt between "start" and the callback: single-use, bound to the team, valid 10 minutes.
 * Only the state's hash is stored; the PKCE verifier and a custom app's secret are encrypted.
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    method: text('method', { enum: ['managed', 'custom'] }).notNull(),
    subdomain: text('subdomain'),
    displayName: text('display_name'),
    clientId: text('client_id'),
    clientSecretEncrypted: text('client_secret_encrypted'),
    codeVerifierEncrypted: text('code_verifier_encrypted').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    /** Hash of the browser binding cookie set when the flow started: the callback must come back with it. */
    browserBindingHash: text('browser_binding_hash'),
    /** The caller agreed to replace the team's existing connection to the site (else the callback refuses). */
    replaceExisting: boolean('replace_existing').notNull().default(false),
    /** The API key (directly or through a console session) that started the connection. */
    createdByKeyId: text('created_by_key_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [index('oauth_states_created_idx').on(table.createdAt)],
);

/** One Jira site connected by one team (reconnecting the same site replaces tokens, never duplicates). */
export const jiraConnections = pgTable(
  'jira_connections',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    method: text('method', { enum: ['managed', 'custom'] }).notNull(),
    displayName: text('display_name'),
    subdomain: text('subdomain'),
    cloudId: text('cloud_id').notNull(),
    siteUrl: text('site_url').notNull(),
    siteName: text('site_name').notNull(),
    accountId: text('account_id').notNull(),
    accountName: text('account_name'),
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    /** Bring-your-own app only: its client id, and its secret encrypted. */
    clientId: text('client_id'),
    clientSecretEncrypted: text('client_secret_encrypted'),
    accessTokenEncrypted: text('access_token_encrypted').notNull(),
    refreshTokenEncrypted: text('refresh_token_encrypted'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['active', 'needs_reconnect'] })
      .notNull()
      .default('active'),
    statusReason: text('status_reason'),
    ticketSyncing: boolean('ticket_syncing').notNull().default(false),
    /** Set while the Forge app's service-account credentials for this site upgrade the connection. */
    forgeUpgradedAt: timestamp('forge_upgraded_at', { withTimezone: true }),
    consentedAt: timestamp('consented_at', { withTimezone: true }).notNull(),
    /** Who made the connection (an API key id): the approver of `installer-approval` workflow runs. */
    createdByKeyId: text('created_by_key_id'),
    lastRefreshedAt: timestamp('last_refreshed_at', { withTimezone: true }),
    /**
     * The refresh lease: which process is refreshing the tokens now, and until when. Taken and released in
     * short statements so no connection or transaction is held across the call to Atlassian.
     */
    refreshLeaseHolder: text('refresh_lease_holder'),
    refreshLeaseExpiresAt: timestamp('refresh_lease_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('jira_connections_team_site_idx').on(table.teamId, table.cloudId),
    index('jira_connections_cloud_idx').on(table.cloudId),
  ],
);

/** The last health-check runs of a connection, shown on its detail page (the newest few are kept). */
export const healthCheckRuns = pgTable(
  'health_check_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: text('connection_id')
      .notNull()
      .references(() => jiraConnections.id, { onDelete: 'cascade' }),
    results: jsonb('results')
      .$type<Array<{ name: string; ok: boolean; message: string; cause?: string }>>()
      .notNull(),
    ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('health_check_runs_connection_idx').on(table.connectionId, table.ranAt)],
);

/**
 * The Forge app's installation on one Jira site (cloudId is stable across reinstalls; installationId is not).
 * Holds the latest system token the app pushed (encrypted) and its `exp`.
 */
export const forgeInstallations = pgTable('forge_installations', {
  cloudId: text('cloud_id').primaryKey(),
  installationId: text('installation_id').notNull(),
  apiBaseUrl: text('api_base_url').notNull(),
  environmentId: text('environment_id'),
  systemTokenEncrypted: text('system_token_encrypted'),
  systemTokenExpiresAt: timestamp('system_token_expires_at', { withTimezone: true }),
  installedAt: timestamp('installed_at', { withTimezone: true }).notNull(),
  lastPushAt: timestamp('last_push_at', { withTimezone: true }),
  /** Set by the preUninstall call; a later push from a new installation clears it. */
  uninstalledAt: timestamp('uninstalled_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Jira events delivered by the Forge app, stored once per event (Forge redelivers the same event on retry). */
export const forgeEvents = pgTable(
  'forge_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    cloudId: text('cloud_id').notNull(),
    installationId: text('installation_id').notNull(),
    eventType: text('event_type').notNull(),
    issueId: text('issue_id').notNull(),
    issueKey: text('issue_key'),
    commentId: text('comment_id'),
    /** The event as Forge sent it, without `retryContext`. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (table) => [index('forge_events_issue_idx').on(table.cloudId, table.issueId, table.receivedAt)],
);

/**
 * The link between a Jira issue and a platform ticket, per connection (so per team), with the state of its
 * last sync. The Forge issue panel reads it; the two-way sync writes it.
 */
export const issueSyncLinks = pgTable(
  'issue_sync_links',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id')
      .notNull()
      .references(() => jiraConnections.id, { onDelete: 'cascade' }),
    cloudId: text('cloud_id').notNull(),
    issueId: text('issue_id').notNull(),
    issueKey: text('issue_key').notNull(),
    ticketId: text('ticket_id').notNull(),
    ticketTitle: text('ticket_title').notNull(),
    state: text('state', { enum: ['synced', 'pending', 'error'] }).notNull(),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** The issue's field values as last synced (in Jira's terms): what neither side has changed since. */
    shadow: jsonb('shadow').$type<Record<string, string | null>>().notNull().default({}),
    /** Jira's `updated` of the issue as last read, for the per-field last-writer-wins rule. */
    jiraUpdatedAt: timestamp('jira_updated_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('issue_sync_links_connection_issue_idx').on(table.connectionId, table.issueId),
    uniqueIndex('issue_sync_links_connection_ticket_idx').on(table.connectionId, table.ticketId),
    index('issue_sync_links_site_issue_idx').on(table.cloudId, table.issueId),
  ],
);

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** A platform ticket. `fieldChangedAt` holds, per synced field, when it last changed (either side). */
export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    priority: text('priority', { enum: TICKET_PRIORITIES }).notNull(),
    requesterEmail: text('requester_email'),
    assigneeEmail: text('assignee_email'),
    /** The connection the ticket syncs to (set when the team had a sync config at creation, or by Jira). */
    connectionId: text('connection_id').references(() => jiraConnections.id, { onDelete: 'set null' }),
    fieldChangedAt: jsonb('field_changed_at').$type<Record<string, string>>().notNull().default({}),
    /** Set just before the sync asks Jira to create the issue: a retry then looks for it before creating. */
    jiraCreateStartedAt: timestamp('jira_create_started_at', { withTimezone: true }),
    /** One sync worker at a time per ticket: holders write their lease here, others wait for it. */
    syncLeaseUntil: timestamp('sync_lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('tickets_team_updated_idx').on(table.teamId, table.updatedAt, table.id)],
);

export const ticketComments = pgTable(
  'ticket_comments',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    visibility: text('visibility', { enum: ['public', 'internal'] }).notNull(),
    authorEmail: text('author_email'),
    /** Where the comment was written; Jira comments are never written back to Jira. */
    source: text('source', { enum: ['platform', 'jira'] }).notNull(),
    jiraCommentId: text('jira_comment_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('ticket_comments_ticket_idx').on(table.ticketId, table.createdAt),
    uniqueIndex('ticket_comments_jira_idx').on(table.ticketId, table.jiraCommentId),
  ],
);

export const SYNC_STRATEGIES = ['two_way', 'platform_to_jira', 'jira_to_platform'] as const;
export type SyncStrategy = (typeof SYNC_STRATEGIES)[number];

/** A connection's sync settings. Mappings list, per platform value, the Jira ids it stands for (first: written). */
export const syncConfigs = pgTable('sync_configs', {
  connectionId: text('connection_id')
    .primaryKey()
    .references(() => jiraConnections.id, { onDelete: 'cascade' }),
  teamId: text('team_id')
    .notNull()
    .references(() => teams.id, { onDelete: 'cascade' }),
  projectId: text('project_id').notNull(),
  projectKey: text('project_key').notNull(),
  issueTypeId: text('issue_type_id').notNull(),
  requestTypeId: text('request_type_id'),
  priorityMapping: jsonb('priority_mapping').$type<Record<TicketPriority, string[]>>().notNull(),
  statusMapping: jsonb('status_mapping').$type<Record<TicketStatus, string[]>>().notNull(),
  strategy: text('strategy', { enum: SYNC_STRATEGIES }).notNull(),
  reconcileIntervalMinutes: integer('reconcile_interval_minutes').notNull(),
  /** Reconciliation: issues updated at or after this (minus an overlap) are read again. */
  reconcileWatermark: timestamp('reconcile_watermark', { withTimezone: true }),
  lastReconciledAt: timestamp('last_reconciled_at', { withTimezone: true }),
  lastReconcileError: text('last_reconcile_error'),
  backfillTotal: integer('backfill_total'),
  backfillDone: integer('backfill_done').notNull().default(0),
  backfillStartedAt: timestamp('backfill_started_at', { withTimezone: true }),
  backfillFinishedAt: timestamp('backfill_finished_at', { withTimezone: true }),
  backfillCursor: text('backfill_cursor'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Platform changes waiting to be written to Jira, written in the same transaction as the change. */
export const syncOutbox = pgTable(
  'sync_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    commentId: text('comment_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [index('sync_outbox_pending_idx').on(table.processedAt, table.ticketId, table.id)],
);

/**
 * A runnable workflow of one team: a prebuilt workflow or common action (defined in code, one row per team
 * holding its enabled state and approval policy) or a JSM request type ingested from a connection's catalog.
 */
export const workflows = pgTable(
  'workflows',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['prebuilt', 'action', 'jsm_request_type'] }).notNull(),
    /** Stable per team: the definition's key, or `jsm:<connectionId>:<serviceDeskId>:<requestTypeId>`. */
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** JSON Schema of the run input: the console's form and the run's validation both come from it. */
    inputSchema: jsonb('input_schema').$type<Record<string, unknown>>().notNull(),
    approval: text('approval', { enum: ['installer-approval', 'team-approval', 'no-approval'] }).notNull(),
    enabled: boolean('enabled').notNull(),
    /** Ingested request types only: the connection they came from and where they live in JSM. */
    connectionId: text('connection_id').references(() => jiraConnections.id, { onDelete: 'cascade' }),
    source: jsonb('source').$type<Record<string, unknown>>(),
    /** Set when a re-ingestion no longer finds the request type; retired workflows cannot run. */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('workflows_team_key_idx').on(table.teamId, table.key)],
);

/** One run of a workflow: its input, state, approval and result. State changes are guarded in SQL. */
export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id')
      .notNull()
      .references(() => jiraConnections.id, { onDelete: 'cascade' }),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    output: jsonb('output').$type<unknown>(),
    state: text('state', {
      enum: ['queued', 'awaiting_approval', 'running', 'succeeded', 'failed', 'rejected'],
    }).notNull(),
    /** The policy in force when the run started (a later policy change does not touch started runs). */
    approval: text('approval', { enum: ['installer-approval', 'team-approval', 'no-approval'] }).notNull(),
    useServiceAccount: boolean('use_service_account').notNull().default(false),
    asJiraUser: text('as_jira_user'),
    startedBy: text('started_by').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionReason: text('decision_reason'),
    /** An unapproved run past this instant can no longer be approved. */
    approvalExpiresAt: timestamp('approval_expires_at', { withTimezone: true }),
    errorCode: text('error_code'),
    error: text('error'),
    /** The customer request a JSM run raised (also in output), for lists and search. */
    requestKey: text('request_key'),
    attempts: integer('attempts').notNull().default(0),
    /** While running: until when the worker that claimed it owns it. */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('workflow_runs_team_created_idx').on(table.teamId, table.createdAt),
    index('workflow_runs_workflow_idx').on(table.workflowId, table.createdAt),
    index('workflow_runs_state_idx').on(table.state),
  ],
);

/**
 * Each Jira call of a run, written before the call goes out and completed after it, so an interrupted run
 * shows exactly which call may have reached Jira. Never holds tokens or bodies.
 */
export const workflowRunSteps = pgTable(
  'workflow_run_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    name: text('name').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** `user`, `service_account` or `impersonation` (as the proxy's X-Jira-Auth-Mode). */
    identity: text('identity').notNull(),
    asJiraUser: text('as_jira_user'),
    /** Null while the call is under way (or was cut off by a crash). */
    status: integer('status'),
    durationMs: real('duration_ms'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('workflow_run_steps_run_idx').on(table.runId, table.id)],
);

/** Progress of one JSM catalog ingestion (a job): service desks and request types done of total. */
export const catalogIngestions = pgTable(
  'catalog_ingestions',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id')
      .notNull()
      .references(() => jiraConnections.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
    serviceDesksDone: integer('service_desks_done').notNull().default(0),
    serviceDesksTotal: integer('service_desks_total'),
    requestTypesDone: integer('request_types_done').notNull().default(0),
    requestTypesTotal: integer('request_types_total'),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    retired: integer('retired').notNull().default(0),
    error: text('error'),
    startedBy: text('started_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Workers that claimed it; more than one means a worker was lost and another resumed it. */
    attempts: integer('attempts').notNull().default(0),
    /** While running: the worker renews it with every bit of progress; once past, the sweep resumes it. */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
  },
  (table) => [index('catalog_ingestions_connection_idx').on(table.connectionId, table.createdAt)],
);
