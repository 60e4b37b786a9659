import { describe, expect, it } from 'vitest';
import { createSyncBackendClient, type InvokeRemote } from './backend-client';
import { backendCallMessages } from './messages';

function clientAnswering(answer: InvokeRemote) {
  const calls: Array<Parameters<InvokeRemote>[0]> = [];
  const client = createSyncBackendClient(async (input) => {
    calls.push(input);
    return answer(input);
  });
  return { client, calls };
}

const status = { state: 'synced', issueKey: 'OPS-1', lastSyncedAt: '2026-11-22T10:15:30Z' };

describe('sync backend client', () => {
  it('calls each UI path with its method and returns the parsed answer', async () => {
    const { client, calls } = clientAnswering(async ({ path }) =>
      path === '/forge/ui/admin-overview'
        ? {
            status: 200,
            body: {
              siteLinked: true,
              cloudId: 'c1',
              credentialsFresh: true,
              upgradedConnections: [],
              sync: [],
            },
          }
        : { status: 200, body: status },
    );
    expect(await client.fetchIssueStatus()).toEqual({ ok: true, value: status });
    expect(await client.retryIssueSync()).toEqual({ ok: true, value: status });
    expect(await client.fetchAdminOverview()).toEqual({
      ok: true,
      value: { siteLinked: true, cloudId: 'c1', credentialsFresh: true, upgradedConnections: [], sync: [] },
    });
    expect(calls).toEqual([
      { path: '/forge/ui/issue-status', method: 'GET' },
      { path: '/forge/ui/issue-status/retry', method: 'POST' },
      { path: '/forge/ui/admin-overview', method: 'GET' },
    ]);
  });

  it('reports an unreachable backend when invokeRemote rejects', async () => {
    const { client } = clientAnswering(async () => {
      throw new Error('Remote could not verify the Forge Invocation Token');
    });
    expect(await client.fetchIssueStatus()).toEqual({ ok: false, message: backendCallMessages.unreachable });
  });

  it('reports an unreachable backend when the bridge answers an error without an HTTP status', async () => {
    const { client } = clientAnswering(async () => ({ body: { message: 'Invocation failed' } }));
    expect(await client.fetchAdminOverview()).toEqual({
      ok: false,
      message: backendCallMessages.unreachable,
    });
  });

  it("shows the backend's own message from a non-2xx error body", async () => {
    const { client } = clientAnswering(async () => ({
      status: 404,
      body: { error: { code: 'not_found', message: 'No Forge installation for this site.' } },
    }));
    expect(await client.fetchIssueStatus()).toEqual({
      ok: false,
      message: 'No Forge installation for this site.',
    });
  });

  it('names the HTTP status when a non-2xx body is not the error shape', async () => {
    const { client } = clientAnswering(async () => ({ status: 503, body: { oops: true } }));
    expect(await client.retryIssueSync()).toEqual({
      ok: false,
      message: 'The sync service answered with HTTP 503.',
    });
  });

  it('rejects a 2xx answer that does not match the contract', async () => {
    const { client } = clientAnswering(async () => ({
      status: 200,
      body: { state: 'linked', issueKey: 'OPS-1' },
    }));
    expect(await client.fetchIssueStatus()).toEqual({
      ok: false,
      message: backendCallMessages.unexpectedAnswer,
    });
  });
});
