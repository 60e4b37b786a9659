import type { AdminOverview } from '@jira-integration/shared/forge-ui';
import { describe, expect, it } from 'vitest';
import { describeSyncSettings, findSyncBlockers } from './admin-overview';

const ready: AdminOverview = {
  siteLinked: true,
  cloudId: 'cloud-1',
  lastCredentialPushAt: '2026-11-22T10:10:00Z',
  credentialsFresh: true,
  upgradedConnections: [{ teamName: 'IT Ops', connectionId: 'conn_1', upgradedAt: '2026-11-20T09:00:00Z' }],
  sync: [
    {
      connectionId: 'conn_1',
      teamName: 'IT Ops',
      enabled: true,
      projectKey: 'OPS',
      linkedIssues: 0,
      failingIssues: 0,
    },
  ],
};

describe('findSyncBlockers', () => {
  it('finds nothing when the site is linked, credentials are fresh and a project syncs', () => {
    expect(findSyncBlockers(ready)).toEqual([]);
  });

  it('names expired credentials with the time of the last push', () => {
    expect(findSyncBlockers({ ...ready, credentialsFresh: false })).toEqual([
      'The service-account credentials have expired (last push 2026-11-22 10:10 UTC); pushes run every five minutes, so check that the app is installed and the backend is reachable.',
    ]);
  });

  it('names a linked site without upgraded connections and enabled sync without a project', () => {
    expect(
      findSyncBlockers({
        ...ready,
        upgradedConnections: [],
        sync: [
          { connectionId: 'conn_1', teamName: 'IT Ops', enabled: true, linkedIssues: 0, failingIssues: 0 },
          { connectionId: 'conn_2', teamName: 'HR', enabled: false, linkedIssues: 0, failingIssues: 0 },
        ],
      }),
    ).toEqual([
      'No managed connection to this site is upgraded; custom connections are never upgraded.',
      'Sync for team IT Ops has no Jira project configured.',
    ]);
  });

  it('names a missing site link, missing credentials and no enabled sync', () => {
    expect(
      findSyncBlockers({
        siteLinked: false,
        cloudId: 'cloud-1',
        credentialsFresh: false,
        upgradedConnections: [],
        sync: [],
      }),
    ).toEqual([
      'No team has connected this Jira site to the platform yet.',
      'The Forge app has not pushed service-account credentials yet; the first push follows the install within minutes.',
      'No connection has sync enabled.',
    ]);
  });
});

describe('describeSyncSettings', () => {
  it('says why a team cannot sync, in the backend’s words', () => {
    const overview = {
      siteLinked: true,
      cloudId: 'x',
      lastCredentialPushAt: '2026-11-23T10:00:00.000Z',
      credentialsFresh: true,
      upgradedConnections: [
        { teamName: 'IT Ops', connectionId: 'c', upgradedAt: '2026-11-23T10:00:00.000Z' },
      ],
      sync: [
        {
          connectionId: 'c',
          teamName: 'IT Ops',
          enabled: true,
          linkedIssues: 0,
          failingIssues: 0,
          notReadyReason: 'Sync is not running. Missing: Sync settings saved.',
        },
      ],
    };
    expect(findSyncBlockers(overview)).toEqual([
      'Team IT Ops: Sync is not running. Missing: Sync settings saved.',
    ]);
  });

  it('formats a configured row and a row with nothing set', () => {
    expect(
      describeSyncSettings({
        connectionId: 'c',
        teamName: 'IT Ops',
        enabled: true,
        projectKey: 'OPS',
        strategy: 'two_way',
        intervalMinutes: 15,
        linkedIssues: 12,
        failingIssues: 2,
        queuedChanges: 3,
        lastReconciledAt: '2026-11-23T10:05:00.000Z',
      }),
    ).toEqual({
      team: 'IT Ops',
      enabled: 'Yes',
      project: 'OPS',
      strategy: 'two_way',
      interval: 'Every 15 min',
      linked: '12 (2 failing)',
      queued: '3',
      lastReconciled: expect.stringContaining('2026'),
    });
    expect(
      describeSyncSettings({
        connectionId: 'c',
        teamName: 'HR',
        enabled: false,
        linkedIssues: 0,
        failingIssues: 0,
      }),
    ).toEqual({
      team: 'HR',
      enabled: 'No',
      project: '—',
      strategy: '—',
      interval: '—',
      linked: '0',
      queued: '0',
      lastReconciled: '—',
    });
  });
});
