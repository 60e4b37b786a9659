import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, type TestContext } from '../../test-support/context';
import { testDatabaseKinds } from '../../test-support/database';
import { deleteConnection, setTicketSyncing } from '../connections/service';
import { auditLog, jiraConnections, teams } from '../db/schema';

describe.each(testDatabaseKinds())('audit rows (%s)', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ kind });
  });
  afterAll(() => t.close());

  const auditOf = (target: string) =>
    t.services.db.select().from(auditLog).where(eq(auditLog.target, target)).orderBy(auditLog.id);

  /** Makes every audit insert fail until the returned function is called. */
  async function breakAuditLog() {
    await t.services.db.execute(sql`alter table audit_log rename to audit_log_away`);
    return () => t.services.db.execute(sql`alter table audit_log_away rename to audit_log`);
  }

  it('turning Ticket Syncing on or off is audited, and not done when its audit row cannot be written', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'cloud-sync',
      accessToken: 'token',
    });
    await setTicketSyncing(t.services, t.team.id, connection.id, true);
    expect(await auditOf(connection.id)).toMatchObject([
      { teamId: t.team.id, action: 'jira.connection.ticket_syncing_changed', detail: { enabled: true } },
    ]);

    const repair = await breakAuditLog();
    try {
      await expect(setTicketSyncing(t.services, t.team.id, connection.id, false)).rejects.toThrow();
    } finally {
      await repair();
    }
    const [row] = await t.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    expect(row.ticketSyncing).toBe(true);
  });

  it('a deleted connection is audited, and stays when its audit row cannot be written', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'cloud-delete',
      accessToken: 'token',
    });
    const repair = await breakAuditLog();
    try {
      await expect(deleteConnection(t.services, t.team.id, connection.id)).rejects.toThrow();
    } finally {
      await repair();
    }
    const stillThere = await t.services.db
      .select()
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connection.id));
    expect(stillThere).toHaveLength(1);

    await deleteConnection(t.services, t.team.id, connection.id);
    expect(await auditOf(connection.id)).toMatchObject([
      { teamId: t.team.id, action: 'jira.connection.deleted', detail: { cloudId: 'cloud-delete' } },
    ]);
  });

  it('audit rows outlive their team', async () => {
    const team = await t.createTeam('Short-lived team');
    const connection = await insertTestConnection(t.services, {
      teamId: team.id,
      cloudId: 'cloud-gone',
      accessToken: 'token',
    });
    await deleteConnection(t.services, team.id, connection.id);
    await t.services.db.delete(teams).where(eq(teams.id, team.id));
    const rows = await t.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.target, connection.id), eq(auditLog.action, 'jira.connection.deleted')));
    expect(rows).toMatchObject([{ teamId: null, detail: { cloudId: 'cloud-gone' } }]);
  });
});
