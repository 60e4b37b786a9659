import { operationsMessages } from '@jira-integration/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { errorBody } from '../http/errors';
import { runCommand } from './commands';
import { isAdminSecret } from './local-admin';

export const ADMIN_CLI_PATH = '/_admin/cli';

/** POST /_admin/cli {args}: runs a CLI command in this process (which holds the embedded database). */
export function localAdminRoutes(secret: string) {
  const app = new Hono<AppEnv>();
  app.post(ADMIN_CLI_PATH, async (c) => {
    const given = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1];
    if (!isAdminSecret(given, secret))
      return c.json(errorBody('unauthorized', operationsMessages.localAdminUnauthorized), 401);
    // Any JSON may arrive (null, a string, an array): only an object's `args` list counts.
    const body: unknown = await c.req.json().catch(() => null);
    const listed = body && typeof body === 'object' ? (body as { args?: unknown }).args : undefined;
    const args = Array.isArray(listed) ? listed.filter((arg): arg is string => typeof arg === 'string') : [];
    const { database, config } = c.get('services');
    return c.json(await runCommand({ database, config, host: 'server' }, args), 200);
  });
  return app;
}
