/**
 * Console pieces about the Forge app: the upgrade note shown beside a connection, and the Ticket Syncing
 * readiness checklist (managed connection? app installed? credentials fresh?).
 */
import {
  ticketSyncReadinessMessages as copy,
  forgeConsoleMessages,
} from '@jira-integration/shared/forge-messages';
import type { JiraConnection } from '../connections/service';
import { listConnections } from '../connections/service';
import type { Services } from '../context';
import { type ForgeSiteStatus, forgeSiteStatus } from './credentials';

export interface ForgeUpgradeState {
  upgraded: boolean;
  label: string;
  /** The last credential push, for managed connections of a site that has the app. */
  detail: string | null;
}

/** What the console says about one connection's upgrade. Stale credentials count as downgraded at once. */
export function describeForgeUpgrade(
  connection: JiraConnection,
  site: ForgeSiteStatus | undefined,
): ForgeUpgradeState {
  if (connection.method !== 'managed')
    return { upgraded: false, label: forgeConsoleMessages.custom, detail: null };
  if (!site?.installed) {
    return {
      upgraded: false,
      label: site?.uninstalledAt
        ? forgeConsoleMessages.uninstalled(site.uninstalledAt)
        : forgeConsoleMessages.notInstalled,
      detail: null,
    };
  }
  const detail = forgeConsoleMessages.lastPush(site.lastPushAt);
  if (!site.credentialsFresh)
    return { upgraded: false, label: forgeConsoleMessages.stale(site.lastPushAt), detail };
  if (!connection.forgeUpgradedAt) return { upgraded: false, label: forgeConsoleMessages.pending, detail };
  return { upgraded: true, label: forgeConsoleMessages.upgraded, detail };
}

/** The note beside a connection on the Connections page. */
export function ForgeUpgradeNote(props: { state: ForgeUpgradeState }) {
  const { state } = props;
  return (
    <div class="forge-upgrade" data-upgraded={String(state.upgraded)}>
      <span class={`badge ${state.upgraded ? 'ok' : 'warn'}`}>{state.label}</span>
      {state.detail ? <span class="help"> {state.detail}</span> : null}
    </div>
  );
}

export interface SyncReadiness {
  connection: JiraConnection;
  upgrade: ForgeUpgradeState;
  checks: Array<{ name: string; ok: boolean; fix: string }>;
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
    const upgrade = describeForgeUpgrade(connection, site);
    return { connection, upgrade, checks, ready: checks.every((check) => check.ok) && upgrade.upgraded };
  });
}

export function TicketSyncReadinessView(props: { entries: SyncReadiness[] }) {
  return (
    <>
      <h1>{copy.pageTitle}</h1>
      <h2>{copy.title}</h2>
      <p class="lede">{copy.lede}</p>
      {props.entries.length === 0 ? <div class="card empty">{copy.noConnections}</div> : null}
      {props.entries.map(({ connection, upgrade, checks, ready }) => (
        <section class="card" data-connection={connection.id} data-ready={String(ready)}>
          <div class="row">
            <strong>{connection.displayName ?? connection.siteName}</strong>
            <span class="help">{connection.siteUrl}</span>
          </div>
          <ForgeUpgradeNote state={upgrade} />
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
