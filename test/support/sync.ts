/** A world where the backend's team syncs the sandbox's SUP project: connected, app installed, syncing on, settings saved. */
import { SUP_MAPPINGS } from '@jira-integration/backend/test-support/sync';
import { fetchAsTeam } from './backend';
import type { World } from './world';

export const SUP_SYNC_CONFIG = {
  projectKey: 'SUP',
  requestTypeId: '10',
  ...SUP_MAPPINGS,
  strategy: 'two_way',
};

/** The backend's team connects the acme site with Sign in with Jira as Alice (a site admin). */
export async function connectAcme(world: World): Promise<{ id: string }> {
  const { backend, sandbox, seeded } = world;
  const started = await fetchAsTeam(backend.url, backend.team.key, '/v1/jira/connections/managed/start', {
    method: 'POST',
    json: { subdomain: 'acme' },
  });
  const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
  const redirect = await sandbox.approveAuthorization(authorizeUrl, {
    accountId: seeded.alice.accountId,
    cloudIds: [seeded.acme.cloudId],
  });
  // The callback must come from the team that started the attempt.
  const answer = await fetch(redirect, {
    headers: { accept: 'application/json', authorization: `Bearer ${backend.team.key}` },
  });
  if (answer.status !== 200) throw new Error(`connecting acme failed: ${await answer.text()}`);
  return (await answer.json()) as { id: string };
}

export async function connectSyncedSite(
  world: World,
  config: Record<string, unknown> | null = SUP_SYNC_CONFIG,
): Promise<{ connectionId: string; cloudId: string }> {
  const { backend, sandbox, seeded } = world;
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(backend.url, backend.team.key, path, init);
  const cloudId = seeded.acme.cloudId;
  const connection = await connectAcme(world);
  await sandbox.forge.install({ cloudId, backendUrl: backend.url });
  await api(`/v1/jira/connections/${connection.id}`, { method: 'PATCH', json: { ticketSyncing: true } });
  if (config) {
    const saved = await api(`/v1/jira/connections/${connection.id}/sync-config`, {
      method: 'PUT',
      json: config,
    });
    if (saved.status !== 200) throw new Error(`sync settings refused: ${await saved.text()}`);
  }
  return { connectionId: connection.id, cloudId };
}
