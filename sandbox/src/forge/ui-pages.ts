/**
 * `/_sandbox/forge/issue-panel`: the app's issue panel as a Jira user sees it, rendered on the server. The
 * panel's own backend client and status wording (forge/src/ui) talk to the app's remote through this platform's
 * `invokeUi`, so each call carries a signed invocation token with the issue context, exactly as Forge sends it.
 * UI Kit primitives (Lozenge, SectionMessage, Button) become plain HTML; Retry is a form post through the same call.
 */

import type { AdminOverview, IssueSyncStatus } from '@jira-integration/shared/forge-ui';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { describeSyncSettings, findSyncBlockers } from '../../../forge/src/ui/admin-overview';
import { type BackendResult, createSyncBackendClient } from '../../../forge/src/ui/backend-client';
import { formatTimestamp } from '../../../forge/src/ui/format';
import { adminPageMessages, issuePanelMessages } from '../../../forge/src/ui/messages';
import { describeIssueStatus } from '../../../forge/src/ui/sync-status';
import { ForgeControlError } from './errors';
import { forgeMessages } from './messages';
import type { ForgeControls } from './platform';

/** The issue panel and admin page modules of the app's manifest. */
const ISSUE_PANEL_MODULE = 'sync-status-panel';
const ADMIN_PAGE_MODULE = 'sync-admin-page';

const STYLE = `
body{font-family:system-ui,sans-serif;margin:24px;color:#172b4d;max-width:640px}
.lozenge{font-size:11px;font-weight:700;text-transform:uppercase;padding:2px 4px;border-radius:3px;background:#dfe1e6}
.lozenge.success{background:#e3fcef;color:#006644}.lozenge.inprogress{background:#deebff;color:#0747a6}
.lozenge.removed{background:#ffebe6;color:#bf2600}
.section-message{padding:12px 16px;border-radius:3px;margin:8px 0}.section-message.error{background:#ffebe6}
.section-message.warning{background:#fffae6}.section-message.success{background:#e3fcef}.lozenge.moved{background:#fff0b3;color:#172b4d}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #dfe1e6;padding:4px 8px;text-align:left}.section-message h4{margin:0 0 4px}`;

export interface IssuePanelTarget {
  cloudId: string;
  accountId: string;
  issue: { id: string; key: string };
  project?: { id: string; key: string };
}

/**
 * The fields a page needs from its query or form, refused with 400 (`needs` names the missing ones) unless each
 * is a non-empty string, and with 404 unless the app is installed on the named site.
 */
function readFields<Field extends string>(
  controls: ForgeControls,
  values: Record<string, unknown>,
  fields: Field[],
  needs: (missing: string) => string,
): Record<Field | 'site' | 'as', string> {
  const required = ['site', 'as', ...fields];
  const missing = required.filter((field) => typeof values[field] !== 'string' || values[field] === '');
  if (missing.length > 0) throw new ForgeControlError(needs(missing.join(', ')), 400);
  const cloudId = values.site as string;
  if (!controls.installations().some((installation) => installation.cloudId === cloudId)) {
    throw new ForgeControlError(forgeMessages.notInstalled(cloudId), 404);
  }
  return values as Record<Field | 'site' | 'as', string>;
}

function readTarget(controls: ForgeControls, values: Record<string, unknown>): IssuePanelTarget {
  const fields = readFields(controls, values, ['issueId', 'issueKey'], forgeMessages.panelNeeds);
  return {
    cloudId: fields.site,
    accountId: fields.as,
    issue: { id: fields.issueId, key: fields.issueKey },
    ...(typeof values.projectId === 'string' && typeof values.projectKey === 'string'
      ? { project: { id: values.projectId, key: values.projectKey } }
      : {}),
  };
}

/** A module's backend client, its `invokeRemote` played by the platform for this viewer (and issue). */
function clientFor(
  controls: ForgeControls,
  moduleKey: string,
  target: {
    cloudId: string;
    accountId: string;
    issue?: IssuePanelTarget['issue'];
    project?: IssuePanelTarget['project'];
  },
) {
  return createSyncBackendClient(({ path, method, body }) =>
    controls.invokeUi({
      cloudId: target.cloudId,
      moduleKey,
      path,
      method,
      body,
      accountId: target.accountId,
      issue: target.issue,
      project: target.project,
    }),
  );
}

function targetFields(target: IssuePanelTarget) {
  return html`<input type="hidden" name="site" value="${target.cloudId}" />
<input type="hidden" name="issueId" value="${target.issue.id}" />
<input type="hidden" name="issueKey" value="${target.issue.key}" />
<input type="hidden" name="as" value="${target.accountId}" />${
    target.project
      ? html`<input type="hidden" name="projectId" value="${target.project.id}" />
<input type="hidden" name="projectKey" value="${target.project.key}" />`
      : ''
  }`;
}

