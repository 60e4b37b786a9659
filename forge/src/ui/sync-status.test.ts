import { describe, expect, it } from 'vitest';
import { issuePanelMessages } from './messages';
import { describeIssueStatus } from './sync-status';

const ticket = { id: 'TCK-9', title: 'VPN access', url: 'https://platform.example.com/tickets/TCK-9' };

describe('describeIssueStatus', () => {
  it('describes a synced issue', () => {
    expect(
      describeIssueStatus({
        state: 'synced',
        issueKey: 'OPS-1',
        ticket,
        lastSyncedAt: '2026-11-22T23:59:59.999Z',
      }),
    ).toEqual({
      stateLabel: 'Synced',
      lozengeAppearance: 'success',
      ticket,
      lastSynced: 'Last synced: 2026-11-22 23:59 UTC',
      explanation: undefined,
      error: undefined,
    });
  });

  it('converts a timestamp with an offset to UTC', () => {
    const view = describeIssueStatus({
      state: 'synced',
      issueKey: 'OPS-1',
      lastSyncedAt: '2026-11-23T01:30:00+02:00',
    });
    expect(view.lastSynced).toBe('Last synced: 2026-11-22 23:30 UTC');
  });

  it('explains pending and not linked issues', () => {
    expect(describeIssueStatus({ state: 'pending', issueKey: 'OPS-2' })).toMatchObject({
      stateLabel: 'Pending',
      lozengeAppearance: 'inprogress',
      lastSynced: 'Not synced yet.',
      explanation: issuePanelMessages.pendingExplanation,
    });
    expect(describeIssueStatus({ state: 'not_linked', issueKey: 'OPS-3' })).toMatchObject({
      stateLabel: 'Not linked',
      lozengeAppearance: 'default',
      explanation: issuePanelMessages.notLinkedExplanation,
      error: undefined,
    });
  });

  it('carries the last error only in the error state, with a fallback when the backend gave none', () => {
    expect(
      describeIssueStatus({ state: 'error', issueKey: 'OPS-4', lastError: 'Jira answered 400.' }),
    ).toMatchObject({
      stateLabel: 'Error',
      lozengeAppearance: 'removed',
      error: 'Jira answered 400.',
    });
    expect(describeIssueStatus({ state: 'error', issueKey: 'OPS-4' }).error).toBe(
      'The sync service did not report why.',
    );
    expect(
      describeIssueStatus({ state: 'synced', issueKey: 'OPS-4', lastError: 'old failure' }).error,
    ).toBeUndefined();
  });
});
