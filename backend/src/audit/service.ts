import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Services } from '../context';
import { auditLog } from '../db/schema';
import type { AuditAction } from './log';

export interface AuditFilter {
  /** A connection's id (the rows whose target it is). */
  connectionId?: string;
  action?: AuditAction;
  actor?: string;
  /** Rows older than this id: the next page. */
  before?: number;
  limit?: number;
}

export const AUDIT_PAGE_MAX = 200;

/** The team's audit history, newest first; only its own rows, whatever the filter. */
export async function listAudit(services: Services, teamId: string, filter: AuditFilter = {}) {
  const conditions: SQL[] = [eq(auditLog.teamId, teamId)];
  if (filter.connectionId) conditions.push(eq(auditLog.target, filter.connectionId));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.actor) conditions.push(eq(auditLog.actor, filter.actor));
  if (filter.before !== undefined) conditions.push(lt(auditLog.id, filter.before));
  const rows = await services.db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(Math.min(filter.limit ?? 50, AUDIT_PAGE_MAX));
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    target: row.target,
    actor: row.actor,
    detail: row.detail,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** The connection's last call through the proxy, if any. */
export async function lastProxyCallAt(services: Services, connectionId: string): Promise<Date | undefined> {
  const [row] = await services.db
    .select({ at: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.target, connectionId), eq(auditLog.action, 'jira.proxy')))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row?.at;
}

/** Who appears in the team's history, for the console's filter. */
export async function auditActors(services: Services, teamId: string): Promise<string[]> {
  const rows = await services.db
    .selectDistinct({ actor: auditLog.actor })
    .from(auditLog)
    .where(eq(auditLog.teamId, teamId));
  return rows.flatMap((row) => (row.actor ? [row.actor] : [])).sort();
}
