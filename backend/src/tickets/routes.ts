import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { requireTeam } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { jiraConnections, TICKET_PRIORITIES, TICKET_STATUSES } from '../db/schema';
import { idempotencyHeader, idempotent } from '../http/idempotency';
import { errorResponses, idParam, jsonBody, jsonContent } from '../http/openapi';
import {
  addTicketComment,
  commentInput,
  createTicket,
  findTicket,
  linksOf,
  listTicketComments,
  listTickets,
  presentComment,
  presentTicket,
  type Ticket,
  ticketCreateInput,
  ticketUpdateInput,
  updateTicket,
} from './service';

const security = [{ teamApiKey: [] }];

const JiraLink = z
  .object({
    issueId: z.string(),
    issueKey: z.string(),
    url: z.string().nullable(),
    state: z.enum(['synced', 'pending', 'error']),
  })
  .nullable();
const TicketSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    status: z.enum(TICKET_STATUSES),
    priority: z.enum(TICKET_PRIORITIES),
    requesterEmail: z.string().nullable(),
    assigneeEmail: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    jira: JiraLink,
  })
  .openapi('Ticket');
const CommentSchema = z
  .object({
    id: z.string(),
    body: z.string(),
    visibility: z.enum(['public', 'internal']),
    authorEmail: z.string().nullable(),
    source: z.enum(['platform', 'jira']),
    createdAt: z.string(),
  })
  .openapi('TicketComment');
const TicketWithComments = TicketSchema.extend({ comments: z.array(CommentSchema) }).openapi('TicketDetail');
const ListQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assigneeEmail: z.string().optional(),
  requesterEmail: z.string().optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});
const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/tickets',
    summary: 'Create a ticket (synced to Jira when the team has sync settings)',
    security,
    middleware: [idempotent],
    request: { headers: idempotencyHeader, ...jsonBody(ticketCreateInput) },
    responses: { 201: jsonContent(TicketSchema, 'The ticket'), ...errorResponses(400, 401) },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/tickets',
    summary: "The team's tickets, newest first, filtered and paginated",
    security,
    request: { query: ListQuery },
    responses: {
      200: jsonContent(
        z.object({ tickets: z.array(TicketSchema), nextCursor: z.string().nullable() }),
        'Tickets',
      ),
      ...errorResponses(400, 401),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/tickets/{id}',
    summary: 'One ticket with its comments',
    security,
    request: { params: idParam },
    responses: { 200: jsonContent(TicketWithComments, 'The ticket'), ...errorResponses(401, 404) },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/v1/tickets/{id}',
    summary: 'Edit a ticket',
    security,
    request: { params: idParam, ...jsonBody(ticketUpdateInput) },
    responses: { 200: jsonContent(TicketSchema, 'The ticket'), ...errorResponses(400, 401, 404) },
  }),
  comment: createRoute({
    method: 'post',
    path: '/v1/tickets/{id}/comments',
    summary: 'Add a public or internal comment',
    security,
    middleware: [idempotent],
    request: { params: idParam, headers: idempotencyHeader, ...jsonBody(commentInput) },
    responses: { 201: jsonContent(CommentSchema, 'The comment'), ...errorResponses(400, 401, 404) },
  }),
};

async function siteUrlOf(services: Services, connectionId: string | null): Promise<string | undefined> {
  if (!connectionId) return undefined;
  const [row] = await services.db
    .select({ siteUrl: jiraConnections.siteUrl })
    .from(jiraConnections)
    .where(eq(jiraConnections.id, connectionId));
  return row?.siteUrl;
}

async function present(services: Services, ticket: Ticket) {
  const links = await linksOf(services, [ticket.id]);
  return presentTicket(ticket, links.get(ticket.id), await siteUrlOf(services, ticket.connectionId));
}

export function ticketRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/tickets', requireTeam);
  app.use('/v1/tickets/*', requireTeam);

  app.openapi(routes.create, async (c) => {
    const ticket = await createTicket(c.var.services, c.var.teamId, c.req.valid('json'));
    return c.json(await present(c.var.services, ticket), 201);
  });
  app.openapi(routes.list, async (c) => {
    const { services } = c.var;
    const page = await listTickets(services, c.var.teamId, c.req.valid('query'));
    const links = await linksOf(
      services,
      page.tickets.map((ticket) => ticket.id),
    );
    const sites = new Map<string, string | undefined>();
    for (const ticket of page.tickets) {
      if (ticket.connectionId && !sites.has(ticket.connectionId)) {
        sites.set(ticket.connectionId, await siteUrlOf(services, ticket.connectionId));
      }
    }
    return c.json(
      {
        tickets: page.tickets.map((ticket) =>
          presentTicket(
            ticket,
            links.get(ticket.id),
            ticket.connectionId ? sites.get(ticket.connectionId) : undefined,
          ),
        ),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  app.openapi(routes.get, async (c) => {
    const ticket = await findTicket(c.var.services, c.var.teamId, c.req.valid('param').id);
    const comments = await listTicketComments(c.var.services, ticket.id);
    return c.json(
      { ...(await present(c.var.services, ticket)), comments: comments.map(presentComment) },
      200,
    );
  });
  app.openapi(routes.patch, async (c) => {
    const ticket = await updateTicket(
      c.var.services,
      c.var.teamId,
      c.req.valid('param').id,
      c.req.valid('json'),
    );
    return c.json(await present(c.var.services, ticket), 200);
  });
  app.openapi(routes.comment, async (c) => {
    const comment = await addTicketComment(
      c.var.services,
      c.var.teamId,
      c.req.valid('param').id,
      c.req.valid('json'),
    );
    return c.json(presentComment(comment), 201);
  });
  return app;
}
