/** Audit history: what changed in the team, by whom, filterable by connection, action and actor. */
import { METHOD_LABELS } from '@jira-integration/shared';
import { formatPushTime } from '@jira-integration/shared/forge-messages';
import { Hono } from 'hono';
import { AUDIT_ACTIONS, type AuditAction } from '../audit/log';
import { auditActors, listAudit } from '../audit/service';
import { listApiKeys } from '../auth/keys';
import { listConnections } from '../connections/service';
import type { AppEnv } from '../context';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

const isAction = (value: string | undefined): value is AuditAction =>
  (AUDIT_ACTIONS as readonly string[]).includes(value ?? '');

/** "acme.atlassian.net (Sign in with Jira)": how the history names a connection. */
function connectionName(siteUrl: string, method: unknown): string {
  const host = new URL(siteUrl).host;
  return method === 'managed' || method === 'custom' ? `${host} (${METHOD_LABELS[method]})` : host;
}

/** The site a connection's connected and deleted rows record, so a disconnected one is still named by it. */
function recordedSite(detail: unknown): string | undefined {
  const { siteUrl, method } = (detail ?? {}) as { siteUrl?: unknown; method?: unknown };
  return typeof siteUrl === 'string' && URL.canParse(siteUrl) ? connectionName(siteUrl, method) : undefined;
}

export function auditConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/audit', requireConsoleSession);
  app.get('/console/audit', async (c) => {
    const services = c.var.services;
    const { productName } = services.config;
    const query = c.req.query();
    const connections = await listConnections(services, c.var.teamId);
    const actors = await auditActors(services, c.var.teamId);
    // Filters only ever narrow the team's own rows; an unknown value simply matches nothing.
    const filter = {
      connectionId: query.connection || undefined,
      action: isAction(query.action) ? query.action : undefined,
      actor: query.actor || undefined,
      limit: 100,
    };
    const entries = await listAudit(services, c.var.teamId, filter);
    const names = new Map(
      connections.map((connection) => [connection.id, connectionName(connection.siteUrl, connection.method)]),
    );
    // Workflow decisions record the API key's id, and key rows target one: show the key as the Keys page does.
    const keyNames = new Map(
      (await listApiKeys(services.db, c.var.teamId)).map((key) => [key.id, `${key.name} (${key.prefix}…)`]),
    );
    for (const [id, name] of keyNames) names.set(id, name);
    const actorName = (actor: string) => keyNames.get(actor) ?? actor;
    for (const entry of entries) {
      const site = entry.target && !names.has(entry.target) ? recordedSite(entry.detail) : undefined;
      if (site) names.set(entry.target!, site);
    }
    return c.html(
      <ConsoleLayout title="Audit history" productName={productName} current="/console/audit">
        <h1>Audit history</h1>
        <p class="lede">Every change to the team's connections, keys and Jira calls, newest first.</p>
        <form class="card filters" method="get" action="/console/audit" id="audit-filters">
          <div class="field">
            <label for="filter-connection">Connection</label>
            <select id="filter-connection" name="connection">
              <option value="">All connections</option>
              {connections.map((connection) => (
                <option value={connection.id} selected={connection.id === filter.connectionId}>
                  {names.get(connection.id)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-action">Action</label>
            <select id="filter-action" name="action">
              <option value="">All actions</option>
              {AUDIT_ACTIONS.map((action) => (
                <option value={action} selected={action === filter.action}>
                  {action}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-actor">Actor</label>
            <select id="filter-actor" name="actor">
              <option value="">Anyone</option>
              {actors.map((actor) => (
                <option value={actor} selected={actor === filter.actor}>
                  {actorName(actor)}
                </option>
              ))}
            </select>
          </div>
          <button class="btn" type="submit">
            Filter
          </button>
        </form>
        <div class="card">
          {entries.length === 0 ? (
            <div class="empty">No audit rows match.</div>
          ) : (
            <table id="audit">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Actor</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr data-action={entry.action}>
                    <td data-label="When">{formatPushTime(new Date(entry.createdAt))}</td>
                    <td data-label="Action">{entry.action}</td>
                    <td data-label="Target">{names.get(entry.target ?? '') ?? entry.target ?? '—'}</td>
                    <td data-label="Actor">{entry.actor ? actorName(entry.actor) : '—'}</td>
                    <td data-label="Detail">
                      <code>{JSON.stringify(entry.detail)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </ConsoleLayout>,
    );
  });
  return app;
}
