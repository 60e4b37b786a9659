import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, listen, type TestContext } from '../../test-support/context';
import { testDatabaseKinds } from '../../test-support/database';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { auditLog, jiraConnections } from '../db/schema';
import { checkRefusedAccessToken, TOKEN_CHECK_INTERVAL_MS } from './token-check';

/**
 * A fake Atlassian: accessible-resources answers per token (`probeAnswer`), the token endpoint refreshes unless
 * the refresh token is `revoked`.
 */
function startAtlassian() {
  const seen = { probes: 0, refreshes: 0 };
  let probeAnswer = (_token: string) => 200;
  const app = new Hono();
  app.get('/oauth/token/accessible-resources', async (c) => {
    seen.probes += 1;
    const status = probeAnswer(c.req.header('authorization')?.replace('Bearer ', '') ?? '');
    return status === 200 ? c.json([]) : c.json({ code: status, message: 'Unauthorized' }, status as 401);
  });
  app.post('/oauth/token', async (c) => {
    const body = await c.req.json();
    if (body.refresh_token === 'revoked') {
      return c.json({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, 403);
    }
    seen.refreshes += 1;
    return c.json({ access_token: `fresh-${seen.refreshes}`, refresh_token: 'rotated', expires_in: 3600 });
  });
  return listen(app.fetch).then((server) => ({
    ...server,
    seen,
    answer(answer: (token: string) => number) {
      probeAnswer = answer;
    },
  }));
}

describe.each(testDatabaseKinds())('checking a token Jira answered 401 to (%s)', (kind) => {
  let t: TestContext;
  let atlassian: Awaited<ReturnType<typeof startAtlassian>>;
  let now = new Date('2026-11-30T10:00:00Z');
  let cloud = 0;

  beforeAll(async () => {
    atlassian = await startAtlassian();
    t = await createTestContext({
      kind,
      clock: { now: () => now },
      env: {
        ATLASSIAN_CLIENT_ID: 'c',
        ATLASSIAN_CLIENT_SECRET: 's',
        ATLASSIAN_AUTH_URL: atlassian.url,
        ATLASSIAN_API_URL: atlassian.url,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await atlassian?.close();
  });
  beforeEach(() => {
    atlassian.seen.probes = 0;
    atlassian.seen.refreshes = 0;
  });

  async function connection(refreshToken: string | null) {
    cloud += 1;
    return insertTestConnection(t.services, {
      teamId: t.team.id,
      cloudId: `cloud-${cloud}`,
      accessToken: 'old-token',
      refreshToken,
    });
  }

  async function after(id: string) {
    const [row] = await t.services.db.select().from(jiraConnections).where(eq(jiraConnections.id, id));
    const audits = await t.services.db.select().from(auditLog).where(eq(auditLog.target, id));
    return {
      status: row.status,
      statusReason: row.statusReason,
      token: t.services.encryptor.decrypt(row.accessTokenEncrypted, SECRET_PURPOSE.accessToken),
      audits: audits.map((audit) => ({ action: audit.action, detail: audit.detail })),
    };
  }

  it('a token Atlassian still accepts (the 401 was about a scope) changes nothing', async () => {
    atlassian.answer(() => 200);
    const row = await connection('refresh');
    expect(
      await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/project/search'),
    ).toBe('accepted');
    expect(await after(row.id)).toEqual({
      status: 'active',
      statusReason: null,
      token: 'old-token',
      audits: [],
    });
    expect(atlassian.seen).toEqual({ probes: 1, refreshes: 0 });
  });

  it.each([429, 503])('when Atlassian does not say (%i), nothing changes', async (status) => {
    atlassian.answer(() => status);
    const row = await connection('refresh');
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself')).toBe(
      'unknown',
    );
    expect((await after(row.id)).status).toBe('active');
    expect(atlassian.seen.refreshes).toBe(0);
  });

  it('a refused token with a refresh Atlassian accepts is replaced; the connection stays active', async () => {
    atlassian.answer((token) => (token === 'old-token' ? 401 : 200));
    const row = await connection('refresh');
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself')).toBe(
      'replaced',
    );
    expect(await after(row.id)).toEqual({
      status: 'active',
      statusReason: null,
      token: 'fresh-1',
      audits: [],
    });
  });

  it('a refused token whose refresh Atlassian refuses too needs reconnect, audited as a revoked refresh', async () => {
    atlassian.answer(() => 401);
    const row = await connection('revoked');
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself')).toBe(
      'marked',
    );
    expect(await after(row.id)).toEqual({
      status: 'needs_reconnect',
      statusReason:
        "Atlassian no longer accepts this connection's refresh token. Reconnect the Jira site to continue.",
      token: 'old-token',
      audits: [
        {
          action: 'jira.connection.refresh_revoked',
          detail: { atlassian: 'Unknown or invalid refresh token.' },
        },
      ],
    });
  });

  it('a refused token with no refresh token needs reconnect, audited with the call that found it', async () => {
    atlassian.answer(() => 401);
    const row = await connection(null);
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'POST rest/api/3/issue')).toBe(
      'marked',
    );
    expect(await after(row.id)).toEqual({
      status: 'needs_reconnect',
      statusReason:
        "Atlassian refused this connection's access token (HTTP 401). Reconnect the Jira site to continue.",
      token: 'old-token',
      audits: [{ action: 'jira.connection.token_refused', detail: { refusedCall: 'POST rest/api/3/issue' } }],
    });
  });

  it('a token already replaced by a newer one is not probed', async () => {
    const row = await connection('refresh');
    expect(await checkRefusedAccessToken(t.services, row.id, 'an-older-token', 'GET rest/api/3/myself')).toBe(
      'skipped',
    );
    expect(atlassian.seen.probes).toBe(0);
  });

  it('one check at a time per connection, then none until the interval has passed', async () => {
    atlassian.answer(() => 200);
    const row = await connection('refresh');
    // All 401s of a burst arrive while the first check is under way: they wait for its outcome.
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself'),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(['accepted']));
    expect(atlassian.seen.probes).toBe(1);

    now = new Date(now.getTime() + TOKEN_CHECK_INTERVAL_MS - 1);
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself')).toBe(
      'quiet',
    );
    expect(atlassian.seen.probes).toBe(1);
    now = new Date(now.getTime() + 1);
    expect(await checkRefusedAccessToken(t.services, row.id, 'old-token', 'GET rest/api/3/myself')).toBe(
      'accepted',
    );
    expect(atlassian.seen.probes).toBe(2);
    expect(t.services.state.metrics.tokenChecks.get({ outcome: 'accepted' })).toBeGreaterThanOrEqual(2);
  });
});
