import type { Database } from '@jira-integration/backend/db/client';
import { registerBackendApp, sandboxEnvironment } from '@jira-integration/backend/sandbox-wiring';
import type { TestDatabaseKind } from '@jira-integration/backend/test-support/database';
import {
  type Sandbox,
  type SandboxOptions,
  type SiteRecord,
  startSandbox,
  type UserRecord,
} from '@jira-integration/sandbox';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { startTestBackend, type TestBackend } from './backend';

export const MANAGED_CLIENT = { clientId: 'managed-app-client', clientSecret: 'managed-app-secret' };

/** The sandbox's seeded sites and users that the suites lean on (sandbox/seed/default.json). */
export interface Seeded {
  acme: SiteRecord;
  globex: SiteRecord;
  alice: UserRecord;
  bob: UserRecord;
}

export interface World {
  sandbox: Sandbox;
  backend: TestBackend;
  seeded: Seeded;
  close(): Promise<void>;
}

/** The seeded records, found by the ids `DEFAULT_SEED` reads from the seed file. */
function seededOf(sandbox: Sandbox): Seeded {
  const site = (cloudId: string) => sandbox.state.sites.get(cloudId)!;
  const user = (accountId: string) => sandbox.state.users.get(accountId)!;
  return {
    acme: site(DEFAULT_SEED.acme),
    globex: site(DEFAULT_SEED.globex),
    alice: user(DEFAULT_SEED.alice),
    bob: user(DEFAULT_SEED.bob),
  };
}

/**
 * A sandbox (Atlassian) and a backend wired to it, as `npm start` does without real Atlassian settings:
 * the managed app is registered with the backend's exact callback URL.
 */
export async function startWorld(
  options: {
    kind?: TestDatabaseKind;
    sandbox?: SandboxOptions;
    env?: Record<string, string>;
    database?: Database;
  } = {},
): Promise<World> {
  const sandbox = await startSandbox(options.sandbox);
  const backend = await startTestBackend({
    kind: options.kind,
    database: options.database,
    env: { ...sandboxEnvironment(sandbox, MANAGED_CLIENT), ...options.env },
  });
  registerBackendApp(sandbox, backend.url, {
    ...MANAGED_CLIENT,
    name: 'Managed app',
    distribution: 'managed',
  });
  return {
    sandbox,
    backend,
    seeded: seededOf(sandbox),
    async close() {
      await backend.close();
      await sandbox.close();
    },
  };
}

/**
 * An invocation token the world's Forge platform signs for its first installation, bound to `moduleKey` (the
 * manifest module whose endpoint is called), with any further claims (a UI module's `context`, `principal`).
 */
export function forgeInvocationToken(
  world: World,
  moduleKey: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const [installation] = world.sandbox.forge.installations();
  return world.sandbox.forge.signInvocationToken({
    app: {
      id: world.sandbox.forge.appId,
      installationId: installation.installationId,
      apiBaseUrl: installation.apiBaseUrl,
      installation: { id: installation.installationId, contexts: [{ cloudId: installation.cloudId }] },
      module: { type: 'core:endpoint', key: moduleKey },
    },
    ...claims,
  });
}
