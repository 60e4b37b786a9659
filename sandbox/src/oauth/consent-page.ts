/**
 * The consent screen. A sandbox has no login, so the user picks who they are; stable ids and names
 * (`select[name=accountId]`, `input[name=cloudId]`, `button#approve`, `button#deny`) let browser tests click it.
 */
import { html, raw } from 'hono/html';
import type { SandboxState } from '../state';
import { describeScope } from './scopes';
import type { AuthorizeRequest } from './service';

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#172b4d;margin:0}
main{max-width:560px;margin:40px auto;background:#fff;padding:32px;border-radius:6px;box-shadow:0 1px 3px #0002}
h1{font-size:20px}h2{font-size:15px;margin-top:24px}.note{color:#5e6c84;font-size:13px}
#error{background:#ffebe6;color:#bf2600;padding:8px 12px;border-radius:3px}
label{display:block;margin:6px 0}select{width:100%;padding:6px}
.actions{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}
button{padding:8px 16px;border-radius:3px;border:0;cursor:pointer}#approve{background:#0052cc;color:#fff}
code{font-size:12px;color:#5e6c84}`;

/** Enables only the sites the chosen account can use, keeping at least one ticked. */
const SCRIPT = `
const accountSelect = document.querySelector('select[name=accountId]');
function syncSites() {
  const allowed = (accountSelect.selectedOptions[0]?.dataset.sites ?? '').split(',');
  const boxes = [...document.querySelectorAll('input[name=cloudId]')];
  for (const box of boxes) {
    box.disabled = !allowed.includes(box.value);
    if (box.disabled) box.checked = false;
  }
  if (!boxes.some((b) => b.checked)) { const first = boxes.find((b) => !b.disabled); if (first) first.checked = true; }
}
accountSelect.addEventListener('change', syncSites);
syncSites();`;

const FORM_FIELDS = new Set(['accountId', 'cloudId', 'decision']);

/** The authorization request's own parameters, i.e. the form minus the user's choices. */
export function authorizeParamsFromForm(form: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of form) if (!FORM_FIELDS.has(name)) params.append(name, value);
  return params;
}

export function consentPage(
  state: SandboxState,
  request: AuthorizeRequest,
  choice: { accountId?: string; cloudIds?: string[]; error?: string } = {},
) {
  const people = [...state.users.values()].filter((u) => u.accountType === 'atlassian');
  const accountId = choice.accountId ?? people[0]?.accountId;
  const chosenUser = people.find((u) => u.accountId === accountId);
  const chosenSites = choice.cloudIds ?? (chosenUser ? chosenUser.siteIds.slice(0, 1) : []);
  const hidden = [...request.params].map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  const options = people.map(
    (u) =>
      html`<option value="${u.accountId}" data-sites="${u.siteIds.join(',')}" ${raw(u.accountId === accountId ? 'selected' : '')}>${u.displayName}${u.email ? ` (${u.email})` : ''}</option>`,
  );
  const sites = [...state.sites.values()].map(
    (s) =>
      html`<label><input type="checkbox" name="cloudId" id="site-${s.name}" value="${s.cloudId}" ${raw(chosenSites.includes(s.cloudId) ? 'checked' : '')} /> ${s.name} <code>${s.url}</code></label>`,
  );
  const scopes = request.scopes.map(
    (s) => html`<li data-scope="${s}">${describeScope(s)} <code>${s}</code></li>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Authorize ${request.client.name}</title><style>${raw(STYLE)}</style></head>
<body><main>
<h1>${request.client.name} is requesting access to your Atlassian account</h1>
<p class="note">Atlassian sandbox: there is no sign-in here, choose which account you are.</p>
${choice.error ? html`<p id="error" role="alert">${choice.error}</p>` : ''}
<form method="post" action="/authorize">
${hidden}
<label for="accountId">Signed in as</label>
<select name="accountId" id="accountId">${options}</select>
<h2>Use app on</h2>
<fieldset id="sites">${sites}</fieldset>
<h2>This app will be able to</h2>
<ul id="scopes">${scopes}</ul>
<div class="actions">
<button type="submit" name="decision" value="approve" id="approve">Accept</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
</div>
</form>
<script>${raw(SCRIPT)}</script>
</main></body></html>`;
}

export function authorizeErrorPage(message: string) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Something went wrong</title><style>${raw(STYLE)}</style></head>
<body><main><h1>Something went wrong</h1><p id="error" role="alert">${message}</p></main></body></html>`;
}
