import { eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, listen, type TestContext } from '../../test-support/context';
import { auditLog, jiraConnections } from '../db/schema';
import { ApiError } from '../http/errors';
import { getAccessToken } from './tokens';

/**
 * A minimal Atlassian token endpoint that counts refreshes. `hold()` keeps its answers back until the test
 * releases them, so a race is as wide as the test makes it, whatever the machine's speed.
 */
function startTokenEndpoint() {
  let refreshes = 0;
  let gate: Promise<void> = Promise.resolve();
  let reached = () => {};
  const app = new Hono();
  app.post('/oauth/token', async (c) => {
    const body = await c.req.json();
    if (body.refresh_token === 'revoked') {
      return c.json({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, 403);
    }
    refreshes += 1;
    reached();
    await gate;
    return c.json({
      access_token: `fresh-${refreshes}`,
      refresh_token: `rotated-${refreshes}`,
      expires_in: 3600,
      scope: 'read:jira-work',
    });
  });
  function hold() {
    let release = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const firstRefresh = new Promise<void>((resolve) => {
      reached = resolve;
    });
    return { firstRefresh, release };
  }
  return listen(app.fetch).then((server) => ({ ...server, refreshes: () => refreshes, hold }));
}

describe('getAccessToken', () => {
  let t: TestContext;
  let endpoint: Awaited<ReturnType<typeof startTokenEndpoint>>;
  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
    t = await createTestContext({
      env: { ATLASSIAN_CLIENT_ID: 'c', ATLASSIAN_CLIENT_SECRET: 's', ATLASSIAN_AUTH_URL: endpoint.url },
    });
  });
  afterAll(async () => {
    await t.close();
    await endpoint.close();
  });

  const soon = () => new Date(Date.now() + 4 * 60_000);

  it('returns the stored token while more than 5 minutes remain', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'c-fresh',
      accessToken: 'still-good',
      refreshToken: 'r',
      expiresAt: new Date(Date.now() + 6 * 60_000),
    });
    expect(await getAccessToken(t.services, connection)).toBe('still-good');
    expect(endpoint.refreshes()).toBe(0);
  });

  it('shares one refresh among concurrent callers in a process', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'c-race',
      accessToken: 'old',
      refreshToken: 'r1',
      expiresAt: soon(),
    });
    const held = endpoint.hold();
    const calls = Promise.all(Array.from({ length: 20 }, () => getAccessToken(t.services, connection)));
    await held.firstRefresh;
    // Callers arriving while the refresh is out must share it, not start their own.
    const late = Promise.all(Array.from({ length: 5 }, () => getAccessToken(t.services, connection)));
    held.release();
    const tokens = [...(await calls), ...(await late)];
    expect(new Set(tokens)).toEqual(new Set(['fresh-1']));
    expect(endpoint.refreshes()).toBe(1);
  });

  it('says a reconnect is needed when there is no refresh token', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'c-none',
      method: 'custom',
      accessToken: 'old',
      refreshToken: null,
      expiresAt: soon(),
    });
    const error = await getAccessToken(t.services, connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      'custom Jira OAuth app access token expired and no refresh token available; reconnect required',
    );
  });

  it('marks the connection when Atlassian rejects the refresh token, and stops trying', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'c-revoked',
      accessToken: 'old',
      refreshToken: 'revoked',
      expiresAt: soon(),
    });
    const before = endpoint.refreshes();
    await expect(getAccessToken(t.services, connection)).rejects.toMatchObject({
      code: 'reconnect_required',
    });
    const [row] = await t.services.db.query.jiraConnections.findMany({
      where: (c, { eq }) => eq(c.id, connection.id),
    });
    expect(row.status).toBe('needs_reconnect');
    await expect(getAccessToken(t.services, row)).rejects.toMatchObject({ code: 'reconnect_required' });
    expect(endpoint.refreshes()).toBe(before);
  });

  it('marks the connection needs-reconnect and writes its audit row together, or neither', async () => {
    const connection = await insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: 'c-revoked-audit',
      accessToken: 'old',
      refreshToken: 'revoked',
      expiresAt: soon(),
    });
    const reload = async () =>
      (await t.services.db.select().from(jiraConnections).where(eq(jiraConnections.id, connection.id)))[0];
    await t.services.db.execute(sql`alter table audit_log rename to audit_log_away`);
    try {
      await expect(getAccessToken(t.services, connection)).rejects.toThrow();
    } finally {
      await t.services.db.execute(sql`alter table audit_log_away rename to audit_log`);
    }
    expect((await reload()).status).toBe('active');

    await expect(getAccessToken(t.services, connection)).rejects.toMatchObject({
      code: 'reconnect_required',
    });
    expect((await reload()).status).toBe('needs_reconnect');
    const audit = await t.services.db.select().from(auditLog).where(eq(auditLog.target, connection.id));
    expect(audit).toMatchObject([
      {
        teamId: t.team.id,
        action: 'jira.connection.refresh_revoked',
        detail: { atlassian: 'Unknown or invalid refresh token.' },
      },
    ]);
  });
});
