/** @jsxImportSource react */

import {
  Button,
  DynamicTable,
  Heading,
  Inline,
  List,
  ListItem,
  Lozenge,
  SectionMessage,
  Spinner,
  Stack,
  Text,
} from '@forge/react';
import type { AdminOverview, SiteWorkspace } from '@jira-integration/shared/forge-ui';
import { workspaceMessages } from '@jira-integration/shared/security-messages';
import { useCallback, useEffect, useState } from 'react';
import { describeSyncSettings, findSyncBlockers } from './admin-overview';
import type { SyncBackendClient } from './backend-client';
import { formatTimestamp } from './format';
import { adminPageMessages as messages } from './messages';

type PageState =
  | { phase: 'loading' }
  | { phase: 'failed'; message: string }
  | { phase: 'loaded'; overview: AdminOverview };

/** Site link, credential freshness, upgraded connections, sync settings, and what keeps sync from running. */
export function SyncAdminPage({ client }: { client: SyncBackendClient }) {
  const [state, setState] = useState<PageState>({ phase: 'loading' });
  const [decisionError, setDecisionError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setState({ phase: 'loading' });
    const result = await client.fetchAdminOverview();
    setState(
      result.ok ? { phase: 'loaded', overview: result.value } : { phase: 'failed', message: result.message },
    );
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.phase === 'loading') return <Spinner label={messages.heading} />;

  if (state.phase === 'failed') {
    return (
      <SectionMessage appearance="error" title={messages.loadFailedTitle}>
        <Text>{state.message}</Text>
        <Button onClick={() => void load()}>{messages.reload}</Button>
      </SectionMessage>
    );
  }

  const { overview } = state;
  const blockers = findSyncBlockers(overview);
  const decide = async (workspace: SiteWorkspace, decision: 'approved' | 'revoked') => {
    const result = await client.decideWorkspace({ workspaceId: workspace.workspaceId, decision });
    if (result.ok) await load();
    else setDecisionError(result.message);
  };
  return (
    <Stack space="space.200">
      <Heading size="medium">{messages.heading}</Heading>
      {blockers.length > 0 ? (
        <SectionMessage appearance="warning" title={messages.blockedTitle}>
          <List type="unordered">
            {blockers.map((blocker) => (
              <ListItem key={blocker}>{blocker}</ListItem>
            ))}
          </List>
        </SectionMessage>
      ) : (
        <SectionMessage appearance="success" title={messages.readyTitle}>
          <Text>{messages.readyDetails}</Text>
        </SectionMessage>
      )}

      <Heading size="small">{messages.siteSection}</Heading>
      <Inline space="space.100" alignBlock="center">
        <Lozenge appearance={overview.siteLinked ? 'success' : 'default'}>
          {overview.siteLinked ? messages.siteLinked : messages.siteNotLinked}
        </Lozenge>
        <Text>{messages.cloudId(overview.cloudId)}</Text>
      </Inline>

      <Heading size="small">{messages.credentialsSection}</Heading>
      {overview.lastCredentialPushAt ? (
        <Inline space="space.100" alignBlock="center">
          <Text>{messages.lastCredentialPush(formatTimestamp(overview.lastCredentialPushAt))}</Text>
          <Lozenge appearance={overview.credentialsFresh ? 'success' : 'removed'}>
            {overview.credentialsFresh ? messages.credentialsFresh : messages.credentialsStale}
          </Lozenge>
        </Inline>
      ) : (
        <Text>{messages.noCredentialPush}</Text>
      )}

      <Heading size="small">{messages.connectionsSection}</Heading>
      {overview.upgradedConnections.length > 0 ? (
        <DynamicTable
          head={{
            cells: [
              { key: 'team', content: messages.connectionsHead.team },
              { key: 'connection', content: messages.connectionsHead.connection },
              { key: 'upgradedAt', content: messages.connectionsHead.upgradedAt },
            ],
          }}
          rows={overview.upgradedConnections.map((connection) => ({
            key: connection.connectionId,
            cells: [
              { key: 'team', content: connection.teamName },
              { key: 'connection', content: connection.connectionId },
              { key: 'upgradedAt', content: formatTimestamp(connection.upgradedAt) },
            ],
          }))}
        />
      ) : (
        <Text>{messages.noUpgradedConnections}</Text>
      )}

      <Heading size="small">{messages.workspacesSection}</Heading>
      <Text>{messages.workspacesHelp}</Text>
      {decisionError ? (
        <SectionMessage appearance="error" title={messages.decisionFailedTitle}>
          <Text>{decisionError}</Text>
        </SectionMessage>
      ) : null}
      {overview.workspaces?.length ? (
        <DynamicTable
          head={{
            cells: [
              { key: 'workspace', content: messages.workspacesHead.workspace },
              { key: 'teams', content: messages.workspacesHead.teams },
              { key: 'status', content: messages.workspacesHead.status },
              { key: 'action', content: messages.workspacesHead.action },
            ],
          }}
          rows={overview.workspaces.map((workspace) => ({
            key: workspace.workspaceId,
            cells: [
              { key: 'workspace', content: workspace.workspaceName },
              { key: 'teams', content: workspace.teamNames.join(', ') },
              {
                key: 'status',
                content: (
                  <Lozenge appearance={workspace.status === 'approved' ? 'success' : 'moved'}>
                    {workspaceMessages[workspace.status]}
                  </Lozenge>
                ),
              },
              {
                key: 'action',
                content:
                  workspace.status === 'approved' ? (
                    <Button onClick={() => void decide(workspace, 'revoked')}>{messages.revoke}</Button>
                  ) : (
                    <Button appearance="primary" onClick={() => void decide(workspace, 'approved')}>
                      {messages.approve}
                    </Button>
                  ),
              },
            ],
          }))}
        />
      ) : (
        <Text>{messages.noWorkspaces}</Text>
      )}

      <Heading size="small">{messages.syncSection}</Heading>
      {overview.sync.length > 0 ? (
        <DynamicTable
          head={{
            cells: [
              { key: 'team', content: messages.syncHead.team },
              { key: 'enabled', content: messages.syncHead.enabled },
              { key: 'project', content: messages.syncHead.project },
              { key: 'strategy', content: messages.syncHead.strategy },
              { key: 'interval', content: messages.syncHead.interval },
              { key: 'linked', content: messages.syncHead.linked },
              { key: 'queued', content: messages.syncHead.queued },
              { key: 'lastReconciled', content: messages.syncHead.lastReconciled },
            ],
          }}
          rows={overview.sync.map((settings) => {
            const row = describeSyncSettings(settings);
            return {
              key: settings.connectionId,
              cells: [
                { key: 'team', content: row.team },
                { key: 'enabled', content: row.enabled },
                { key: 'project', content: row.project },
                { key: 'strategy', content: row.strategy },
                { key: 'interval', content: row.interval },
                { key: 'linked', content: row.linked },
                { key: 'queued', content: row.queued },
                { key: 'lastReconciled', content: row.lastReconciled },
              ],
            };
          })}
        />
      ) : (
        <Text>{messages.noSyncSettings}</Text>
      )}
    </Stack>
  );
}
