/** @jsxImportSource react */
import type { IssueSyncStatus } from '@jira-integration/shared/forge-ui';
import { describe, expect, it } from 'vitest';
import {
  answerInvocations,
  type ForgeDoc,
  findAll,
  hasText,
  installFakeBridge,
  recordedInvocations,
  remoteAnswer,
  renderRoot,
  textOf,
  waitUntil,
} from './fake-bridge';
import { backendCallMessages, issuePanelMessages } from './messages';

// The bridge must exist before @forge/bridge and @forge/react load, hence the dynamic imports.
installFakeBridge();
const { invokeRemote } = await import('@forge/bridge');
const { default: ForgeReconciler } = await import('@forge/react');
const { createSyncBackendClient } = await import('./backend-client');
const { IssueSyncPanel } = await import('./issue-panel-view');

const ticket = {
  id: 'TCK-481',
  title: 'Laptop refresh',
  url: 'https://platform.example.com/tickets/TCK-481',
};

function renderPanel(): Promise<ForgeDoc> {
  return renderRoot(() =>
    ForgeReconciler.render(<IssueSyncPanel client={createSyncBackendClient(invokeRemote)} />),
  );
}

function answerStatus(status: IssueSyncStatus): void {
  answerInvocations(async () => remoteAnswer(200, status));
}

function lozenge(root: ForgeDoc): { appearance: unknown; text: string } | undefined {
  const [node] = findAll(root, 'Lozenge');
  return node && { appearance: node.props.appearance, text: textOf(node) };
}

function textNodes(root: ForgeDoc): string[] {
  return findAll(root, 'Text').map(textOf);
}

async function renderLoaded(status: IssueSyncStatus): Promise<ForgeDoc> {
  answerStatus(status);
  const root = await renderPanel();
  await waitUntil(() => findAll(root, 'Lozenge').length > 0);
  return root;
}