function sectionMessage(appearance: 'error' | 'warning' | 'success', title: string, body: unknown) {
  return html`<div class="section-message ${appearance}" role="${appearance === 'error' ? 'alert' : 'status'}"><h4>${title}</h4>${body}</div>`;
}

/** Mirrors IssueSyncPanel (forge/src/ui/issue-panel-view.tsx) once loaded, failed, or after a retry. */
export function issuePanelHtml(
  target: IssuePanelTarget,
  loaded: BackendResult<IssueSyncStatus>,
  retryError?: string,
) {
  let panel: unknown;
  if (!loaded.ok) {
    panel = sectionMessage(
      'error',
      issuePanelMessages.loadFailedTitle,
      html`<p>${loaded.message}</p><form method="get">${targetFields(target)}<button type="submit">${issuePanelMessages.reload}</button></form>`,
    );
  } else {
    const view = describeIssueStatus(loaded.value);
    const ticketLabel = view.ticket ? `${view.ticket.id} · ${view.ticket.title}` : '';
    panel = html`<h3>${issuePanelMessages.heading} <span class="lozenge ${view.lozengeAppearance}">${view.stateLabel}</span></h3>
${
  view.ticket
    ? html`<p>${issuePanelMessages.linkedTicket} ${
        view.ticket.url
          ? html`<a href="${view.ticket.url}" target="_blank" rel="noreferrer">${ticketLabel}</a>`
          : ticketLabel
      }</p>`
    : ''
}<p>${view.lastSynced}</p>
${view.explanation ? html`<p>${view.explanation}</p>` : ''}
${
  view.error
    ? sectionMessage(
        'error',
        issuePanelMessages.errorTitle,
        html`<p>${view.error}</p><form method="post" action="/_sandbox/forge/issue-panel/retry">${targetFields(target)}<button type="submit">${issuePanelMessages.retry}</button></form>`,
      )
    : ''
}${retryError ? sectionMessage('warning', issuePanelMessages.retryFailedTitle, html`<p>${retryError}</p>`) : ''}`;
  }
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>${target.issue.key} · issue panel</title><style>${raw(STYLE)}</style></head>
<body>
<p><a href="/_sandbox#issues">← Sandbox</a> · Issue <strong>${target.issue.key}</strong> as <code>${target.accountId}</code></p>
<section aria-label="${issuePanelMessages.heading}" data-module="${ISSUE_PANEL_MODULE}">${panel}</section>
</body></html>`;
}

export interface AdminPageTarget {
  cloudId: string;
  accountId: string;
}

function readAdminTarget(controls: ForgeControls, values: Record<string, unknown>): AdminPageTarget {
  const fields = readFields(controls, values, [], forgeMessages.adminPageNeeds);
  return { cloudId: fields.site, accountId: fields.as };
}

function lozenge(appearance: string, text: string) {
  return html`<span class="lozenge ${appearance}">${text}</span>`;
}

function dataTable(head: string[], rows: unknown[][]) {
  return html`<table><thead><tr>${head.map((cell) => html`<th>${cell}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table>`;
}

/** Mirrors SyncAdminPage (forge/src/ui/admin-page-view.tsx) once loaded or failed, with a decision's failure. */
export function adminPageHtml(
  target: AdminPageTarget,
  loaded: BackendResult<AdminOverview>,
  decisionError?: string,
) {
  const m = adminPageMessages;
  const viewer = html`<input type="hidden" name="site" value="${target.cloudId}" /><input type="hidden" name="as" value="${target.accountId}" />`;
  let page: unknown;
  if (!loaded.ok) {
    page = sectionMessage(
      'error',
      m.loadFailedTitle,
      html`<p>${loaded.message}</p><form method="get">${viewer}<button type="submit">${m.reload}</button></form>`,
    );
  } else {
    const overview = loaded.value;
    const blockers = findSyncBlockers(overview);
    const decisionForm = (workspaceId: string, decision: 'approved' | 'revoked', label: string) =>
      html`<form method="post" action="/_sandbox/forge/admin-page/workspaces">${viewer}<input type="hidden" name="workspaceId" value="${workspaceId}" /><input type="hidden" name="decision" value="${decision}" /><button type="submit">${label}</button></form>`;
    page = html`<h2>${m.heading}</h2>
${
  blockers.length > 0
    ? sectionMessage(
        'warning',
        m.blockedTitle,
        html`<ul>${blockers.map((blocker) => html`<li>${blocker}</li>`)}</ul>`,
      )
    : sectionMessage('success', m.readyTitle, html`<p>${m.readyDetails}</p>`)
}
<h3>${m.siteSection}</h3>
<p>${overview.siteLinked ? lozenge('success', m.siteLinked) : lozenge('default', m.siteNotLinked)} ${m.cloudId(overview.cloudId)}</p>
<h3>${m.credentialsSection}</h3>
${
  overview.lastCredentialPushAt
    ? html`<p>${m.lastCredentialPush(formatTimestamp(overview.lastCredentialPushAt))} ${
        overview.credentialsFresh
          ? lozenge('success', m.credentialsFresh)
          : lozenge('removed', m.credentialsStale)
      }</p>`
    : html`<p>${m.noCredentialPush}</p>`
}
<h3>${m.connectionsSection}</h3>
${
  overview.upgradedConnections.length > 0
    ? dataTable(
        [m.connectionsHead.team, m.connectionsHead.connection, m.connectionsHead.upgradedAt],
        overview.upgradedConnections.map((c) => [c.teamName, c.connectionId, formatTimestamp(c.upgradedAt)]),
      )
    : html`<p>${m.noUpgradedConnections}</p>`
}
<h3>${m.workspacesSection}</h3>
<p>${m.workspacesHelp}</p>
${decisionError ? sectionMessage('error', m.decisionFailedTitle, html`<p>${decisionError}</p>`) : ''}
${
  overview.workspaces?.length
    ? dataTable(
        [
          m.workspacesHead.workspace,
          m.workspacesHead.teams,
          m.workspacesHead.status,
          m.workspacesHead.action,
        ],
        overview.workspaces.map((w) => [
          w.workspaceName,
          w.teamNames.join(', '),
          lozenge(w.status === 'approved' ? 'success' : 'moved', workspaceMessages[w.status]),
          w.status === 'approved'
            ? decisionForm(w.workspaceId, 'revoked', m.revoke)
            : decisionForm(w.workspaceId, 'approved', m.approve),
        ]),
      )
    : html`<p>${m.noWorkspaces}</p>`
}
<h3>${m.syncSection}</h3>
${
  overview.sync.length > 0
    ? dataTable(
        Object.values(m.syncHead),
        overview.sync.map((settings) => {
          const row = describeSyncSettings(settings);
          return [
            row.team,
            row.enabled,
            row.project,
            row.strategy,
            row.interval,
            row.linked,
            row.queued,
            row.lastReconciled,
          ];
        }),
      )
    : html`<p>${m.noSyncSettings}</p>`
}`;
  }
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>${m.heading} · admin page</title><style>${raw(STYLE)}</style></head>
<body>
<p><a href="/_sandbox#sites">← Sandbox</a> · Site <code>${target.cloudId}</code> as <code>${target.accountId}</code></p>
<section aria-label="${m.heading}" data-module="${ADMIN_PAGE_MODULE}">${page}</section>
</body></html>`;
}

export function createUiPageRoutes(controls: ForgeControls): Hono {
  const routes = new Hono();

  routes.get('/_sandbox/forge/issue-panel', async (c) => {
    const target = readTarget(controls, c.req.query());
    return c.html(
      issuePanelHtml(target, await clientFor(controls, ISSUE_PANEL_MODULE, target).fetchIssueStatus()),
    );
  });

  routes.post('/_sandbox/forge/issue-panel/retry', async (c) => {
    const target = readTarget(controls, await c.req.parseBody());
    const client = clientFor(controls, ISSUE_PANEL_MODULE, target);
    const retried = await client.retryIssueSync();
    if (retried.ok) return c.html(issuePanelHtml(target, retried));
    // As in the panel: the status stays on screen and the retry's failure is shown beneath it.
    return c.html(issuePanelHtml(target, await client.fetchIssueStatus(), retried.message));
  });

  routes.get('/_sandbox/forge/admin-page', async (c) => {
    const target = readAdminTarget(controls, c.req.query());
    return c.html(
      adminPageHtml(target, await clientFor(controls, ADMIN_PAGE_MODULE, target).fetchAdminOverview()),
    );
  });

  routes.post('/_sandbox/forge/admin-page/workspaces', async (c) => {
    const form = await c.req.parseBody();
    const target = readAdminTarget(controls, form);
    const client = clientFor(controls, ADMIN_PAGE_MODULE, target);
    const decision = form.decision === 'revoked' ? 'revoked' : 'approved';
    const decided = await client.decideWorkspace({ workspaceId: String(form.workspaceId ?? ''), decision });
    // As in the page: a refused decision is shown above the workspaces, the overview is loaded again.
    return c.html(
      adminPageHtml(target, await client.fetchAdminOverview(), decided.ok ? undefined : decided.message),
    );
  });
  return routes;
}
