/**
 * The request-shape gate and the bodies of our own API, answered exactly: too deep, unknown fields, strings
 * PostgreSQL cannot store, broken encodings, Forge payloads made storable rather than refused, a value the
 * database still refuses as a 400, and project keys that would walk a Jira path elsewhere.
 */
import { forgeEvents } from '@jira-integration/backend/db/schema';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { syncConfigMessages } from '@jira-integration/shared/sync-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAsTeam } from '../support/backend';
import { connectSyncedSite, SUP_SYNC_CONFIG } from '../support/sync';
import { forgeInvocationToken, startWorld, type World } from '../support/world';

describe.each(testDatabaseKinds())('request shape (%s)', (kind) => {
  let world: World;
  let connectionId: string;
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetchAsTeam(world.backend.url, world.backend.team.key, path, init);
  const raw = (path: string, body: string, type = 'application/json') =>
    api(path, { method: 'POST', headers: { 'content-type': type }, body });
  const errorOf = async (response: Response) => ((await response.json()) as { error: unknown }).error;

  beforeAll(async () => {
    world = await startWorld({ kind });
    ({ connectionId } = await connectSyncedSite(world));
  });
  afterAll(() => world.close());

  it('a body nested over 64 levels is a 400 on every JSON route, Forge endpoints included, before any token check', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const path of ['/v1/tickets', '/v1/jira/connections/managed/start']) {
      const answer = await raw(path, deep);
      expect(answer.status, path).toBe(400);
      expect(await errorOf(answer)).toMatchObject({
        code: 'invalid_request',
        message: limitMessages.tooDeep(64),
      });
    }
    const forge = await fetch(`${world.backend.url}/forge/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
    });
    expect(forge.status).toBe(400);
    expect(await errorOf(forge)).toMatchObject({ message: limitMessages.tooDeep(1000) });
  });

  it('every body of our own API refuses unknown fields, naming them', async () => {
    const ticket = await api('/v1/tickets', { method: 'POST', json: { title: 'x', titel: 'typo', zz: 1 } });
    expect(ticket.status).toBe(400);
    expect(await errorOf(ticket)).toMatchObject({
      code: 'invalid_request',
      message: limitMessages.unknownFields([], ['titel', 'zz']),
    });
    const settings = await api(`/v1/jira/connections/${connectionId}/sync-config`, {
      method: 'PUT',
      json: { ...SUP_SYNC_CONFIG, statusMaping: {} },
    });
    expect(settings.status).toBe(400);
    expect(await errorOf(settings)).toMatchObject({
      message: limitMessages.unknownFields([], ['statusMaping']),
    });
  });

  it('NUL and lone surrogates are refused in JSON of every +json type and in forms, naming the field', async () => {
    for (const type of ['application/json', 'application/merge-patch+json', 'application/vnd.api+json']) {
      const answer = await raw('/v1/tickets', JSON.stringify({ title: 'x', description: 'a\u0000b' }), type);
      expect(answer.status, type).toBe(400);
      expect(await errorOf(answer)).toMatchObject({
        message: limitMessages.controlCharacters('description'),
      });
    }
    const lone = await raw('/v1/tickets', '{"title":"\\ud800"}');
    expect(await errorOf(lone)).toMatchObject({ message: limitMessages.controlCharacters('title') });
    const invalid = await raw(
      '/v1/tickets',
      '{"title":"\xff"}'.replace('\xff', '\u00ff'),
      'application/json',
    );
    expect(invalid.status).toBe(201); // ÿ is a character like any other
    const bytes = await api('/v1/tickets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Uint8Array.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    });
    expect(await errorOf(bytes)).toMatchObject({ message: limitMessages.invalidEncoding('body') });
    const form = await raw('/console/tickets/new', 'title=a%00b', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(400);
    expect(await errorOf(form)).toMatchObject({ message: limitMessages.controlCharacters('title') });
    const brokenMultipart = await raw(
      '/console/tickets/new',
      '--zz\r\nbroken',
      'multipart/form-data; boundary=zz',
    );
    expect(await errorOf(brokenMultipart)).toMatchObject({ message: limitMessages.malformedBody });
  });

  it('a NUL in a proxied connection id is a 400 on the hot path, never a database error', async () => {
    const answer = await api('/v1/jira/connections/a%00b/proxy/rest/api/3/myself');
    expect(answer.status).toBe(400);
    expect(await errorOf(answer)).toMatchObject({ message: limitMessages.controlCharacters('path') });
    const broken = await api('/v1/jira/connections/%ff/proxy/rest/api/3/myself');
    expect(await errorOf(broken)).toMatchObject({ message: limitMessages.invalidEncoding('path') });
  });

  it('a project key of ., .. or another shape names no project (never a Jira path elsewhere)', async () => {
    for (const projectKey of ['.', '..', 'SUP/../x', 'a b']) {
      const options = await api(
        `/v1/jira/connections/${connectionId}/sync-options?projectKey=${encodeURIComponent(projectKey)}`,
      );
      expect(options.status, projectKey).toBe(400);
      expect(await errorOf(options)).toMatchObject({
        code: 'invalid_sync_config',
        message: syncConfigMessages.projectNotFound(projectKey),
      });
    }
  });

  it('a Jira event with NUL in its payload is stored made storable, not refused', async () => {
    const token = await forgeInvocationToken(world, 'events-endpoint');
    const answer = await fetch(`${world.backend.url}/forge/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        eventType: 'avi:jira:commented:issue',
        issue: { id: '10001', key: 'SUP-1', fields: { summary: 'a\u0000b\ud800' } },
        comment: { id: '9901', body: 'x\u0000y' },
        timestamp: 1,
      }),
    });
    expect(answer.status).toBe(200);
    const stored = await world.backend.services.db
      .select()
      .from(forgeEvents)
      .where(eq(forgeEvents.commentId, '9901'));
    expect(stored).toHaveLength(1);
    expect(stored[0].payload).toMatchObject({
      issue: { fields: { summary: 'a\ufffdb\ufffd' } },
      comment: { body: 'x\ufffdy' },
    });
  });
});
