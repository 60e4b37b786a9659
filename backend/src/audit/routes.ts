import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireTeam } from '../auth/middleware';
import type { AppEnv } from '../context';
import { errorResponses, jsonContent } from '../http/openapi';
import { AUDIT_ACTIONS } from './log';
import { AUDIT_PAGE_MAX, listAudit } from './service';

const AuditEntry = z
  .object({
    id: z.number(),
    action: z.string(),
    target: z.string().nullable(),
    actor: z
      .string()
      .nullable()
      .openapi({ description: 'Who acted; null: not recorded (older proxy calls)' }),
    detail: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');

const query = z.object({
  connectionId: z.string().max(255).optional().openapi({ description: 'Only rows about this connection' }),
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: z
    .string()
    .max(255)
    .optional()
    .openapi({ description: 'e.g. "key jik_abc123…", "console (key jik_abc123…)" or "system"' }),
  before: z.coerce.number().int().positive().optional().openapi({ description: 'Rows older than this id' }),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['Team'],
  summary: "The team's audit history, newest first",
  security: [{ teamApiKey: [] }],
  request: { query },
  responses: {
    200: jsonContent(z.object({ entries: z.array(AuditEntry) }), 'Audit rows'),
    ...errorResponses(400, 401),
  },
});

export function auditRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/audit', requireTeam);
  app.openapi(listRoute, async (c) =>
    c.json({ entries: await listAudit(c.var.services, c.var.teamId, c.req.valid('query')) }, 200),
  );
  return app;
}
