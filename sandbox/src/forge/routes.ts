/**
 * HTTP face of the Forge platform: the JWKS, Atlassian's GraphQL endpoint, and `/_sandbox/forge/*` controls so a
 * sandbox running in another process can be driven over HTTP.
 */
import { type Context, type Handler, Hono } from 'hono';
import type { JSONWebKeySet } from 'jose';
import { ForgeControlError } from './errors';
import { forgeMessages } from './messages';
import type { ForgeControls, InvokeUiRequest } from './platform';
import { createUiPageRoutes } from './ui-pages';

export function createForgeRoutes(a: {
  controls: ForgeControls;
  jwks(): Promise<JSONWebKeySet>;
  graphql: Handler;
}): Hono {
  const { controls } = a;
  const routes = new Hono();

  routes.get('/.well-known/jwks.json', async (c) => c.json(await a.jwks()));
  routes.post('/graphql', a.graphql);

  routes.get('/_sandbox/forge', (c) => c.json(controls.describe()));
  routes.get('/_sandbox/forge/installations', (c) => c.json(controls.installations()));
  routes.get('/_sandbox/forge/deliveries', (c) => c.json(controls.deliveries()));

  routes.post('/_sandbox/forge/install', async (c) => {
    const body = await readBody(c, ['cloudId', 'backendUrl']);
    const installerAccountId =
      typeof body.installerAccountId === 'string' ? body.installerAccountId : undefined;
    return c.json(
      await controls.install({ cloudId: body.cloudId, backendUrl: body.backendUrl, installerAccountId }),
    );
  });
  routes.post('/_sandbox/forge/uninstall', async (c) => {
    const { cloudId } = await readBody(c, ['cloudId']);
    await controls.uninstall(cloudId);
    return c.body(null, 204);
  });
  routes.post('/_sandbox/forge/push', async (c) => {
    const { cloudId } = await readBody(c, ['cloudId']);
    return c.json(await controls.pushCredentialsNow(cloudId));
  });
  routes.post('/_sandbox/forge/invoke-ui', async (c) => {
    const body = await readBody(c, ['cloudId', 'moduleKey', 'path', 'accountId']);
    return c.json(await controls.invokeUi(body as unknown as InvokeUiRequest));
  });
  routes.route('/', createUiPageRoutes(controls));

  routes.onError((error, c) => {
    if (error instanceof ForgeControlError) return c.json({ message: error.message }, error.status);
    throw error;
  });
  return routes;
}

/** The JSON body, refused with 400 unless each named field is a non-empty string. */
async function readBody<Field extends string>(
  c: Context,
  fields: Field[],
): Promise<Record<Field, string> & Record<string, unknown>> {
  const body: unknown = await c.req.json().catch(() => null);
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const missing = fields.filter((field) => typeof record[field] !== 'string' || record[field] === '');
  if (missing.length > 0) throw new ForgeControlError(forgeMessages.missingFields(missing.join(', ')), 400);
  return record as Record<Field, string> & Record<string, unknown>;
}
