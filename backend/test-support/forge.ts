/**
 * Tests only: the backend served over HTTP, wired to the sandbox's Forge platform (JWKS, deliveries, UI calls)
 * on a fake two-site context, with one clock shared by both sides so tests can move time. The platform's timers
 * run on a manual scheduler: scheduled pushes and redeliveries happen when a test calls `scheduler.advance`.
 */
import {
  createForgePlatform,
  createManualScheduler,
  type ForgePlatformOptions,
} from '@jira-integration/sandbox/forge/platform';
import {
  createClock,
  createTestContext as createForgeContext,
} from '@jira-integration/sandbox/test-support/forge';
import { Hono } from 'hono';
import { createTestContext, listen, type TestContext } from './context';
import type { TestDatabaseKind } from './database';

export { siteA, siteB } from '@jira-integration/sandbox/test-support/forge';

export async function startForgeTestBed(kind: TestDatabaseKind, options: ForgePlatformOptions = {}) {
  const clock = createClock();
  const forgeContext = createForgeContext(clock);
  const scheduler = createManualScheduler();
  const platform = createForgePlatform(forgeContext.ctx, {
    credentialPushIntervalMs: 3600_000,
    scheduler,
    ...options,
  });
  const sandboxApp = new Hono();
  sandboxApp.route('/', platform.routes);
  const sandbox = await listen(sandboxApp.fetch);
  forgeContext.setUrl(sandbox.url);
  const backend: TestContext = await createTestContext({
    kind,
    clock: { now: () => new Date(clock.now()) },
    config: { forgeAppId: platform.appId, forgeJwksUrl: platform.jwksUrl() },
  });
  const served = await listen(backend.app.fetch);
  return {
    backend,
    services: backend.services,
    platform,
    scheduler,
    clock,
    /** Bearer tokens the sandbox issued, with who they speak for. */
    grants: forgeContext.grants,
    sandboxUrl: sandbox.url,
    backendUrl: served.url,
    async close() {
      await platform.close();
      await served.close();
      await sandbox.close();
      await backend.close();
    },
  };
}

export type ForgeTestBed = Awaited<ReturnType<typeof startForgeTestBed>>;
