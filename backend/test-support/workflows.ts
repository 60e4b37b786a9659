/** Tests only: a backend context wired to a running sandbox, with an installer key, another admin key and a connection. */
import { type Sandbox, startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED, userToken } from '@jira-integration/sandbox/test-support/seed';
import { eq } from 'drizzle-orm';
import { createApiKey } from '../src/auth/keys';
import type { JiraConnection } from '../src/connections/service';
import { SECRET_PURPOSE } from '../src/db/encrypted-columns';
import { jiraConnections } from '../src/db/schema';
import { insertTestConnection } from './connections';
import { createTestContext, ManualClock, type TestContext } from './context';
import type { TestDatabaseKind } from './database';

export interface WorkflowWorld {
  sandbox: Sandbox;
  ctx: TestContext;
  clock: ManualClock;
  connection: JiraConnection;
  /** The key that made the connection: it gives installer approval. */
  installer: { id: string; key: string };
  /** Another key of the same team: a team admin, but not the installer. */
  otherAdmin: { id: string; key: string };
  /** Back to the sandbox's seed (which forgets tokens), with a fresh token for the connection. */
  resetSandbox(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkflowWorld(
  kind: TestDatabaseKind = 'pglite',
  options: { env?: Record<string, string> } = {},
): Promise<WorkflowWorld> {
  const clock = new ManualClock();
  // One clock for Atlassian and the backend: token lifetimes and approval expiry move together.
  const sandbox = await startSandbox({ port: 0, now: () => clock.now().getTime() });
  const ctx = await createTestContext({
    kind,
    clock,
    env: { ...options.env, ATLASSIAN_API_URL: sandbox.url, ATLASSIAN_AUTH_URL: sandbox.url },
  });
  const installer = await createApiKey(ctx.services.db, ctx.team.id, 'installer');
  const otherAdmin = await createApiKey(ctx.services.db, ctx.team.id, 'other admin');
  const acme = sandbox.state.sites.get(DEFAULT_SEED.acme)!;
  const connection = await insertTestConnection(ctx.services, {
    teamId: ctx.team.id,
    cloudId: acme.cloudId,
    siteUrl: acme.url,
    accountId: DEFAULT_SEED.alice,
    accountName: 'Alice Admin',
    accessToken: userToken(sandbox, DEFAULT_SEED.alice),
    createdByKeyId: installer.id,
  });
  return {
    sandbox,
    ctx,
    clock,
    connection,
    installer,
    otherAdmin,
    async resetSandbox() {
      sandbox.reset();
      await ctx.services.db
        .update(jiraConnections)
        .set({
          accessTokenEncrypted: ctx.services.encryptor.encrypt(
            userToken(sandbox, DEFAULT_SEED.alice),
            SECRET_PURPOSE.accessToken,
          ),
          accessTokenExpiresAt: new Date(clock.now().getTime() + 3_600_000),
        })
        .where(eq(jiraConnections.id, connection.id));
    },
    async close() {
      await ctx.close();
      await sandbox.close();
    },
  };
}
