/** The Connections page: the team's connections, their actions and the connect modal. */
import {
  connectMessages,
  connectModalCopy,
  JIRA_OAUTH_SCOPES,
  METHOD_LABELS,
  supportContact,
} from '@jira-integration/shared';
import { forgeConsoleMessages } from '@jira-integration/shared/forge-messages';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { Hono } from 'hono';
import { callbackErrorText } from '../connections/callback';
import { callbackUrl, listConnections } from '../connections/service';
import type { AppEnv } from '../context';
import type { JiraConnection } from '../model/connection';
import { forgeSiteStatus } from '../model/forge-upgrade';
import type { ApprovalStatus } from '../model/workspace-approval';
import { approvalsOfTeam } from '../workspaces/service';
import { browserBundle } from './assets';
import { describeForgeUpgrade, ForgeUpgradeNote, type ForgeUpgradeState } from './forge-upgrade';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';
import { ForgeInstallHelp } from './tickets';

const APPROVAL_LABELS: Record<ApprovalStatus, string> = {
  approved: workspaceMessages.approved,
  pending: workspaceMessages.pending,
  revoked: workspaceMessages.revoked,
};

/** Whether the site's Jira admins let this workspace use the Forge app (managed connections only). */
function WorkspaceApprovalNote(props: { status: ApprovalStatus | undefined }) {
  if (!props.status) return null;
  return (
    <div class="workspace-approval" data-approval={props.status}>
      <span class={`badge ${props.status === 'approved' ? 'ok' : 'warn'}`}>
        {APPROVAL_LABELS[props.status]}
      </span>
      {props.status === 'approved' ? null : <div class="help">{workspaceMessages.pendingHelp}</div>}
    </div>
  );
}

function ConnectionRow(props: {
  connection: JiraConnection;
  forge: ForgeUpgradeState;
  approval: ApprovalStatus | undefined;
  productName: string;
  forgeInstallUrl: string;
}) {
  const c = props.connection;
  const site = new URL(c.siteUrl).host;
  const needsReconnect = c.status === 'needs_reconnect';
  return (
    <tr
      data-connection-id={c.id}
      data-site={site}
      data-subdomain={c.subdomain ?? ''}
      data-connection-method={c.method}
      data-connected-as={c.accountName ?? c.accountId}
    >
      <td data-label="Site">
        <strong>
          <a href={`/console/connections/${encodeURIComponent(c.id)}`}>{c.displayName ?? c.siteName}</a>
        </strong>
        <div class="help">
          <a href={c.siteUrl}>{site}</a>
        </div>
      </td>
      <td data-label="Method">{METHOD_LABELS[c.method]}</td>
      <td data-label="Connected as">{c.accountName ?? c.accountId}</td>
      <td data-label="Status">
        {needsReconnect ? (
          <span class="badge bad">Needs reconnect</span>
        ) : (
          <span class="badge ok">Active</span>
        )}
        {c.statusReason ? <div class="help">{c.statusReason}</div> : null}
        <ForgeUpgradeNote state={props.forge} />
        {props.forge.label === forgeConsoleMessages.notInstalled ? (
          <ForgeInstallHelp productName={props.productName} installUrl={props.forgeInstallUrl} />
        ) : null}
        {c.method === 'managed' ? <WorkspaceApprovalNote status={props.approval} /> : null}
      </td>
      <td data-label="Sync">
        <label class="toggle">
          <input
            type="checkbox"
            data-action="ticket-syncing"
            checked={c.ticketSyncing}
            disabled={c.method === 'custom' && !c.ticketSyncing}
            aria-describedby={c.method === 'custom' ? `sync-reason-${c.id}` : undefined}
          />{' '}
          Ticket Syncing
        </label>
        {c.method === 'custom' ? (
          <div class="help" id={`sync-reason-${c.id}`}>
            {connectMessages.ticketSyncingNeedsManaged}
          </div>
        ) : null}
      </td>
      <td>
        <div class="row">
          <button class="btn secondary" type="button" data-action="health">
            Run health checks
          </button>
          <button class={needsReconnect ? 'btn' : 'btn secondary'} type="button" data-action="reconnect">
            Reconnect
          </button>
          <button class="btn link" type="button" data-action="disconnect">
            Disconnect
          </button>
        </div>
        <ul class="health-results" aria-live="polite" />
      </td>
    </tr>
  );
}

function Field(props: {
  id: string;
  label: string;
  help?: string;
  type?: string;
  placeholder?: string;
  required?: boolean;
  suffix?: string;
}) {
  const input = (
    <input
      id={props.id}
      name={props.id.split('-').pop()}
      type={props.type ?? 'text'}
      placeholder={props.placeholder}
      required={props.required}
      autocomplete="off"
      spellcheck={false}
    />
  );
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required ? null : <span class="help"> (optional)</span>}
      </label>
      {props.suffix ? (
        <div class="suffixed">
          {input}
          <span class="suffix">{props.suffix}</span>
        </div>
      ) : (
        input
      )}
      {props.help ? <p class="help">{props.help}</p> : null}
      <p class="field-error" id={`${props.id}-error`} role="alert" />
    </div>
  );
}

/** Where a form's server error shows, and its Back and submit buttons (submit stays disabled until valid). */
function FormFooter(props: { submitLabel: string; replaceLabel: string }) {
  return (
    <>
      <div class="alert" role="alert" hidden>
        <p class="alert-text" />
        <button class="btn" type="button" data-replace hidden>
          {props.replaceLabel}
        </button>
      </div>
      <div class="row">
        <button class="btn secondary" type="button" data-back>
          Back
        </button>
        <button class="btn" type="submit" disabled>
          {props.submitLabel}
        </button>
      </div>
    </>
  );
}

