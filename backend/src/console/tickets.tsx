/** The Tickets page: what ticket syncing still needs, per connection. */
import { ticketSyncReadinessMessages as copy } from '@jira-integration/shared/forge-messages';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { loadSyncReadiness, type SyncReadiness } from '../sync/readiness';
import { describeForgeUpgrade, ForgeUpgradeNote } from './forge-upgrade';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

export function TicketSyncReadinessView(props: { entries: SyncReadiness[] }) {
  return (
    <>
      <h1>{copy.pageTitle}</h1>
      <h2>{copy.title}</h2>
      <p class="lede">{copy.lede}</p>
      {props.entries.length === 0 ? <div class="card empty">{copy.noConnections}</div> : null}
      {props.entries.map(({ connection, site, checks, ready }) => (
        <section class="card" data-connection={connection.id} data-ready={String(ready)}>
          <div class="row">
            <strong>{connection.displayName ?? connection.siteName}</strong>
            <span class="help">{connection.siteUrl}</span>
          </div>
          <ForgeUpgradeNote state={describeForgeUpgrade(connection, site)} />
          <p>{ready ? copy.ready : copy.notReady}</p>
          <ul class="health-results">
            {checks.map((check) => (
              <li class={check.ok ? 'ok' : 'bad'}>
                {check.ok ? '✓' : '✗'} {check.name}
                {check.ok ? null : <span class="help"> {check.fix}</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

export function ticketConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/tickets', requireConsoleSession);
  app.get('/console/tickets', async (c) =>
    c.html(
      <ConsoleLayout
        title="Tickets"
        productName={c.var.services.config.productName}
        current="/console/tickets"
      >
        <TicketSyncReadinessView entries={await loadSyncReadiness(c.var.services, c.var.teamId)} />
      </ConsoleLayout>,
    ),
  );
  return app;
}
