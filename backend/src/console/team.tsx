/** The team: its name and id, and its API keys (create, revoke) through the keys API. */
import { formatPushTime } from '@jira-integration/shared/forge-messages';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { listApiKeys } from '../auth/keys';
import type { AppEnv } from '../context';
import { teams } from '../db/schema';
import { browserBundle } from './assets';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

export function teamConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/console/assets/team.js', async (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(await browserBundle('team'));
  });
  app.use('/console/team', requireConsoleSession);
  app.get('/console/team', async (c) => {
    const { db, config } = c.var.services;
    const [team] = await db.select().from(teams).where(eq(teams.id, c.var.teamId));
    const keys = await listApiKeys(db, c.var.teamId);
    return c.html(
      <ConsoleLayout title="Team" productName={config.productName} current="/console/team">
        <h1>Team</h1>
        <div class="card">
          <dl class="facts">
            <dt>Name</dt>
            <dd id="team-name">{team.name}</dd>
            <dt>Team id</dt>
            <dd>
              <code id="team-id">{team.id}</code>
            </dd>
            <dt>Workspace id</dt>
            <dd>
              <code>{team.workspaceId}</code>
            </dd>
          </dl>
        </div>
        <div class="card">
          <h2>API keys</h2>
          <p class="help">
            Keys authenticate the API and sign in to this console. A key is shown once, when it is created.
          </p>
          <form id="create-key" class="row">
            <label for="key-name" class="sr-only">
              Key name
            </label>
            <input id="key-name" name="name" type="text" placeholder="Key name, e.g. CI" maxlength={255} />
            <button class="btn" type="submit">
              Create API key
            </button>
          </form>
          <div class="alert ok" id="new-key" role="status" hidden>
            <p>Copy this key now: it is not shown again.</p>
            <code id="new-key-value" />
          </div>
          <div class="alert" id="key-error" role="alert" hidden />
          <table id="keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr data-key-id={key.id} data-key-name={key.name}>
                  <td data-label="Name">{key.name}</td>
                  <td data-label="Key">
                    <code>{key.prefix}…</code>
                  </td>
                  <td data-label="Created">{formatPushTime(new Date(key.createdAt))}</td>
                  <td data-label="Last used">
                    {key.lastUsedAt ? formatPushTime(new Date(key.lastUsedAt)) : 'never'}
                  </td>
                  <td>
                    {key.revokedAt ? (
                      <span class="badge">Revoked {formatPushTime(new Date(key.revokedAt))}</span>
                    ) : (
                      <button class="btn link" type="button" data-action="revoke">
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <script type="module" src="/console/assets/team.js" />
      </ConsoleLayout>,
    );
  });
  return app;
}
