/** One connection's page: everything an admin needs to know about it, and its recent health checks. */
import { connectMessages, METHOD_LABELS, supportContact } from '@jira-integration/shared';
import { forgeConsoleMessages, formatPushTime } from '@jira-integration/shared/forge-messages';
import { Hono } from 'hono';
import { rateLimitBudget } from '../atlassian/rate-limit';
import { lastProxyCallAt } from '../audit/service';
import { findConnection } from '../connections/service';
import type { AppEnv } from '../context';
import { recentHealthRuns } from '../health/service';
import { ApiError } from '../http/errors';
import { forgeSiteStatus } from '../model/forge-upgrade';
import { describeForgeUpgrade, ForgeUpgradeNote } from './forge-upgrade';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';
import { ForgeInstallHelp } from './tickets';

const when = (at: Date | null | undefined) => (at ? formatPushTime(at) : 'never');

export function connectionDetailRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/connections/:id', requireConsoleSession);
  app.get('/console/connections/:id', async (c) => {
    const services = c.var.services;
    const { productName } = services.config;
    const connection = await findConnection(services, c.var.teamId, c.req.param('id')).catch((error) => {
      if (error instanceof ApiError && error.code === 'connection_not_found') return undefined;
      throw error;
    });
    if (!connection) {
      return c.html(
        <ConsoleLayout title="Connection" productName={productName} current="/console/connections">
          <h1>Connection</h1>
          <div class="alert" role="alert">
            {connectMessages.connectionNotFound}
          </div>
          <a href="/console/connections">Back to Connections</a>
        </ConsoleLayout>,
        404,
      );
    }
    const site = new URL(connection.siteUrl).host;
    const forgeSites = await forgeSiteStatus(services, [connection.cloudId]);
    const forge = describeForgeUpgrade(connection, forgeSites.get(connection.cloudId));
    const [budget] = rateLimitBudget(services).snapshot([
      connection.method === 'custom' && connection.clientId
        ? { kind: 'custom', clientId: connection.clientId }
        : { kind: 'managed' },
    ]);
    const runs = await recentHealthRuns(services, connection.id);
    const lastUsed = await lastProxyCallAt(services, connection.id);
    const facts: Array<[string, string, string]> = [
      ['method', 'Method', METHOD_LABELS[connection.method]],
      ['site', 'Site', `${connection.siteName} (${site})`],
      ['connected-as', 'Connected as', connection.accountName ?? connection.accountId],
      [
        'status',
        'Status',
        connection.status === 'needs_reconnect'
          ? `Needs reconnect${connection.statusReason ? `: ${connection.statusReason}` : ''}`
          : 'Active',
      ],
      ['scopes', 'Scopes', connection.scopes.join(' ')],
      ['token-expiry', 'Access token expires', when(connection.accessTokenExpiresAt)],
      ['created', 'Created', when(connection.createdAt)],
      ['last-used', 'Last used (proxy)', when(lastUsed)],
      [
        'budget',
        'Atlassian budget left',
        budget?.remaining != null
          ? `${budget.remaining}${budget.limit != null ? ` of ${budget.limit}` : ''} points${budget.resetAt ? `, resets ${budget.resetAt}` : ''}`
          : 'not reported by Atlassian yet',
      ],
    ];
    return c.html(
      <ConsoleLayout title={site} productName={productName} current="/console/connections">
        <p>
          <a href="/console/connections">← Connections</a>
        </p>
        <h1>{connection.displayName ?? connection.siteName}</h1>
        <p class="lede">{site}</p>
        <div class="card">
          <dl class="facts" id="connection-facts">
            {facts.map(([key, label, value]) => (
              <>
                <dt>{label}</dt>
                <dd data-fact={key}>{value}</dd>
              </>
            ))}
            <dt>Forge app</dt>
            <dd data-fact="forge">
              <ForgeUpgradeNote state={forge} />
              {forge.label === forgeConsoleMessages.notInstalled ? (
                <ForgeInstallHelp productName={productName} installUrl={services.config.forgeInstallUrl} />
              ) : null}
            </dd>
          </dl>
        </div>
        <div class="card">
          <h2>Recent health checks</h2>
          {runs.length === 0 ? (
            <p class="help" id="no-health-runs">
              No health checks run yet. Run them from the Connections page.
            </p>
          ) : (
            <ol class="health-runs" id="health-runs">
              {runs.map((run) => (
                <li>
                  <strong>{formatPushTime(run.ranAt)}</strong>
                  <ul class="health-results">
                    {run.results.map((result) => (
                      <li class={result.ok ? 'ok' : 'bad'}>
                        {`${result.ok ? '✓' : '✗'} ${result.name}: ${result.message}${result.cause ? ` ${result.cause}` : ''}`}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          )}
        </div>
        <p class="help support">{supportContact(productName)}</p>
      </ConsoleLayout>,
    );
  });
  return app;
}
