import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/keys';
import { requireTeam } from '../auth/middleware';
import type { AppEnv } from '../context';
import { teams } from '../db/schema';
import { boundedText } from '../http/limits';
import { errorResponses, jsonBody, jsonContent } from '../http/openapi';

const security = [{ teamApiKey: [] }];
const TeamSchema = z.object({ id: z.string(), name: z.string(), workspaceId: z.string() }).openapi('Team');
const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the key, to tell keys apart' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');
const CreatedKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The key itself: shown once, never again' }),
}).openapi('CreatedApiKey');

const routes = {
  getTeam: createRoute({
    method: 'get',
    path: '/v1/team',
    summary: 'The team the API key belongs to',
    security,
    responses: {
      200: { description: 'The calling team', content: { 'application/json': { schema: TeamSchema } } },
      ...errorResponses(401),
    },
  }),
  listKeys: createRoute({
    method: 'get',
    path: '/v1/team/keys',
    summary: "The team's API keys (never the keys themselves), revoked ones included",
    security,
    responses: {
      200: jsonContent(z.object({ keys: z.array(ApiKeySchema) }), 'Keys'),
      ...errorResponses(401),
    },
  }),
  createKey: createRoute({
    method: 'post',
    path: '/v1/team/keys',
    summary: 'Create an API key (returned once)',
    security,
    request: jsonBody(z.strictObject({ name: boundedText('name', 255).optional() })),
    responses: { 201: jsonContent(CreatedKeySchema, 'The new key'), ...errorResponses(400, 401) },
  }),
  revokeKey: createRoute({
    method: 'delete',
    path: '/v1/team/keys/{id}',
    summary:
      'Revoke an API key: it stops working everywhere within a second, and the console sessions it opened end. The last active key cannot be revoked (409): create another first.',
    security,
    request: {
      params: z.object({ id: boundedText('id', 255).openapi({ param: { name: 'id', in: 'path' } }) }),
    },
    responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404, 409) },
  }),
};

export function teamRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/team', requireTeam);
  app.use('/v1/team/*', requireTeam);
  app.openapi(routes.getTeam, async (c) => {
    const [team] = await c.var.services.db.select().from(teams).where(eq(teams.id, c.var.teamId));
    return c.json({ id: team.id, name: team.name, workspaceId: team.workspaceId }, 200);
  });
  app.openapi(routes.listKeys, async (c) =>
    c.json({ keys: await listApiKeys(c.var.services.db, c.var.teamId) }, 200),
  );
  app.openapi(routes.createKey, async (c) => {
    const { db } = c.var.services;
    const created = await createApiKey(
      db,
      c.var.teamId,
      c.req.valid('json').name?.trim() || 'api',
      c.var.actor,
    );
    const summary = (await listApiKeys(db, c.var.teamId)).find((key) => key.id === created.id)!;
    return c.json({ ...summary, key: created.key }, 201);
  });
  app.openapi(routes.revokeKey, async (c) => {
    const { db, clock } = c.var.services;
    await revokeApiKey(db, c.var.teamId, c.req.valid('param').id, clock.now(), c.var.actor);
    return c.body(null, 204);
  });
  return app;
}
