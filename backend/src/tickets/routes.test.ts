import { ticketMessages } from '@jira-integration/shared/sync-messages';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, ManualClock, type TestContext } from '../../test-support/context';
import { testDatabaseKinds } from '../../test-support/database';
import { insertTestSyncConfig } from '../../test-support/sync';
import { syncOutbox, tickets } from '../db/schema';

interface Ticket {
  id: string;
  title: string;
  status: string;
  priority: string;
  requesterEmail: string | null;
  assigneeEmail: string | null;
  jira: unknown;
  comments?: Array<{ body: string; visibility: string; source: string }>;
}

describe.each(testDatabaseKinds())('tickets API (%s)', (kind) => {
  let ctx: TestContext;
  const clock = new ManualClock();

  beforeAll(async () => {
    ctx = await createTestContext({ kind, clock });
  });
  afterAll(() => ctx?.close());

  async function create(json: Record<string, unknown>) {
    clock.advance(1_000);
    const response = await ctx.request('/v1/tickets', { method: 'POST', json });
    expect(response.status).toBe(201);
    return (await response.json()) as Ticket;
  }

  it('creates with defaults, lower-cases emails, and without sync settings queues nothing for Jira', async () => {
    const ticket = await create({ title: '  Laptop will not boot ', requesterEmail: 'Ann@Example.com' });
    expect(ticket).toMatchObject({
      title: 'Laptop will not boot',
      status: 'open',
      priority: 'medium',
      requesterEmail: 'ann@example.com',
      assigneeEmail: null,
      jira: null,
    });
    const rows = await ctx.services.db.select().from(syncOutbox).where(eq(syncOutbox.ticketId, ticket.id));
    expect(rows).toHaveLength(0);
  });

  it('refuses bad input with the field and the reason', async () => {
    const cases: Array<[unknown, string]> = [
      [{ title: '   ' }, `title: ${ticketMessages.titleRequired}`],
      [
        { title: 'x', status: 'done' },
        'status: Invalid option: expected one of "open"|"in_progress"|"waiting"|"resolved"|"closed"',
      ],
      [{ title: 'x', assigneeEmail: 'not-an-email' }, `assigneeEmail: ${ticketMessages.invalidEmail}`],
    ];
    for (const [json, message] of cases) {
      const response = await ctx.request('/v1/tickets', { method: 'POST', json });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(message);
    }
  });

  it('edits, comments (public and internal) and reads back with comments in order', async () => {
    const ticket = await create({ title: 'Edit me' });
    const patched = await ctx.request(`/v1/tickets/${ticket.id}`, {
      method: 'PATCH',
      json: { status: 'waiting', priority: 'urgent', assigneeEmail: 'bob@example.com' },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      status: 'waiting',
      priority: 'urgent',
      assigneeEmail: 'bob@example.com',
    });
    for (const json of [{ body: 'First' }, { body: 'Second', visibility: 'internal' }]) {
      clock.advance(1_000);
      expect((await ctx.request(`/v1/tickets/${ticket.id}/comments`, { method: 'POST', json })).status).toBe(
        201,
      );
    }
    const empty = await ctx.request(`/v1/tickets/${ticket.id}/comments`, {
      method: 'POST',
      json: { body: ' ' },
    });
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe(
      `body: ${ticketMessages.commentBodyRequired}`,
    );
    const read = (await (await ctx.request(`/v1/tickets/${ticket.id}`)).json()) as Ticket;
    expect(read.comments?.map((comment) => [comment.body, comment.visibility, comment.source])).toEqual([
      ['First', 'public', 'platform'],
      ['Second', 'internal', 'platform'],
    ]);
  });

  it('lists newest first, filters, and paginates with a cursor that survives new tickets', async () => {
    const team = await ctx.createTeam('Paging team');
    const made: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      clock.advance(1_000);
      const response = await ctx.request('/v1/tickets', {
        method: 'POST',
        key: team.key,
        json: { title: `Paged ${index}`, priority: index % 2 ? 'high' : 'low' },
      });
      made.push(((await response.json()) as Ticket).id);
    }
    const page = async (query: string) =>
      (await (await ctx.request(`/v1/tickets?${query}`, { key: team.key })).json()) as {
        tickets: Ticket[];
        nextCursor: string | null;
      };
    const first = await page('limit=2');
    expect(first.tickets.map((ticket) => ticket.title)).toEqual(['Paged 4', 'Paged 3']);
    clock.advance(1_000);
    await ctx.request('/v1/tickets', { method: 'POST', key: team.key, json: { title: 'Newer' } });
    const second = await page(`limit=2&cursor=${first.nextCursor}`);
    expect(second.tickets.map((ticket) => ticket.title)).toEqual(['Paged 2', 'Paged 1']);
    const third = await page(`limit=2&cursor=${second.nextCursor}`);
    expect(third.tickets.map((ticket) => ticket.title)).toEqual(['Paged 0']);
    expect(third.nextCursor).toBeNull();
    expect((await page('priority=high')).tickets.map((ticket) => ticket.title)).toEqual([
      'Paged 3',
      'Paged 1',
    ]);
    expect((await page('q=paged%203')).tickets.map((ticket) => ticket.title)).toEqual(['Paged 3']);
    const bad = await ctx.request('/v1/tickets?cursor=garbage', { key: team.key });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      ticketMessages.invalidCursor,
    );
  });

  it("another team's ticket is not found, and lists never mix teams", async () => {
    const mine = await create({ title: 'Private to the test team' });
    const other = await ctx.createTeam('Other');
    for (const [method, path, json] of [
      ['GET', `/v1/tickets/${mine.id}`, undefined],
      ['PATCH', `/v1/tickets/${mine.id}`, { title: 'stolen' }],
      ['POST', `/v1/tickets/${mine.id}/comments`, { body: 'hi' }],
      ['GET', `/v1/tickets/${mine.id}/sync`, undefined],
    ] as const) {
      const response = await ctx.request(path, { method, json, key: other.key });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({
        error: { code: 'not_found', message: ticketMessages.notFound },
      });
    }
    const list = (await (await ctx.request('/v1/tickets', { key: other.key })).json()) as {
      tickets: Ticket[];
    };
    expect(list.tickets).toEqual([]);
    expect((await ctx.request('/v1/tickets', { key: null })).status).toBe(401);
  });

  it('a ticket without a sync connection reports not_linked', async () => {
    const ticket = await create({ title: 'Local only' });
    const status = await (await ctx.request(`/v1/tickets/${ticket.id}/sync`)).json();
    expect(status).toMatchObject({ state: 'not_linked', ready: false, issueKey: null, queuedChanges: 0 });
  });
  it('a ticket made before sync was set up goes to Jira at its next change, edit or comment', async () => {
    // A team of its own: its settings must not reach the other tests' tickets.
    const team = await ctx.createTeam('Set up later');
    const as = (path: string, json: Record<string, unknown>, method = 'POST') =>
      ctx.request(path, { method, json, key: team.key });
    const edited = (await (await as('/v1/tickets', { title: 'Before sync' })).json()) as Ticket;
    const commented = (await (await as('/v1/tickets', { title: 'Also before sync' })).json()) as Ticket;
    const queued = async (ticketId: string) =>
      ctx.services.db.select().from(syncOutbox).where(eq(syncOutbox.ticketId, ticketId));
    expect(await queued(edited.id)).toHaveLength(0);

    const connection = await insertTestConnection(ctx.services, {
      teamId: team.id,
      cloudId: `cloud-later-${kind}`,
      accessToken: 'x',
    });
    await insertTestSyncConfig(ctx.services, connection);
    expect((await as(`/v1/tickets/${edited.id}`, { priority: 'high' }, 'PATCH')).status).toBe(200);
    expect(
      (await as(`/v1/tickets/${commented.id}/comments`, { body: 'Any news?', visibility: 'public' })).status,
    ).toBe(201);

    const [first] = await queued(edited.id);
    expect(first).toMatchObject({ ticketId: edited.id, commentId: null });
    const [second] = await queued(commented.id);
    expect(second.commentId).toEqual(expect.any(String));
    const adopted = await ctx.services.db
      .select({ connectionId: tickets.connectionId })
      .from(tickets)
      .where(inArray(tickets.id, [edited.id, commented.id]));
    expect(adopted).toEqual([{ connectionId: connection.id }, { connectionId: connection.id }]);
  });
});
