/**
 * `/_sandbox/forge/issue-panel`: the app's issue panel as a Jira user sees it, rendered on the server. The
 * panel's own backend client and status wording (forge/src/ui) talk to the app's remote through this platform's
 * `invokeUi`, so each call carries a signed invocation token with the issue context, exactly as Forge sends it.
 * UI Kit primitives (Lozenge, SectionMessage, Button) become plain HTML; Retry is a form post through the same call.
 */

import type { IssueSyncStatus } from '@jira-integration/shared/forge-ui';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type BackendResult, createSyncBackendClient } from '../../../forge/src/ui/backend-client';
import { issuePanelMessages } from '../../../forge/src/ui/messages';
import { describeIssueStatus } from '../../../forge/src/ui/sync-status';
import { ForgeControlError } from './errors';
import { forgeMessages } from './messages';
import type { ForgeControls } from './platform';

/** The issue panel module of the app's manifest. */
const ISSUE_PANEL_MODULE = 'sync-status-panel';

const STYLE = `
body{font-family:system-ui,sans-serif;margin:24px;color:#172b4d;max-width:640px}
.lozenge{font-size:11px;font-weight:700;text-transform:uppercase;padding:2px 4px;border-radius:3px;background:#dfe1e6}
.lozenge.success{background:#e3fcef;color:#006644}.lozenge.inprogress{background:#deebff;color:#0747a6}
.lozenge.removed{background:#ffebe6;color:#bf2600}
.section-message{padding:12px 16px;border-radius:3px;margin:8px 0}.section-message.error{background:#ffebe6}
.section-message.warning{background:#fffae6}.section-message h4{margin:0 0 4px}`;

export interface IssuePanelTarget {
  cloudId: string;
  accountId: string;
  issue: { id: string; key: string };
  project?: { id: string; key: string };
}

/** The issue and viewer named by the query or the form; the app must be installed on the site. */
function readTarget(controls: ForgeControls, values: Record<string, unknown>): IssuePanelTarget {
  const missing = ['site', 'issueId', 'issueKey', 'as'].filter(
    (field) => typeof values[field] !== 'string' || values[field] === '',
  );
  if (missing.length > 0) throw new ForgeControlError(forgeMessages.panelNeeds(missing.join(', ')), 400);
  const cloudId = values.site as string;
  if (!controls.installations().some((installation) => installation.cloudId === cloudId)) {
    throw new ForgeControlError(forgeMessages.notInstalled(cloudId), 404);
  }
  return {
    cloudId: values.site as string,
    accountId: values.as as string,
    issue: { id: values.issueId as string, key: values.issueKey as string },
    ...(typeof values.projectId === 'string' && typeof values.projectKey === 'string'
      ? { project: { id: values.projectId, key: values.projectKey } }
      : {}),
  };
}

/** The panel's backend client, its `invokeRemote` played by the platform for this issue and user. */
function clientFor(controls: ForgeControls, target: IssuePanelTarget) {
  return createSyncBackendClient(({ path, method, body }) =>
    controls.invokeUi({
      cloudId: target.cloudId,
      moduleKey: ISSUE_PANEL_MODULE,
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

function sectionMessage(appearance: 'error' | 'warning', title: string, body: unknown) {
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

export function createUiPageRoutes(controls: ForgeControls): Hono {
  const routes = new Hono();

  routes.get('/_sandbox/forge/issue-panel', async (c) => {
    const target = readTarget(controls, c.req.query());
    return c.html(issuePanelHtml(target, await clientFor(controls, target).fetchIssueStatus()));
  });

  routes.post('/_sandbox/forge/issue-panel/retry', async (c) => {
    const target = readTarget(controls, await c.req.parseBody());
    const client = clientFor(controls, target);
    const retried = await client.retryIssueSync();
    if (retried.ok) return c.html(issuePanelHtml(target, retried));
    // As in the panel: the status stays on screen and the retry's failure is shown beneath it.
    return c.html(issuePanelHtml(target, await client.fetchIssueStatus(), retried.message));
  });
  return routes;
}
