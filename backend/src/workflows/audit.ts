import { and, eq } from 'drizzle-orm';
import { type AuditEntry, writeAudit } from '../audit/log';
import { keyActor } from '../auth/keys';
import type { Db } from '../db/client';
import { apiKeys } from '../db/schema';

/**
 * Workflow rows keep the acting key's id in `detail.actor` (approvals compare ids); the row's actor names that
 * key as every other row names one (`keyActor`), so the history and its actor filter show who acted.
 */
export async function writeWorkflowAudit(
  tx: Pick<Db, 'insert' | 'select'>,
  entry: AuditEntry,
): Promise<void> {
  const id = typeof entry.detail?.actor === 'string' ? entry.detail.actor : undefined;
  const [key] = id
    ? await tx
        .select({ prefix: apiKeys.prefix })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.teamId, entry.teamId ?? '')))
    : [];
  await writeAudit(tx, { ...entry, actor: key ? keyActor(key.prefix) : id });
}
