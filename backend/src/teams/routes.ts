import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { requireTeam } from '../auth/middleware';
import type { AppEnv } from '../context';
import { teams } from '../db/schema';
import { errorResponses } from '../http/openapi';

const TeamSchema = z.object({ id: z.string(), name: z.string() }).openapi('Team');

const getTeam = createRoute({
  method: 'get',
  path: '/v1/team',
  summary: 'The team the API key belongs to',
  security: [{ teamApiKey: [] }],
  responses: {
    200: { description: 'The calling team', content: { 'application/json': { schema: TeamSchema } } },
    ...errorResponses(401),
  },
});

export function teamRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/team', requireTeam);
  app.openapi(getTeam, async (c) => {
    const [team] = await c.var.services.db.select().from(teams).where(eq(teams.id, c.var.teamId));
    return c.json({ id: team.id, name: team.name }, 200);
  });
  return app;
}
