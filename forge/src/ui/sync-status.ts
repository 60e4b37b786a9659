/** What the issue panel shows for a sync status, decided outside React so it is easy to test. */
import type { IssueSyncState, IssueSyncStatus, LinkedTicket } from '@jira-integration/shared/forge-ui';
import { formatTimestamp } from './format';
import { issuePanelMessages } from './messages';

export type LozengeAppearance = 'success' | 'inprogress' | 'removed' | 'default';

export interface IssueStatusView {
  stateLabel: string;
  lozengeAppearance: LozengeAppearance;
  ticket?: LinkedTicket;
  lastSynced: string;
  /** Shown as plain text under the status (pending, not linked). */
  explanation?: string;
  /** Shown in an error SectionMessage with a Retry action (error state only). */
  error?: string;
}

const LOZENGE_BY_STATE: Record<IssueSyncState, LozengeAppearance> = {
  synced: 'success',
  pending: 'inprogress',
  error: 'removed',
  not_linked: 'default',
};

export function describeIssueStatus(status: IssueSyncStatus): IssueStatusView {
  return {
    stateLabel: issuePanelMessages.stateLabels[status.state],
    lozengeAppearance: LOZENGE_BY_STATE[status.state],
    ticket: status.ticket,
    lastSynced: status.lastSyncedAt
      ? issuePanelMessages.lastSynced(formatTimestamp(status.lastSyncedAt))
      : issuePanelMessages.neverSynced,
    explanation:
      status.state === 'pending'
        ? issuePanelMessages.pendingExplanation
        : status.state === 'not_linked'
          ? issuePanelMessages.notLinkedExplanation
          : undefined,
    error:
      status.state === 'error' ? (status.lastError ?? issuePanelMessages.errorWithoutDetails) : undefined,
  };
}
