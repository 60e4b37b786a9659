/**
 * The one decision on whether ticket sync can run for a connection. The API (`GET …/sync-config`), the console's
 * Tickets page, the Forge admin page and the sync workers all read it, so they always agree on which condition
 * fails.
 */
import { syncReadinessMessages as copy } from '@jira-integration/shared/sync-messages';
import { eq, inArray } from 'drizzle-orm';
import { listConnections } from '../connections/service';
import type { Services } from '../context';
import { syncConfigs } from '../db/schema';
import type { JiraConnection } from '../model/connection';
import { type ForgeSiteStatus, forgeSiteStatus, forgeUpgradeStatus } from '../model/forge-upgrade';

export const READINESS_CHECKS = [
  'managed',
  'installed',
  'fresh',
  'upgraded',
  'enabled',
  'configured',
] as const;
export type ReadinessCheckKey = (typeof READINESS_CHECKS)[number];

export interface ReadinessCheck {
  key: ReadinessCheckKey;
  name: string;
  ok: boolean;
  fix: string;
}

export interface SyncReadiness {
  ready: boolean;
  checks: ReadinessCheck[];
  /** The first failing check's sentence, e.g. "Sync is not running. Missing: Ticket Syncing turned on." */
  reason: string | null;
}

const LABELS: Record<ReadinessCheckKey, { name: string; fix: string }> = {
  managed: { name: copy.checkManaged, fix: copy.fixManaged },
  installed: { name: copy.checkInstalled, fix: copy.fixInstalled },
  fresh: { name: copy.checkFresh, fix: copy.fixFresh },
  upgraded: { name: copy.checkUpgraded, fix: copy.fixUpgraded },
  enabled: { name: copy.checkEnabled, fix: copy.fixEnabled },
  configured: { name: copy.checkConfigured, fix: copy.fixConfigured },
};

/** Pure: the readiness of one connection from what is known about its site and its saved config. */
export function decideSyncReadiness(
  connection: Pick<JiraConnection, 'method' | 'forgeUpgradedAt' | 'ticketSyncing'>,
  site: ForgeSiteStatus | undefined,
  configSaved: boolean,
): SyncReadiness {
  const ok: Record<ReadinessCheckKey, boolean> = {
    managed: connection.method === 'managed',
    installed: Boolean(site?.installed),
    fresh: Boolean(site?.credentialsFresh),
    // The one upgrade rule (model/forge-upgrade): stale credentials count as downgraded at once.
    upgraded: forgeUpgradeStatus(connection, site).upgraded,
    enabled: connection.ticketSyncing,
    configured: configSaved,
  };
  const checks = READINESS_CHECKS.map((key) => ({ key, ok: ok[key], ...LABELS[key] }));
  const failing = checks.find((check) => !check.ok);
  return { ready: !failing, checks, reason: failing ? copy.notReady(failing.name) : null };
}

/** Readiness of several connections at once (one query for sites, one for configs). */
export async function syncReadinessOf(
  services: Services,
  connections: JiraConnection[],
): Promise<Map<string, SyncReadiness>> {
  if (!connections.length) return new Map();
  const sites = await forgeSiteStatus(
    services,
    connections.map((connection) => connection.cloudId),
  );
  const saved = await services.db
    .select({ connectionId: syncConfigs.connectionId })
    .from(syncConfigs)
    .where(
      inArray(
        syncConfigs.connectionId,
        connections.map((connection) => connection.id),
      ),
    );
  const configured = new Set(saved.map((row) => row.connectionId));
  return new Map(
    connections.map((connection) => [
      connection.id,
      decideSyncReadiness(connection, sites.get(connection.cloudId), configured.has(connection.id)),
    ]),
  );
}

export async function syncReadiness(services: Services, connection: JiraConnection): Promise<SyncReadiness> {
  const [config] = await services.db
    .select({ connectionId: syncConfigs.connectionId })
    .from(syncConfigs)
    .where(eq(syncConfigs.connectionId, connection.id));
  const sites = await forgeSiteStatus(services, [connection.cloudId]);
  return decideSyncReadiness(connection, sites.get(connection.cloudId), Boolean(config));
}

/** The console's Tickets page: every connection of the team with its readiness and site status. */
export async function loadSyncReadiness(
  services: Services,
  teamId: string,
): Promise<Array<{ connection: JiraConnection; site: ForgeSiteStatus | undefined } & SyncReadiness>> {
  const connections = await listConnections(services, teamId);
  const sites = await forgeSiteStatus(
    services,
    connections.map((connection) => connection.cloudId),
  );
  const readiness = await syncReadinessOf(services, connections);
  return connections.map((connection) => ({
    connection,
    site: sites.get(connection.cloudId),
    ...(readiness.get(connection.id) as SyncReadiness),
  }));
}
