/**
 * A client that lost an answer retries with the same Idempotency-Key: it gets the first answer on any process,
 * and nothing is made twice. Before, a retried POST /v1/tickets made a second ticket.
 */

import { createHash } from 'node:crypto';
import { pruneExpired } from '@jira-integration/backend/auth/prune';
import { idempotentRequests, tickets } from '@jira-integration/backend/db/schema';
import { CLAIM_MS, IDEMPOTENCY_WINDOW_MS } from '@jira-integration/backend/http/idempotency';
import { ManualClock } from '@jira-integration/backend/test-support/context';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { idempotencyMessages } from '@jira-integration/shared/security-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam, startTestBackend, type TestBackend } from '../support/backend';

describe.each(testDatabaseKinds())('Idempotency-Key on creating routes (%s)', (kind) => {
  const clock = new ManualClock();
  let first: TestBackend;
  let second: TestBackend;

  beforeAll(async () => {
    first = await startTestBackend({ kind, clock });
    // A second process on the same PostgreSQL database (PGlite has one process: the same one answers).
    second = kind === 'postgres' ? await startTestBackend({ shareDatabaseOf: first, clock }) : first;
  });
  afterAll(async () => {
    if (second !== first) await second.close();
    await first.close();
  });

  const post = (backend: TestBackend, path: string, json: unknown, key?: string) =>
    fetchAsTeam(backend.url, backend.team.key, path, {
      method: 'POST',
      json,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const titled = (title: string) => first.services.db.select().from(tickets).where(eq(tickets.title, title));

  it('the same key and body returns the first answer, on either process; one ticket exists', async () => {
    const made = await post(first, '/v1/tickets', { title: 'Once only' }, 'key-once');
    expect(made.status).toBe(201);
    const ticket = (await made.json()) as { id: string };
    for (const backend of [first, second]) {
      const again = await post(backend, '/v1/tickets', { title: 'Once only' }, 'key-once');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as { id: string }).id).toBe(ticket.id);
    }
    expect(await titled('Once only')).toHaveLength(1);
    // Without a key, a repeat is a new request, as before.
    await post(first, '/v1/tickets', { title: 'Once only' });
    expect(await titled('Once only')).toHaveLength(2);
  });

  it('the same key with another body is a 409; a malformed key is a 400', async () => {
    await post(first, '/v1/tickets', { title: 'First body' }, 'key-reused');
    const other = await post(second, '/v1/tickets', { title: 'Other body' }, 'key-reused');
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({
      error: { code: 'idempotency_key_reused', message: idempotencyMessages.reused },
    });
    expect(await titled('Other body')).toHaveLength(0);
    const bad = await post(first, '/v1/tickets', { title: 'x' }, 'has space');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: idempotencyMessages.invalidKey } });
  });

  it('comments too; a key is per route, so it may name a comment and a ticket', async () => {
    const ticket = (await (await post(first, '/v1/tickets', { title: 'Commented' }, 'k1')).json()) as {
      id: string;
    };
    const path = `/v1/tickets/${ticket.id}/comments`;
    const comment = await post(first, path, { body: 'Hello', visibility: 'public' }, 'k1');
    expect(comment.status).toBe(201);
    const answered = await comment.json();
    const again = await post(second, path, { body: 'Hello', visibility: 'public' }, 'k1');
    expect(await again.json()).toEqual(answered);
    const detail = (await (
      await fetchAsTeam(first.url, first.team.key, `/v1/tickets/${ticket.id}`)
    ).json()) as { comments: unknown[] };
    expect(detail.comments).toHaveLength(1);
  });

  it('a request in progress is a 409 with Retry-After; a claim its process abandoned is taken over', async () => {
    const { db } = first.services;
    const now = clock.now();
    await db.insert(idempotentRequests).values({
      teamId: first.team.id,
      route: 'POST /v1/tickets',
      key: 'key-busy',
      // The same request, claimed by a process that is still answering it.
      requestHash: createHash('sha256')
        .update(JSON.stringify({ title: 'Busy' }))
        .digest('hex'),
      claimedUntil: new Date(now.getTime() + CLAIM_MS),
      createdAt: now,
    });
    const busy = await post(first, '/v1/tickets', { title: 'Busy' }, 'key-busy');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toMatchObject({ error: { code: 'idempotency_key_in_progress' } });
    clock.advance(CLAIM_MS + 1);
    const taken = await post(second, '/v1/tickets', { title: 'Busy' }, 'key-busy');
    expect(taken.status).toBe(201);
    expect(await titled('Busy')).toHaveLength(1);
  });

  it('after 24 hours the key is forgotten: pruned, and a reuse is a new request', async () => {
    await post(first, '/v1/tickets', { title: 'Day old' }, 'key-day');
    clock.advance(IDEMPOTENCY_WINDOW_MS);
    const later = await post(first, '/v1/tickets', { title: 'Day old' }, 'key-day');
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await titled('Day old')).toHaveLength(2);
    clock.advance(IDEMPOTENCY_WINDOW_MS + 1);
    const pruned = await pruneExpired(first.services);
    expect(pruned.idempotentRequests).toBeGreaterThan(0);
    expect(
      await first.services.db.select().from(idempotentRequests).where(eq(idempotentRequests.key, 'key-day')),
    ).toEqual([]);
  });
});
