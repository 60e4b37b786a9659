import {
  connectMessages,
  connectModalCopy,
  customFieldRequired,
  SUBDOMAIN_PATTERN,
} from '@jira-integration/shared';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { Hono } from 'hono';
import { ConsoleLayout } from '../console/layout';
import { requireConsoleSession } from '../console/routes';
import type { AppEnv } from '../context';
import { describeForgeUpgrade, ForgeUpgradeNote, type ForgeUpgradeState } from '../forge/console';
import { forgeSiteStatus } from '../forge/credentials';
import { type ApprovalStatus, approvalsOfTeam } from '../workspaces/service';
import { callbackErrorText } from './callback';
import { callbackUrl, type JiraConnection, listConnections } from './service';

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
}) {
  const c = props.connection;
  return (
    <tr data-connection-id={c.id}>
      <td>
        <strong>{c.displayName ?? c.siteName}</strong>
        <div class="help">
          <a href={c.siteUrl}>{new URL(c.siteUrl).host}</a>
        </div>
      </td>
      <td>{c.method === 'managed' ? 'Sign in with Jira' : 'Own OAuth app'}</td>
      <td>{c.accountName ?? c.accountId}</td>
      <td>
        {c.status === 'needs_reconnect' ? (
          <span class="badge bad">Needs reconnect</span>
        ) : (
          <span class="badge ok">Active</span>
        )}
        {c.statusReason ? <div class="help">{c.statusReason}</div> : null}
        <ForgeUpgradeNote state={props.forge} />
        {c.method === 'managed' ? <WorkspaceApprovalNote status={props.approval} /> : null}
      </td>
      <td>
        <label class="toggle">
          <input type="checkbox" data-action="ticket-syncing" checked={c.ticketSyncing} /> Ticket Syncing
        </label>
      </td>
      <td>
        <div class="row">
          <button class="btn secondary" type="button" data-action="health">
            Run health checks
          </button>
          <button class="btn secondary" type="button" data-action="reconnect">
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
function FormFooter(props: { submitLabel: string }) {
  return (
    <>
      <div class="alert" role="alert" hidden />
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
    <dialog id="connect-modal" aria-labelledby="connect-title">
      <div class="modal-head">
        <h2 id="connect-title">Connect a Jira Cloud site</h2>
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
        <FormFooter submitLabel={copy.submit} />
      </form>
      <form data-step="custom" id="custom-form" hidden novalidate>
        <p class="lede">{copy.customDescription}</p>
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
        <FormFooter submitLabel={copy.submit} />
      </form>
    </dialog>
  );
}

/** What the page script needs: the exact messages and rules the server uses. */
function clientSettings(productName: string) {
  return {
    copy: connectModalCopy(productName),
    messages: {
      subdomainRequired: connectMessages.subdomainRequired,
      subdomainInvalid: connectMessages.subdomainInvalid,
      managedStartFailed: connectMessages.managedStartFailed,
      customStartFailed: connectMessages.customStartFailedPrefix,
      clientIdRequired: customFieldRequired('clientId'),
      clientSecretRequired: customFieldRequired('clientSecret'),
      subdomainRequiredCustom: customFieldRequired('subdomain'),
    },
    subdomainPattern: SUBDOMAIN_PATTERN.source,
  };
}

export function connectionConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/console/assets/connections.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(CONNECTIONS_SCRIPT);
  });
  app.use('/console/connections', requireConsoleSession);
  app.get('/console/connections', async (c) => {
    const services = c.var.services;
    const { productName } = services.config;
    const connections = await listConnections(services, c.var.teamId);
    const sites = await forgeSiteStatus(services, [
      ...new Set(connections.map((connection) => connection.cloudId)),
    ]);
    const approvals = await approvalsOfTeam(services, c.var.teamId);
    const { connected } = c.req.query();
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
        {connected ? (
          <div class="alert ok" role="status">
            Jira site connected.
          </div>
        ) : null}
        {error ? (
          <div class="alert" role="alert" id="callback-error">
            {error}
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
                  />
                ))}
              </tbody>
            </table>
          )}
        </div>
        <ConnectModal productName={productName} callbackUrl={callbackUrl(services)} />
        <script
          type="application/json"
          id="connect-settings"
          // Raw JSON (text children would be HTML-escaped); `<` is escaped so no value can close the tag.
          dangerouslySetInnerHTML={{
            __html: JSON.stringify(clientSettings(productName)).replace(/</g, '\\u003c'),
          }}
        />
        <script type="module" src="/console/assets/connections.js" />
      </ConsoleLayout>,
    );
  });
  return app;
}

