/** @jsxImportSource react */

import {
  Button,
  Heading,
  Inline,
  Link,
  LoadingButton,
  Lozenge,
  SectionMessage,
  Spinner,
  Stack,
  Text,
} from '@forge/react';
import type { IssueSyncStatus } from '@jira-integration/shared/forge-ui';
import { useCallback, useEffect, useState } from 'react';
import type { SyncBackendClient } from './backend-client';
import { issuePanelMessages } from './messages';
import { describeIssueStatus } from './sync-status';

type PanelState =
  | { phase: 'loading' }
  | { phase: 'failed'; message: string }
  | { phase: 'loaded'; status: IssueSyncStatus; retrying: boolean; retryError?: string };

/** The issue's sync status: linked platform ticket, state, last sync, last error, and a Retry action. */
export function IssueSyncPanel({ client }: { client: SyncBackendClient }) {
  const [state, setState] = useState<PanelState>({ phase: 'loading' });

  const load = useCallback(async () => {
    setState({ phase: 'loading' });
    const result = await client.fetchIssueStatus();
    setState(
      result.ok
        ? { phase: 'loaded', status: result.value, retrying: false }
        : { phase: 'failed', message: result.message },
    );
  }, [client]);

  const retry = useCallback(async () => {
    setState((current) =>
      current.phase === 'loaded' ? { ...current, retrying: true, retryError: undefined } : current,
    );
    const result = await client.retryIssueSync();
    setState((current) => {
      if (result.ok) return { phase: 'loaded', status: result.value, retrying: false };
      return current.phase === 'loaded'
        ? { ...current, retrying: false, retryError: result.message }
        : current;
    });
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.phase === 'loading') return <Spinner label={issuePanelMessages.heading} />;

  if (state.phase === 'failed') {
    return (
      <SectionMessage appearance="error" title={issuePanelMessages.loadFailedTitle}>
        <Text>{state.message}</Text>
        <Button onClick={() => void load()}>{issuePanelMessages.reload}</Button>
      </SectionMessage>
    );
  }

  const view = describeIssueStatus(state.status);
  return (
    <Stack space="space.100">
      <Inline space="space.100" alignBlock="center">
        <Heading size="xsmall">{issuePanelMessages.heading}</Heading>
        <Lozenge appearance={view.lozengeAppearance}>{view.stateLabel}</Lozenge>
      </Inline>
      {view.ticket && (
        <Text>
          {issuePanelMessages.linkedTicket}{' '}
          {view.ticket.url ? (
            <Link href={view.ticket.url} openNewTab>
              {`${view.ticket.id} · ${view.ticket.title}`}
            </Link>
          ) : (
            `${view.ticket.id} · ${view.ticket.title}`
          )}
        </Text>
      )}
      <Text>{view.lastSynced}</Text>
      {view.explanation && <Text>{view.explanation}</Text>}
      {view.error && (
        <SectionMessage appearance="error" title={issuePanelMessages.errorTitle}>
          <Text>{view.error}</Text>
          <LoadingButton isLoading={state.retrying} onClick={() => void retry()}>
            {issuePanelMessages.retry}
          </LoadingButton>
        </SectionMessage>
      )}
      {state.retryError && (
        <SectionMessage appearance="warning" title={issuePanelMessages.retryFailedTitle}>
          <Text>{state.retryError}</Text>
        </SectionMessage>
      )}
    </Stack>
  );
}
