/** @jsxImportSource react */
import type { AdminOverview } from '@jira-integration/shared/forge-ui';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { describe, expect, it } from 'vitest';
import {
  answerInvocations,
  type ForgeDoc,
  findAll,
  installFakeBridge,
  recordedInvocations,
  remoteAnswer,
  renderRoot,
  textOf,
  waitUntil,
} from './fake-bridge';
import { adminPageMessages, backendCallMessages } from './messages';

// The bridge must exist before @forge/bridge and @forge/react load, hence the dynamic imports.
installFakeBridge();
const { invokeRemote } = await import('@forge/bridge');
const { default: ForgeReconciler } = await import('@forge/react');
const { createSyncBackendClient } = await import('./backend-client');
const { SyncAdminPage } = await import('./admin-page-view');

async function renderPage(answer: (invocation: unknown) => Promise<unknown>): Promise<ForgeDoc> {
  answerInvocations(answer);
  const root = await renderRoot(() =>
    ForgeReconciler.render(<SyncAdminPage client={createSyncBackendClient(invokeRemote)} />),
  );
  await waitUntil(() => findAll(root, 'Spinner').length === 0 && root.children.length > 0);
  return root;
}

/** Each table as rows of cell texts, the head first (DynamicTable sends its head and rows as two children). */
function tables(root: ForgeDoc): string[][][] {
  return findAll(root, 'DynamicTable').map(({ children: [head, rows] }) => [
    findAll(head, 'Cell').map(textOf),
    ...findAll(rows, 'Row').map((row) => findAll(row, 'Cell').map(textOf)),
  ]);
}

function lozenges(root: ForgeDoc): Array<{ appearance: unknown; text: string }> {
  return findAll(root, 'Lozenge').map((node) => ({ appearance: node.props.appearance, text: textOf(node) }));
}

const linkedOverview: AdminOverview = {
  siteLinked: true,
  cloudId: '0b7c1e7e-3f6a-4d3e-9d2f-6b8f5a1c2d3e',
  lastCredentialPushAt: '2026-11-22T10:10:00Z',
  credentialsFresh: true,
  upgradedConnections: [
    { teamName: 'IT Ops', connectionId: 'conn_it_ops', upgradedAt: '2026-11-20T09:00:00Z' },
    { teamName: 'People Team', connectionId: 'conn_people', upgradedAt: '2026-11-21T14:30:00Z' },
  ],
  sync: [
    {
      connectionId: 'conn_it_ops',
      teamName: 'IT Ops',
      enabled: true,
      projectKey: 'OPS',
      strategy: 'two_way',
      intervalMinutes: 5,
      linkedIssues: 40,
      failingIssues: 3,
    },
    {
      connectionId: 'conn_people',
      teamName: 'People Team',
      enabled: false,
      linkedIssues: 0,
      failingIssues: 0,
    },
  ],
};