describe('issue panel', () => {
  it('shows a spinner until the backend answers', async () => {
    let answer: ((value: unknown) => void) | undefined;
    answerInvocations(() => new Promise((resolve) => (answer = resolve)));
    const root = await renderPanel();
    await waitUntil(() => answer !== undefined);
    expect(findAll(root, 'Spinner')).toHaveLength(1);
    expect(findAll(root, 'Lozenge')).toHaveLength(0);

    answer?.(remoteAnswer(200, { state: 'synced', issueKey: 'OPS-1', lastSyncedAt: '2026-11-22T10:15:30Z' }));
    await waitUntil(() => findAll(root, 'Lozenge').length === 1);
    expect(findAll(root, 'Spinner')).toHaveLength(0);
  });

  it('asks the backend for the status with GET on the issue-status path, without sending the issue', async () => {
    const before = recordedInvocations().length;
    await renderLoaded({ state: 'not_linked', issueKey: 'OPS-2' });
    const sent = recordedInvocations().slice(before);
    expect(sent).toEqual([{ path: '/forge/ui/issue-status', method: 'GET', invokeType: 'ui-remote-fetch' }]);
  });

  it('shows a synced issue with its ticket link and last sync time', async () => {
    const root = await renderLoaded({
      state: 'synced',
      issueKey: 'OPS-12',
      ticket,
      lastSyncedAt: '2026-11-22T10:15:30Z',
    });
    expect(lozenge(root)).toEqual({ appearance: 'success', text: 'Synced' });
    const [link] = findAll(root, 'Link');
    expect(link.props.href).toBe(ticket.url);
    expect(textOf(link)).toBe('TCK-481 · Laptop refresh');
    expect(textNodes(root)).toContain('Last synced: 2026-11-22 10:15 UTC');
    expect(findAll(root, 'LoadingButton')).toHaveLength(0);
    expect(findAll(root, 'SectionMessage')).toHaveLength(0);
  });

  it('names a linked ticket without a page as plain text', async () => {
    const root = await renderLoaded({
      state: 'synced',
      issueKey: 'OPS-16',
      ticket: { id: 'TCK-9', title: 'Badge access' },
      lastSyncedAt: '2026-11-22T10:15:30Z',
    });
    expect(findAll(root, 'Link')).toHaveLength(0);
    expect(textNodes(root)).toContain(`${issuePanelMessages.linkedTicket} TCK-9 · Badge access`);
  });

  it('shows a pending issue with an explanation', async () => {
    const root = await renderLoaded({
      state: 'pending',
      issueKey: 'OPS-13',
      ticket,
      lastSyncedAt: '2026-11-21T08:00:00Z',
    });
    expect(lozenge(root)).toEqual({ appearance: 'inprogress', text: 'Pending' });
    expect(textNodes(root)).toContain(issuePanelMessages.pendingExplanation);
    expect(textNodes(root)).toContain('Last synced: 2026-11-21 08:00 UTC');
    expect(findAll(root, 'LoadingButton')).toHaveLength(0);
  });

  it('shows an issue that is not linked and how it gets linked', async () => {
    const root = await renderLoaded({ state: 'not_linked', issueKey: 'OPS-14' });
    expect(lozenge(root)).toEqual({ appearance: 'default', text: 'Not linked' });
    expect(textNodes(root)).toEqual([
      issuePanelMessages.neverSynced,
      issuePanelMessages.notLinkedExplanation,
    ]);
    expect(findAll(root, 'Link')).toHaveLength(0);
  });

  it('shows the last error with a Retry button that re-queues the sync and shows the new status', async () => {
    const root = await renderLoaded({
      state: 'error',
      issueKey: 'OPS-15',
      ticket,
      lastSyncedAt: '2026-11-20T12:00:00Z',
      lastError: 'Jira answered 403: You do not have permission to edit this issue.',
    });
    expect(lozenge(root)).toEqual({ appearance: 'removed', text: 'Error' });
    const [message] = findAll(root, 'SectionMessage');
    expect(message.props).toMatchObject({ appearance: 'error', title: issuePanelMessages.errorTitle });
    expect(hasText(message, 'Jira answered 403: You do not have permission to edit this issue.')).toBe(true);
    const [retryButton] = findAll(message, 'LoadingButton');
    expect(textOf(retryButton)).toBe(issuePanelMessages.retry);

    const before = recordedInvocations().length;
    answerStatus({ state: 'pending', issueKey: 'OPS-15', ticket, lastSyncedAt: '2026-11-20T12:00:00Z' });
    (retryButton.props.onClick as () => void)();
    await waitUntil(() => lozenge(root)?.text === 'Pending');

    expect(recordedInvocations().slice(before)).toEqual([
      { path: '/forge/ui/issue-status/retry', method: 'POST', invokeType: 'ui-remote-fetch' },
    ]);
    expect(findAll(root, 'SectionMessage')).toHaveLength(0);
  });

  it('keeps the error and says why when the retry itself fails', async () => {
    const root = await renderLoaded({ state: 'error', issueKey: 'OPS-16', lastError: 'Ticket was deleted.' });
    answerInvocations(async () =>
      remoteAnswer(409, {
        error: { code: 'sync_not_configured', message: 'Sync is disabled for this project.' },
      }),
    );
    const [retryButton] = findAll(root, 'LoadingButton');
    (retryButton.props.onClick as () => void)();
    await waitUntil(() => findAll(root, 'SectionMessage').length === 2);

    const [, retryFailure] = findAll(root, 'SectionMessage');
    expect(retryFailure.props).toMatchObject({
      appearance: 'warning',
      title: issuePanelMessages.retryFailedTitle,
    });
    expect(textOf(retryFailure)).toBe('Sync is disabled for this project.');
    expect(lozenge(root)).toEqual({ appearance: 'removed', text: 'Error' });
    expect(findAll(root, 'LoadingButton')[0].props.isLoading).toBe(false);
  });

  it('shows a backend failure as a message with a way to try again, not a crash', async () => {
    answerInvocations(async () => {
      throw new Error('Remote could not verify the Forge Invocation Token');
    });
    const root = await renderPanel();
    await waitUntil(() => findAll(root, 'SectionMessage').length === 1);
    const [message] = findAll(root, 'SectionMessage');
    expect(message.props).toMatchObject({ appearance: 'error', title: issuePanelMessages.loadFailedTitle });
    expect(textNodes(message)).toEqual([backendCallMessages.unreachable]);
    const [tryAgain] = findAll(message, 'Button');
    expect(textOf(tryAgain)).toBe(issuePanelMessages.reload);

    answerStatus({ state: 'synced', issueKey: 'OPS-17', ticket, lastSyncedAt: '2026-11-22T10:15:30Z' });
    (tryAgain.props.onClick as () => void)();
    await waitUntil(() => lozenge(root)?.text === 'Synced');
    expect(findAll(root, 'SectionMessage')).toHaveLength(0);
  });

  it('renders from the resource entry file wired to the real bridge invokeRemote', async () => {
    answerStatus({ state: 'synced', issueKey: 'OPS-18', ticket, lastSyncedAt: '2026-11-22T10:15:30Z' });
    const root = await renderRoot(() => import('./issue-panel'));
    await waitUntil(() => findAll(root, 'Lozenge').length === 1);
    expect(lozenge(root)).toEqual({ appearance: 'success', text: 'Synced' });
  });
});
