/** The Tickets page: what ticket syncing still needs, per connection. */
import { supportContact } from '@jira-integration/shared';
import {
  ticketSyncReadinessMessages as copy,
  forgeConsoleMessages,
} from '@jira-integration/shared/forge-messages';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { loadSyncReadiness, type SyncReadiness } from '../sync/readiness';
import { describeForgeUpgrade, ForgeUpgradeNote } from './forge-upgrade';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

/** The install page link and the spec's "five minutes, then refresh" guidance. */
export function ForgeInstallHelp(props: { productName: string; installUrl: string }) {
  return (
    <div class="forge-install help">
      <a href={props.installUrl} target="_blank" rel="noopener" data-forge-install>
        {forgeConsoleMessages.installLink}
      </a>
      . {forgeConsoleMessages.installWait(props.productName)}
    </div>
  );
}

export function TicketSyncReadinessView(props: {
  entries: SyncReadiness[];
  productName: string;
  forgeInstallUrl: string;
}) {
  return (
    <>
      <h1>{copy.pageTitle}</h1>
      <p class="lede">{copy.lede(props.productName)}</p>
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
                {!check.ok && check.name === copy.checkInstalled ? (
                  <ForgeInstallHelp productName={props.productName} installUrl={props.forgeInstallUrl} />
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p class="help support">{supportContact(props.productName)}</p>
    </>
  );
}

export function ticketConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/tickets', requireConsoleSession);
  app.get('/console/tickets', async (c) => {
    const { productName, forgeInstallUrl } = c.var.services.config;
    return c.html(
      <ConsoleLayout title="Tickets" productName={productName} current="/console/tickets">
        <TicketSyncReadinessView
          entries={await loadSyncReadiness(c.var.services, c.var.teamId)}
          productName={productName}
          forgeInstallUrl={forgeInstallUrl}
        />
      </ConsoleLayout>,
    );
  });
  return app;
}
