/** What ticket syncing still needs per connection: managed, app installed, credentials fresh, toggle on. */
import { ticketSyncReadinessMessages as copy } from '@jira-integration/shared/forge-messages';
import { listConnections } from '../connections/service';
import type { Services } from '../context';
import type { JiraConnection } from '../model/connection';
import { type ForgeSiteStatus, forgeSiteStatus, forgeUpgradeStatus } from '../model/forge-upgrade';

export interface SyncReadiness {
  connection: JiraConnection;
  site: ForgeSiteStatus | undefined;
  checks: Array<{ name: string; ok: boolean; fix: string }>;
  /** Every check passes and the connection is upgraded with fresh credentials. */
  ready: boolean;
}

/** One entry per team connection: the conditions ticket syncing needs, and how to fix each. */
export async function loadSyncReadiness(services: Services, teamId: string): Promise<SyncReadiness[]> {
  const connections = await listConnections(services, teamId);
  const sites = await forgeSiteStatus(
    services,
    connections.map((connection) => connection.cloudId),
  );
  return connections.map((connection) => {
    const site = sites.get(connection.cloudId);
    const checks = [
      { name: copy.checkManaged, ok: connection.method === 'managed', fix: copy.fixManaged },
      { name: copy.checkInstalled, ok: Boolean(site?.installed), fix: copy.fixInstalled },
      { name: copy.checkFresh, ok: Boolean(site?.credentialsFresh), fix: copy.fixFresh },
      { name: copy.checkEnabled, ok: connection.ticketSyncing, fix: copy.fixEnabled },
    ];
    const ready = checks.every((check) => check.ok) && forgeUpgradeStatus(connection, site).upgraded;
    return { connection, site, checks, ready };
  });
}
