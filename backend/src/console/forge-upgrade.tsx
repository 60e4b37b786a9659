/** The console's note on a connection's upgrade by the Forge app, worded from the one upgrade rule. */
import { forgeConsoleMessages } from '@jira-integration/shared/forge-messages';
import type { JiraConnection } from '../model/connection';
import { type ForgeSiteStatus, forgeUpgradeStatus } from '../model/forge-upgrade';

export interface ForgeUpgradeState {
  upgraded: boolean;
  label: string;
  /** The last credential push, for managed connections of a site that has the app. */
  detail: string | null;
}

/** What the console says about one connection's upgrade. Stale credentials count as downgraded at once. */
export function describeForgeUpgrade(
  connection: Pick<JiraConnection, 'method' | 'forgeUpgradedAt'>,
  site: ForgeSiteStatus | undefined,
): ForgeUpgradeState {
  const status = forgeUpgradeStatus(connection, site);
  const detail = site?.installed ? forgeConsoleMessages.lastPush(site.lastPushAt) : null;
  if (status.upgraded) return { upgraded: true, label: forgeConsoleMessages.upgraded, detail };
  switch (status.reason) {
    case 'custom':
      return { upgraded: false, label: forgeConsoleMessages.custom, detail: null };
    case 'uninstalled':
      return { upgraded: false, label: forgeConsoleMessages.uninstalled(site!.uninstalledAt!), detail: null };
    case 'not_installed':
      return { upgraded: false, label: forgeConsoleMessages.notInstalled, detail: null };
    case 'stale':
      return { upgraded: false, label: forgeConsoleMessages.stale(site!.lastPushAt), detail };
    case 'pending':
      return { upgraded: false, label: forgeConsoleMessages.pending, detail };
  }
}

/** The note beside a connection on the Connections and Tickets pages. */
export function ForgeUpgradeNote(props: { state: ForgeUpgradeState }) {
  const { state } = props;
  return (
    <div class="forge-upgrade" data-upgraded={String(state.upgraded)}>
      <span class={`badge ${state.upgraded ? 'ok' : 'warn'}`}>{state.label}</span>
      {state.detail ? <span class="help"> {state.detail}</span> : null}
    </div>
  );
}
