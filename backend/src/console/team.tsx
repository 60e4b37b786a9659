/** The team: its name and ids, where its keys and history are. */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { listApiKeys } from '../auth/keys';
import type { AppEnv } from '../context';
import { teams } from '../db/schema';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

export function teamConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/team', requireConsoleSession);
  app.get('/console/team', async (c) => {
    const { db, config } = c.var.services;
    const [team] = await db.select().from(teams).where(eq(teams.id, c.var.teamId));
    const active = (await listApiKeys(db, c.var.teamId)).filter((key) => !key.revokedAt);
    return c.html(
      <ConsoleLayout title="Team" productName={config.productName} current="/console/team">
        <h1>Team</h1>
        <p class="lede">The team this console is signed in to.</p>
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
            <dt>API keys</dt>
            <dd id="team-keys">
              {active.length} active · <a href="/console/keys">Manage API keys</a>
            </dd>
            <dt>History</dt>
            <dd>
              <a href="/console/audit">Audit history</a>
            </dd>
          </dl>
        </div>
      </ConsoleLayout>,
    );
  });
  return app;
}
