/**
 * The audit log's one writer. Every state change writes its row through `writeAudit`, passing the
 * transaction that makes the change, so the change and its record land together or not at all.
 */
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

/** Every action the audit log records, and nothing else. */
export const AUDIT_ACTIONS = [
  'jira.connection.connected',
  'jira.connection.deleted',
  'jira.connection.ticket_syncing_changed',
  'jira.connection.refresh_revoked',
  /** Jira answered 401 to the connection's access token: it needs a reconnect. */
  'jira.connection.token_refused',
  'jira.connection.forge_upgraded',
  'jira.connection.forge_downgraded_uninstalled',
  'jira.connection.forge_downgraded_stale',
  /** A Jira admin revoked the workspace on the site (workspaces/service.ts). */
  'jira.connection.forge_downgraded_revoked',
  'jira.proxy',
  'api_key.created',
  'api_key.revoked',
  'workspace.site_approved',
  'workspace.site_revoked',
  'workflow.updated',
  'workflow.run.started',
  'workflow.run.approved',
  'workflow.run.rejected',
  'workflow.run.expired',
  'workflow.run.succeeded',
  'workflow.run.failed',
  'jsm.catalog.ingested',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** null only for a change no team owns. */
  teamId: string | null;
  action: AuditAction;
  target: string;
  /** Who did it (see auditLog.actor); "system" when not given. */
  actor?: string;
  detail?: Record<string, unknown>;
}

/** A database handle or, for a change, its transaction. */
export type AuditWriter = Pick<Db, 'insert'>;

export async function writeAudit(tx: AuditWriter, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const rows = Array.isArray(entries) ? entries : [entries];
  if (rows.length === 0) return;
  await tx
    .insert(auditLog)
    .values(rows.map((row) => ({ ...row, actor: row.actor ?? 'system', detail: row.detail ?? {} })));
}