describe('admin page', () => {
  it('asks the backend for the overview with GET on the admin-overview path', async () => {
    const before = recordedInvocations().length;
    await renderPage(async () => remoteAnswer(200, linkedOverview));
    expect(recordedInvocations().slice(before)).toEqual([
      { path: '/forge/ui/admin-overview', method: 'GET', invokeType: 'ui-remote-fetch' },
    ]);
  });

  it('shows a linked site, fresh credentials, upgraded connections and sync settings', async () => {
    const root = await renderPage(async () => remoteAnswer(200, linkedOverview));

    expect(lozenges(root)).toEqual([
      { appearance: 'success', text: 'Linked' },
      { appearance: 'success', text: 'Fresh' },
    ]);
    const texts = findAll(root, 'Text').map(textOf);
    expect(texts).toContain('Cloud ID: 0b7c1e7e-3f6a-4d3e-9d2f-6b8f5a1c2d3e');
    expect(texts).toContain('Last credential push: 2026-11-22 10:10 UTC');
    expect(tables(root)).toEqual([
      [
        ['Team', 'Connection', 'Upgraded'],
        ['IT Ops', 'conn_it_ops', '2026-11-20 09:00 UTC'],
        ['People Team', 'conn_people', '2026-11-21 14:30 UTC'],
      ],
      [
        [
          'Team',
          'Enabled',
          'Project',
          'Strategy',
          'Interval',
          'Linked issues',
          'Queued',
          'Last reconciliation',
        ],
        ['IT Ops', 'Yes', 'OPS', 'two_way', 'Every 5 min', '40 (3 failing)', '0', '—'],
        ['People Team', 'No', '—', '—', '—', '0', '0', '—'],
      ],
    ]);
    const [status] = findAll(root, 'SectionMessage');
    expect(status.props).toMatchObject({ appearance: 'success', title: adminPageMessages.readyTitle });
  });

  it('shows a site that is not linked and everything that keeps sync from running', async () => {
    const root = await renderPage(async () =>
      remoteAnswer(200, {
        siteLinked: false,
        cloudId: '0b7c1e7e-3f6a-4d3e-9d2f-6b8f5a1c2d3e',
        credentialsFresh: false,
        upgradedConnections: [],
        sync: [],
      } satisfies AdminOverview),
    );

    expect(lozenges(root)).toEqual([{ appearance: 'default', text: 'Not linked' }]);
    const [status] = findAll(root, 'SectionMessage');
    expect(status.props).toMatchObject({ appearance: 'warning', title: adminPageMessages.blockedTitle });
    expect(findAll(status, 'ListItem').map(textOf)).toEqual([
      adminPageMessages.blockers.siteNotLinked,
      adminPageMessages.blockers.noCredentialPush,
      adminPageMessages.blockers.noSyncEnabled,
    ]);
    const texts = findAll(root, 'Text').map(textOf);
    expect(texts).toContain(adminPageMessages.noCredentialPush);
    expect(texts).toContain(adminPageMessages.noUpgradedConnections);
    expect(texts).toContain(adminPageMessages.noSyncSettings);
    expect(findAll(root, 'DynamicTable')).toHaveLength(0);
  });

  it('marks expired credentials', async () => {
    const root = await renderPage(async () =>
      remoteAnswer(200, { ...linkedOverview, credentialsFresh: false }),
    );
    expect(lozenges(root)[1]).toEqual({ appearance: 'removed', text: 'Expired' });
    const [status] = findAll(root, 'SectionMessage');
    expect(findAll(status, 'ListItem').map(textOf)).toEqual([
      adminPageMessages.blockers.credentialsExpired('2026-11-22 10:10 UTC'),
    ]);
  });

  it('shows a backend failure as a message, not a crash', async () => {
    const root = await renderPage(async () => remoteAnswer(502, {}));
    const [message] = findAll(root, 'SectionMessage');
    expect(message.props).toMatchObject({ appearance: 'error', title: adminPageMessages.loadFailedTitle });
    expect(findAll(message, 'Text').map(textOf)).toEqual([backendCallMessages.httpStatus(502)]);
    expect(findAll(message, 'Button').map(textOf)).toEqual([adminPageMessages.reload]);
  });

  it('lists the workspaces using the app; Approve sends the decision and shows the new state', async () => {
    const pending = {
      workspaceId: 'ws_b',
      workspaceName: 'Globex',
      teamNames: ['Globex support'],
      status: 'pending' as const,
      decidedBy: null,
      decidedAt: null,
      requestedAt: '2026-11-22T09:00:00Z',
    };
    const approved = {
      ...pending,
      workspaceId: 'ws_a',
      workspaceName: 'Acme',
      teamNames: ['IT Ops'],
      status: 'approved' as const,
    };
    let workspaces = [approved, pending];
    const before = recordedInvocations().length;
    const root = await renderPage(async (invocation) => {
      const call = invocation as { path: string; body?: { workspaceId: string; decision: string } };
      if (call.path === '/forge/ui/admin-overview/workspaces') {
        workspaces = workspaces.map((entry) =>
          entry.workspaceId === call.body?.workspaceId ? { ...entry, status: 'approved' as const } : entry,
        );
        return remoteAnswer(
          200,
          workspaces.find((entry) => entry.workspaceId === call.body?.workspaceId),
        );
      }
      return remoteAnswer(200, { ...linkedOverview, workspaces });
    });
    const rows = () =>
      tables(root).find((table) => table[0][0] === adminPageMessages.workspacesHead.workspace)!;
    expect(rows()).toEqual([
      ['Workspace', 'Teams', 'Status', ''],
      ['Acme', 'IT Ops', workspaceMessages.approved, adminPageMessages.revoke],
      ['Globex', 'Globex support', workspaceMessages.pending, adminPageMessages.approve],
    ]);
    const approve = findAll(root, 'Button').find((button) => textOf(button) === adminPageMessages.approve)!;
    (approve.props.onClick as () => void)();
    await waitUntil(() => rows()?.[2]?.[2] === workspaceMessages.approved);
    expect(recordedInvocations().slice(before)).toContainEqual(
      expect.objectContaining({
        path: '/forge/ui/admin-overview/workspaces',
        method: 'POST',
        body: { workspaceId: 'ws_b', decision: 'approved' },
      }),
    );
  });
});
