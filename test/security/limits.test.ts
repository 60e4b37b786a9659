/**
 * Attacks on input and volume: a NUL in an id or a display name was a 500 that logged the query's parameters;
 * bodies had no cap; key guessing and request floods had no limit; expired states and sessions stayed forever.
 */
import { pruneExpired } from '@jira-integration/backend/auth/prune';
import { FAILED_KEY_LIMIT, FAILED_KEY_WINDOW_MS } from '@jira-integration/backend/auth/rate-limits';
import { signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import { consoleSessions, oauthStates } from '@jira-integration/backend/db/schema';
import {
  createTestContext,
  ManualClock,
  type TestContext,
} from '@jira-integration/backend/test-support/context';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { connectMessages } from '@jira-integration/shared';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('input limits', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ env: { ATLASSIAN_CLIENT_ID: 'c', ATLASSIAN_CLIENT_SECRET: 's' } });
  });
  afterAll(() => t.close());

  it('a NUL in an id is a 400, never a 500, and nothing logs the query or its parameters', async () => {
    for (const path of ['/v1/jira/connections/abc%00def', '/v1/jira/connections/%00/reconnect']) {
      const response = await t.request(path);
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'invalid_request', message: limitMessages.controlCharacters('path') },
      });
    }
    const query = await t.request('/v1/jira/connections?x=%01');
    expect(query.status).toBe(400);
    expect(t.logs.text()).not.toContain('unhandled error');
  });

  it('a NUL or control character in displayName is a 400 naming the field', async () => {
    const start = (displayName: string) =>
      t.request('/v1/jira/connections/custom/start', {
        method: 'POST',
        json: { displayName, subdomain: 'acme', clientId: 'id', clientSecret: 'secret-value-123' },
      });
    const nul = await start('My\u0000Jira');
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({
      error: { code: 'invalid_request', message: limitMessages.controlCharacters('displayName') },
    });
    const bell = await start('My\u0007Jira');
    expect(await bell.json()).toMatchObject({
      error: { code: 'invalid_characters', message: limitMessages.controlCharacters('displayName') },
    });
    expect(t.logs.text()).not.toContain('secret-value-123');
    expect(t.logs.text()).not.toContain('unhandled error');
  });

  it('names and client ids are at most 255 characters, subdomains at most 63', async () => {
    const custom = await t.request('/v1/jira/connections/custom/start', {
      method: 'POST',
      json: { displayName: 'n'.repeat(256), subdomain: 'acme', clientId: 'id', clientSecret: 's' },
    });
    expect(await custom.json()).toMatchObject({
      error: { code: 'field_too_long', message: limitMessages.tooLong('displayName', 255) },
    });
    const clientId = await t.request('/v1/jira/connections/custom/start', {
      method: 'POST',
      json: { subdomain: 'acme', clientId: 'c'.repeat(256), clientSecret: 's' },
    });
    expect(await clientId.json()).toMatchObject({
      error: { code: 'field_too_long', message: limitMessages.tooLong('clientId', 255) },
    });
    const subdomain = await t.request('/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'a'.repeat(64) },
    });
    expect(await subdomain.json()).toMatchObject({
      error: { code: 'subdomain_invalid', message: connectMessages.subdomainInvalid },
    });
    const sixtyThree = await t.request('/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'a'.repeat(63) },
    });
    expect(sixtyThree.status).toBe(200);
  });

  it('a JSON body over the route’s cap is a 413 in the error shape, by length or by stream', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
    const declared = await t.request('/v1/team/keys', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      error: { code: 'payload_too_large', message: limitMessages.bodyTooLarge(64 * 1024) },
    });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent < 80; sent += 1)
          controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const streamed = await t.request('/v1/team/keys', {
      method: 'POST',
      body: chunks,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe.each(testDatabaseKinds())('rate limits and pruning (%s)', (kind) => {
  let t: TestContext;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await createTestContext({
      kind,
      clock,
      env: { TEAM_RATE_LIMIT: '5', ATLASSIAN_CLIENT_ID: 'c', ATLASSIAN_CLIENT_SECRET: 's' },
    });
  });
  afterAll(() => t.close());

  it('failed API-key attempts from one address get 429 with Retry-After, across processes (the count is stored)', async () => {
    const attempt = () => t.request('/v1/jira/connections', { key: 'jik_guess' });
    for (let n = 1; n <= FAILED_KEY_LIMIT; n += 1) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBe(FAILED_KEY_WINDOW_MS / 1000);
    expect(await limited.json()).toMatchObject({
      error: { code: 'too_many_failed_keys', message: limitMessages.tooManyFailedKeys(retryAfter) },
    });
    // The window ends, the address may try again.
    clock.advance(FAILED_KEY_WINDOW_MS);
    expect((await attempt()).status).toBe(401);
  });

  it('a team over its request rate gets 429 with Retry-After until the minute ends', async () => {
    const other = await t.createTeam('Busy team');
    for (let n = 1; n <= 5; n += 1)
      expect((await t.request('/v1/team', { key: other.key })).status).toBe(200);
    const limited = await t.request('/v1/team', { key: other.key });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({
      error: { code: 'team_rate_limited', message: limitMessages.teamRateLimited(5, 60) },
    });
    // Another team is not affected.
    expect((await t.request('/v1/team')).status).toBe(200);
    clock.advance(60_000);
    expect((await t.request('/v1/team', { key: other.key })).status).toBe(200);
  });

  it('expired OAuth states and console sessions are pruned', async () => {
    const started = await t.request('/v1/jira/connections/managed/start', {
      method: 'POST',
      json: { subdomain: 'acme' },
    });
    expect(started.status).toBe(200);
    await signInWithApiKey(t.services.db, t.team.key, clock.now());
    expect((await t.services.db.select().from(oauthStates)).length).toBeGreaterThan(0);
    clock.advance(8 * 86_400_000);
    const pruned = await pruneExpired(t.services);
    expect(pruned.oauthStates).toBeGreaterThan(0);
    expect(pruned.sessions).toBe(1);
    expect(await t.services.db.select().from(oauthStates)).toEqual([]);
    expect(await t.services.db.select().from(consoleSessions)).toEqual([]);
  });
});
