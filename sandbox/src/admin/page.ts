/** The admin page at GET /_sandbox: what the sandbox holds right now, for humans poking at it. */
import { html, raw } from 'hono/html';
import type { Fault } from '../faults';
import type { RateLimits } from '../limits/rate-limiter';
import type { SandboxState } from '../state';

export interface AdminView {
  state: SandboxState;
  url: string;
  tokens: Record<string, number>;
  fault: Fault | null;
  rateLimits: RateLimits | null;
  /** The Forge part's own description (installations, deliveries), when it offers one. */
  forge: unknown;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:24px;color:#172b4d}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #dfe1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f5f7}code,pre{font-size:12px}pre{background:#f4f5f7;padding:8px;overflow:auto;max-height:400px}`;

function table(headers: string[], rows: unknown[][]) {
  return html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (row) =>
      html`<tr>${row.map((cell) => html`<td>${cell === null || cell === undefined ? '' : String(cell)}</td>`)}</tr>`,
  )}</tbody></table>`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** Install and uninstall buttons post to the Forge controls and reload, or show the platform's refusal. */
const CONTROLS_SCRIPT = `
const show = (text) => { document.getElementById('forge-result').textContent = text; };
async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.ok) return location.reload();
  const answer = await response.json().catch(() => ({}));
  show(answer.message || 'The sandbox answered ' + response.status + '.');
}
for (const form of document.querySelectorAll('form.install')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    post('/_sandbox/forge/install', { cloudId: form.dataset.cloudId, backendUrl: data.get('backendUrl'), installerAccountId: data.get('installerAccountId') });
  });
}
for (const button of document.querySelectorAll('button.uninstall')) {
  button.addEventListener('click', () => post('/_sandbox/forge/uninstall', { cloudId: button.dataset.cloudId }));
}`;

export function adminPage(view: AdminView) {
  const { state } = view;
  const forge = view.forge as { installations?: Array<{ cloudId: string }> } | undefined;
  const installedSites = new Set((forge?.installations ?? []).map((i) => i.cloudId));
  const userName = (id: string | null) => (id ? (state.users.get(id)?.displayName ?? id) : '');
  const siteName = (id: string) => state.sites.get(id)?.name ?? id;
  /** People who can sign in to a site: who may install the app there or view its issues. */
  const siteUsers = (cloudId: string) =>
    [...state.users.values()].filter((u) => u.accountType === 'atlassian' && u.siteIds.includes(cloudId));
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Atlassian sandbox</title><style>${raw(STYLE)}</style></head>
<body>
<h1>Atlassian sandbox <code>${view.url}</code></h1>
<h2 id="sites">Sites</h2>
<table><thead><tr><th>Name</th><th>Cloud id</th><th>URL</th><th>Forge app</th></tr></thead><tbody>
${[...state.sites.values()].map((s) => {
  const installed = installedSites.has(s.cloudId);
  return html`<tr data-site="${s.cloudId}"><td>${s.name}</td><td>${s.cloudId}</td><td>${s.url}</td><td>${
    installed
      ? html`installed <button type="button" class="uninstall" data-cloud-id="${s.cloudId}">Uninstall</button>
<form method="get" action="/_sandbox/forge/admin-page"><input type="hidden" name="site" value="${s.cloudId}" />
<select name="as" aria-label="Admin page as">${siteUsers(s.cloudId).map((u) => html`<option value="${u.accountId}">${u.displayName}</option>`)}</select>
<button type="submit">Open admin page</button></form>`
      : html`<form class="install" data-cloud-id="${s.cloudId}">
<input name="backendUrl" aria-label="Backend URL" value="http://127.0.0.1:3000" size="28" />
<select name="installerAccountId" aria-label="Installed by">${siteUsers(s.cloudId).map((u) => html`<option value="${u.accountId}">${u.displayName}</option>`)}</select>
<button type="submit">Install</button></form>`
  }</td></tr>`;
})}
</tbody></table>
<p id="forge-result" role="status"></p>
<h2 id="users">Users</h2>
${table(
  ['Name', 'Account id', 'Type', 'Email', 'Sites', 'App access', 'Restricted projects'],
  [...state.users.values()].map((u) => [
    u.displayName,
    u.accountId,
    u.accountType,
    u.email,
    u.siteIds.map(siteName).join(', '),
    u.appAccess ? 'yes' : 'no',
    Object.entries(u.projectPermissions)
      .map(([key, perms]) => `${key}: ${perms.length === 0 ? 'none' : perms.join(' ')}`)
      .join('; '),
  ]),
)}
<h2 id="projects">Projects</h2>
${table(
  ['Key', 'Name', 'Site', 'Type', 'Lead', 'Service desk'],
  [...state.projects.values()].map((p) => [
    p.key,
    p.name,
    siteName(p.cloudId),
    p.projectTypeKey,
    userName(p.leadAccountId),
    p.serviceDesk
      ? `#${p.serviceDesk.id}: ${p.serviceDesk.requestTypes.map((rt) => rt.name).join(', ')}`
      : '',
  ]),
)}
<h2 id="issues">Issues</h2>
<table><thead><tr>${['Key', 'Summary', 'Status', 'Assignee', 'Reporter', 'Comments', 'Properties', 'Updated', 'Forge issue panel'].map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${[...state.issues.values()].map((i) => {
  const project = state.projects.get(i.projectId);
  const cells = [
    i.key,
    i.summary,
    state.statuses.get(i.statusId)?.name,
    userName(i.assigneeId),
    userName(i.reporterId),
    i.commentIds.length,
    [...i.properties.keys()].join(', '),
    time(i.updated),
  ];
  return html`<tr data-issue="${i.key}">${cells.map((cell) => html`<td>${cell === undefined ? '' : String(cell)}</td>`)}<td>${
    installedSites.has(i.cloudId)
      ? html`<form method="get" action="/_sandbox/forge/issue-panel">
<input type="hidden" name="site" value="${i.cloudId}" /><input type="hidden" name="issueId" value="${i.id}" />
<input type="hidden" name="issueKey" value="${i.key}" />${
          project
            ? html`<input type="hidden" name="projectId" value="${project.id}" /><input type="hidden" name="projectKey" value="${project.key}" />`
            : ''
        }
<select name="as" aria-label="View as">${siteUsers(i.cloudId).map((u) => html`<option value="${u.accountId}">${u.displayName}</option>`)}</select>
<button type="submit">Open panel</button></form>`
      : 'install the app on its site first'
  }</td></tr>`;
})}
</tbody></table>
<h2 id="clients">OAuth clients</h2>
${table(
  ['Client id', 'Name', 'Distribution', 'Callback URLs'],
  [...state.clients.values()].map((c) => [c.clientId, c.name, c.distribution, c.callbackUrls.join(' ')]),
)}
<h2 id="grants">Grants</h2>
${table(
  ['Client id', 'Account', 'Sites', 'Scopes', 'Consented'],
  [...state.grants.values()].map((g) => [
    g.clientId,
    userName(g.accountId),
    g.cloudIds.map(siteName).join(', '),
    g.scopes.join(' '),
    time(g.consentedAt),
  ]),
)}
<h2 id="tokens">Live tokens</h2>
${table(['Kind', 'Count'], Object.entries(view.tokens))}
<h2 id="switches">Faults and rate limits</h2>
<pre>${JSON.stringify({ fault: view.fault, rateLimits: view.rateLimits }, null, 2)}</pre>
<h2 id="forge">Forge installation</h2>
<pre>${view.forge === undefined ? 'The Forge part offers no description.' : JSON.stringify(view.forge, null, 2)}</pre>
<script>${raw(CONTROLS_SCRIPT)}</script>
</body></html>`;
}