/** The connect modal: exactly two methods, then the chosen form. */
function ConnectModal(props: { productName: string; callbackUrl: string }) {
  const copy = connectModalCopy(props.productName);
  return (
    <dialog id="connect-modal" aria-labelledby="connect-title" data-product-name={props.productName}>
      <div class="modal-head">
        <h2 id="connect-title">{copy.title}</h2>
        <button class="btn link" type="button" data-close>
          Close
        </button>
      </div>
      <div data-step="choose">
        <button class="method" type="button" data-method="managed">
          <span class="method-title">
            {copy.managedTitle} <span class="badge ok">{copy.managedBadge}</span>
          </span>
          <span class="help">{copy.managedDescription}</span>
        </button>
        <button class="method" type="button" data-method="custom">
          <span class="method-title">{copy.customTitle}</span>
          <span class="help">{copy.customDescription}</span>
        </button>
      </div>
      <form data-step="managed" id="managed-form" hidden novalidate>
        <p class="lede">{copy.managedDescription}</p>
        <Field
          id="managed-subdomain"
          label={copy.siteLabel}
          suffix={copy.siteSuffix}
          help={copy.siteHelp}
          required
        />
        <FormFooter submitLabel={copy.submit} replaceLabel={copy.replace} />
      </form>
      <form data-step="custom" id="custom-form" hidden novalidate>
        <p class="lede">{copy.customDescription}</p>
        <div class="scopes">
          <p class="help" id="scopes-intro">
            {copy.scopesIntro}
          </p>
          <ul id="scopes">
            {JIRA_OAUTH_SCOPES.map((scope) => (
              <li>
                <code>{scope}</code>
              </li>
            ))}
          </ul>
        </div>
        <Field
          id="custom-displayName"
          label={copy.displayNameLabel}
          placeholder={copy.displayNamePlaceholder}
          help={copy.displayNameHelp}
        />
        <Field
          id="custom-subdomain"
          label={copy.siteLabel}
          suffix={copy.siteSuffix}
          help={copy.siteHelp}
          required
        />
        <Field
          id="custom-clientId"
          label={copy.clientIdLabel}
          placeholder={copy.clientIdPlaceholder}
          help={copy.clientIdHelp}
          required
        />
        <Field
          id="custom-clientSecret"
          label={copy.secretLabel}
          type="password"
          placeholder={copy.secretPlaceholder}
          help={copy.secretHelp}
          required
        />
        <p class="help" id="secret-reenter" hidden>
          {copy.secretReenter}
        </p>
        <div class="field">
          <label for="custom-callbackUrl">{copy.callbackLabel}</label>
          <div class="suffixed">
            <input id="custom-callbackUrl" type="text" readonly value={props.callbackUrl} />
            <button class="btn secondary" type="button" id="copy-callback">
              {copy.copy}
            </button>
          </div>
          <p class="help">{copy.callbackHelp}</p>
        </div>
        <p class="help" id="authorization-window">
          {copy.authorizationWindow}
        </p>
        <FormFooter submitLabel={copy.submit} replaceLabel={copy.replace} />
      </form>
      <p class="help support">{copy.support}</p>
    </dialog>
  );
}

export function connectionConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/console/assets/connections.js', async (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(await browserBundle(c.var.services, 'connections'));
  });
  app.use('/console/connections', requireConsoleSession);
  app.get('/console/connections', async (c) => {
    const services = c.var.services;
    const { productName, forgeInstallUrl } = services.config;
    const connections = await listConnections(services, c.var.teamId);
    const sites = await forgeSiteStatus(services, [
      ...new Set(connections.map((connection) => connection.cloudId)),
    ]);
    const approvals = await approvalsOfTeam(services, c.var.teamId);
    const { connected } = c.req.query();
    // Only the console's own texts, chosen by the callback's code: never free text from the query string.
    const error = callbackErrorText(c.req.query());
    return c.html(
      <ConsoleLayout title="Connections" productName={productName} current="/console/connections">
        <div class="row" style="justify-content:space-between">
          <div>
            <h1>Connections</h1>
            <p class="lede">Jira Cloud sites connected to {productName}.</p>
          </div>
          <button class="btn" type="button" id="open-connect">
            Connect Jira site
          </button>
        </div>
        {/* Only right after a connect: the page script drops the flag from the address (history). */}
        {connected && connections.some((connection) => connection.id === connected) ? (
          <div class="alert ok" role="status" id="connected-banner">
            {connectMessages.connected}
          </div>
        ) : null}
        <div class="alert ok" role="status" id="page-status" hidden />
        {error ? (
          <div class="alert" role="alert" id="callback-error">
            <p>{error}</p>
            <p class="help">{supportContact(productName)}</p>
          </div>
        ) : null}
        <div class="card">
          {connections.length === 0 ? (
            <div class="empty">No Jira site connected yet.</div>
          ) : (
            <table id="connections">
              <thead>
                <tr>
                  <th>Site</th>
                  <th>Method</th>
                  <th>Connected as</th>
                  <th>Status</th>
                  <th>Sync</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {connections.map((connection) => (
                  <ConnectionRow
                    connection={connection}
                    forge={describeForgeUpgrade(connection, sites.get(connection.cloudId))}
                    approval={approvals.get(connection.cloudId)}
                    productName={productName}
                    forgeInstallUrl={forgeInstallUrl}
                  />
                ))}
              </tbody>
            </table>
          )}
        </div>
        <ConnectModal productName={productName} callbackUrl={callbackUrl(services)} />
        <script type="module" src="/console/assets/connections.js" />
      </ConsoleLayout>,
    );
  });
  return app;
}
