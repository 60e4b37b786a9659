import { createApiKey } from '@jira-integration/backend/auth/keys';
import { jiraConnections } from '@jira-integration/backend/db/schema';
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { startWorld, type World } from '../support/world';

interface Run {
  id: string;
  state: string;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  steps: Array<{ name: string; identity: string; asJiraUser: string | null; status: number | null }>;
}

const FINISHED = new Set(['succeeded', 'failed', 'rejected']);

/**
 * A whole backend with its queue workers: runs execute on pg-boss, the connection is made through OAuth by an API
 * key (recorded as its installer), and the Forge app's credentials upgrade it for service-account mode.
 */
describe('workflow runs on the queue, with the Forge service account', () => {
  let world: World;
  let connectionId: string;

  const api = (path: string, init: RequestInit & { json?: unknown } = {}, key = world.backend.team.key) =>
    fetchAsTeam(world.backend.url, key, path, init);

  /** Polls the run until the queue's worker finished it. */
  async function finished(runId: string): Promise<Run> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const run = (await (await api(`/v1/workflow-runs/${runId}`)).json()) as Run;
      if (FINISHED.has(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  async function run(
    workflow: string,
    input: Record<string, unknown>,
    identity: Record<string, unknown> = {},
  ) {
    const started = await api(`/v1/workflows/${workflow}/runs`, {
      method: 'POST',
      json: { connectionId, input, ...identity },
    });
    expect(started.status).toBe(202);
    const { id, state } = (await started.json()) as { id: string; state: string };
    expect(state).toBe('awaiting_approval');
    const approved = await api(`/v1/workflow-runs/${id}/approve`, { method: 'POST', json: { reason: 'ok' } });
    expect(approved.status).toBe(200);
    return finished(id);
  }

  beforeAll(async () => {
    world = await startWorld();
    const { sandbox, seeded } = world;
    const started = await api('/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'acme' },
    });
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const redirect = await sandbox.approveAuthorization(authorizeUrl, {
      accountId: seeded.alice.accountId,
      cloudIds: [seeded.acme.cloudId],
    });
    // The callback comes back bound to whoever started the flow (here the team key).
    const connected = await fetch(redirect, {
      headers: { accept: 'application/json', authorization: `Bearer ${world.backend.team.key}` },
    });
    expect(connected.status).toBe(200);
    connectionId = ((await connected.json()) as { id: string }).id;
  });
  afterAll(() => world?.close());

  it('records the API key that made the connection; only that key approves installer-approval runs', async () => {
    const [row] = await world.backend.services.db
      .select({ createdByKeyId: jiraConnections.createdByKeyId })
      .from(jiraConnections)
      .where(eq(jiraConnections.id, connectionId));
    expect(row.createdByKeyId).toEqual(expect.any(String));

    const other = await createApiKey(world.backend.services.db, world.backend.team.id, 'second admin');
    const started = await api('/v1/workflows/list-jira-projects/runs', {
      method: 'POST',
      json: { connectionId, input: {} },
    });
    const { id } = (await started.json()) as { id: string };
    const refused = await api(`/v1/workflow-runs/${id}/approve`, { method: 'POST' }, other.key);
    expect(refused.status).toBe(403);
    const approved = await api(`/v1/workflow-runs/${id}/approve`, { method: 'POST' });
    expect(approved.status).toBe(200);
    const done = await finished(id);
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((step) => step.identity)).toEqual(['user']);
  });

  it('service-account mode and impersonation on an upgraded connection, named in the run log', async () => {
    const { sandbox, seeded } = world;
    await sandbox.forge.install({ cloudId: seeded.acme.cloudId, backendUrl: world.backend.url });
    const connection = (await (await api(`/v1/jira/connections/${connectionId}`)).json()) as {
      forgeUpgradedAt: string | null;
    };
    expect(connection.forgeUpgradedAt).not.toBeNull();

    const asApp = await run('find-user-by-email', { email: 'bob@acme.example' }, { useServiceAccount: true });
    expect(asApp.error).toBeNull();
    expect(asApp.steps.map((step) => step.identity)).toEqual(['service_account']);

    const asBob = await run(
      'create-jira-issue',
      { project: 'SUP', summary: 'Filed as Bob' },
      { useServiceAccount: true, asJiraUser: seeded.bob.accountId },
    );
    expect(asBob.error).toBeNull();
    expect(new Set(asBob.steps.map((step) => step.identity))).toEqual(new Set(['impersonation']));
    expect(asBob.steps.every((step) => step.asJiraUser === seeded.bob.accountId)).toBe(true);
    const key = (asBob.output as { key: string }).key;
    const issue = [...sandbox.state.issues.values()].find((candidate) => candidate.key === key)!;
    expect(issue.creatorId).toBe(seeded.bob.accountId);

    const halfOptIn = await run('list-jira-projects', {}, { asJiraUser: seeded.bob.accountId });
    expect(halfOptIn.state).toBe('failed');
    expect(halfOptIn.error).toEqual({
      code: 'invalid_auth_headers',
      message: proxyMessages.asUserNeedsConnectAuth,
    });
    expect(halfOptIn.steps).toEqual([]);
  });
});
