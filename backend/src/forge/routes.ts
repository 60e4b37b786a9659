/**
 * The Forge remote endpoints. Every call is authenticated by its verified invocation token only; answers
 * are JSON, 2xx on success, and 401 only when the token fails verification (Forge reserves 401 for that).
 */

import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { Hono } from 'hono';
import { ApiError } from '../http/errors';
import { acceptForgeEvent, parseForgeEvent } from './events';
import { recordCredentials, recordUninstall } from './service';
import { adminOverview, issueSyncStatus, retryIssueSync } from './ui';
import { type ForgeEnv, requireForgeInvocation } from './verify';

export const SYSTEM_TOKEN_HEADER = 'x-forge-oauth-system';

function systemTokenOf(header: string | undefined): string {
  const token = header?.trim();
  if (!token) throw new ApiError(400, 'missing_system_token', forgeMessages.missingSystemToken);
  return token;
}

export function forgeRoutes() {
  const app = new Hono<ForgeEnv>();
  app.use('/forge/*', requireForgeInvocation);

  // The scheduled trigger (every five minutes) and the install/upgrade lifecycle trigger both carry the
  // app system token; both store it.
  for (const path of ['/forge/credentials', '/forge/lifecycle']) {
    app.post(path, async (c) => {
      const outcome = await recordCredentials(
        c.var.services,
        c.var.forge,
        systemTokenOf(c.req.header(SYSTEM_TOKEN_HEADER)),
      );
      return c.json(
        { stored: outcome.stored, upgradedConnections: outcome.upgradedConnectionIds.length },
        200,
      );
    });
  }

  app.post('/forge/uninstall', async (c) => {
    const downgraded = await recordUninstall(c.var.services, c.var.forge);
    return c.json({ downgradedConnections: downgraded.length }, 200);
  });

  app.post('/forge/events', async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const { duplicate } = await acceptForgeEvent(c.var.services, c.var.forge, parseForgeEvent(body));
    return c.json({ status: duplicate ? 'duplicate' : 'queued' }, 200);
  });

  app.get(FORGE_UI_PATHS.issueStatus, async (c) =>
    c.json(await issueSyncStatus(c.var.services, c.var.forge), 200),
  );
  app.post(FORGE_UI_PATHS.retryIssueSync, async (c) =>
    c.json(await retryIssueSync(c.var.services, c.var.forge), 200),
  );
  app.get(FORGE_UI_PATHS.adminOverview, async (c) =>
    c.json(await adminOverview(c.var.services, c.var.forge), 200),
  );
  return app;
}