/** The page's behaviour: modal steps, validation identical to the server's, and the row actions. */
const CONNECTIONS_SCRIPT = `
const settings = JSON.parse(document.getElementById('connect-settings').textContent);
const { messages } = settings;
const pattern = new RegExp(settings.subdomainPattern);
const modal = document.getElementById('connect-modal');
const steps = modal.querySelectorAll('[data-step]');

function show(step) { steps.forEach((el) => { el.hidden = el.dataset.step !== step; }); }
function normalize(value) {
  return value.trim().replace(/^https?:\\/\\//i, '').replace(/\\/.*$/, '').replace(/\\.atlassian\\.net$/i, '').toLowerCase();
}
function subdomainProblem(value, requiredMessage) {
  const subdomain = normalize(value);
  if (!subdomain) return requiredMessage;
  return pattern.test(subdomain) ? '' : messages.subdomainInvalid;
}
function setError(id, text) { document.getElementById(id + '-error').textContent = text; }

const forms = {
  managed: {
    form: document.getElementById('managed-form'),
    required: ['managed-subdomain'],
    validate() {
      const value = document.getElementById('managed-subdomain').value;
      const problem = subdomainProblem(value, messages.subdomainRequired);
      setError('managed-subdomain', value.trim() || this.touched ? problem : '');
      return !problem;
    },
    body: () => ({ subdomain: document.getElementById('managed-subdomain').value }),
    url: '/v1/jira/connections/managed/start',
    fallback: messages.managedStartFailed,
  },
  custom: {
    form: document.getElementById('custom-form'),
    required: ['custom-subdomain', 'custom-clientId', 'custom-clientSecret'],
    validate() {
      const value = document.getElementById('custom-subdomain').value;
      const problem = subdomainProblem(value, messages.subdomainRequiredCustom);
      setError('custom-subdomain', value.trim() || this.touched ? problem : '');
      const idEmpty = !document.getElementById('custom-clientId').value.trim();
      const secretEmpty = !document.getElementById('custom-clientSecret').value;
      setError('custom-clientId', idEmpty && this.touched ? messages.clientIdRequired : '');
      setError('custom-clientSecret', secretEmpty && this.touched ? messages.clientSecretRequired : '');
      return !problem && !idEmpty && !secretEmpty;
    },
    body: () => ({
      displayName: document.getElementById('custom-displayName').value,
      subdomain: document.getElementById('custom-subdomain').value,
      clientId: document.getElementById('custom-clientId').value,
      clientSecret: document.getElementById('custom-clientSecret').value,
    }),
    url: '/v1/jira/connections/custom/start',
    fallback: messages.customStartFailed,
  },
};

for (const [method, spec] of Object.entries(forms)) {
  const submit = spec.form.querySelector('button[type=submit]');
  const alertBox = spec.form.querySelector('.alert');
  const refresh = () => {
    const filled = spec.required.every((id) => document.getElementById(id).value.trim() !== '');
    const valid = spec.validate();
    submit.disabled = !(filled && valid);
  };
  spec.refresh = refresh;
  spec.form.addEventListener('input', refresh);
  spec.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    spec.touched = true;
    refresh();
    if (submit.disabled) return;
    submit.disabled = true;
    alertBox.hidden = true;
    try {
      const response = await fetch(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec.body()),
      });
      const payload = await response.json().catch(() => ({}));
      if (!response.ok || !payload.authorizeUrl) throw new Error(payload.error?.message || spec.fallback);
      window.location.assign(payload.authorizeUrl);
    } catch (error) {
      alertBox.textContent = error.message || spec.fallback;
      alertBox.hidden = false;
      submit.disabled = false;
    }
  });
}

function openModal(method, prefill) {
  for (const spec of Object.values(forms)) { spec.form.reset(); spec.touched = false; spec.form.querySelector('.alert').hidden = true; }
  if (prefill) {
    for (const [key, value] of Object.entries(prefill)) {
      const input = document.getElementById(method + '-' + key);
      if (input && key !== 'clientSecret') input.value = value;
    }
  }
  document.getElementById('custom-callbackUrl').value = document.getElementById('custom-callbackUrl').defaultValue;
  show(method ?? 'choose');
  if (method) forms[method].refresh();
  if (!modal.open) modal.showModal();
}

document.getElementById('open-connect').addEventListener('click', () => openModal());
modal.querySelectorAll('[data-method]').forEach((button) => button.addEventListener('click', () => openModal(button.dataset.method)));
modal.querySelectorAll('[data-back]').forEach((button) => button.addEventListener('click', () => show('choose')));
modal.querySelector('[data-close]').addEventListener('click', () => modal.close());

document.getElementById('copy-callback').addEventListener('click', async (event) => {
  const field = document.getElementById('custom-callbackUrl');
  try { await navigator.clipboard.writeText(field.value); }
  catch { field.select(); document.execCommand('copy'); }
  event.target.textContent = settings.copy.copied;
  setTimeout(() => { event.target.textContent = settings.copy.copy; }, 2000);
});

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error?.message || 'Request failed (' + response.status + ')');
  return payload;
}

document.querySelectorAll('tr[data-connection-id]').forEach((row) => {
  const id = row.dataset.connectionId;
  const base = '/v1/jira/connections/' + encodeURIComponent(id);
  row.querySelector('[data-action=reconnect]').addEventListener('click', async () => {
    const prefill = await api('GET', base + '/reconnect');
    const { method, ...fields } = prefill;
    openModal(method, fields);
  });
  row.querySelector('[data-action=disconnect]').addEventListener('click', async () => {
    if (!confirm('Disconnect this Jira site?')) return;
    await api('DELETE', base);
    row.remove();
  });
  row.querySelector('[data-action=ticket-syncing]').addEventListener('change', async (event) => {
    try { await api('PATCH', base, { ticketSyncing: event.target.checked }); }
    catch (error) { event.target.checked = !event.target.checked; alert(error.message); }
  });
  row.querySelector('[data-action=health]').addEventListener('click', async (event) => {
    const list = row.querySelector('.health-results');
    event.target.disabled = true;
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'Running…' }));
    try {
      const { results } = await api('POST', base + '/health-checks');
      list.replaceChildren(...results.map((result) => {
        const item = document.createElement('li');
        item.className = result.ok ? 'ok' : 'bad';
        item.dataset.check = result.name;
        item.textContent = (result.ok ? '✓ ' : '✗ ') + result.name + ': ' + result.message;
        return item;
      }));
    } catch (error) {
      list.replaceChildren(Object.assign(document.createElement('li'), { className: 'bad', textContent: error.message }));
    } finally {
      event.target.disabled = false;
    }
  });
});
`;
