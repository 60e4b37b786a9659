import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, listen, type TestContext } from '../../test-support/context';
import { asConnectingUser } from '../connections/token-check';
import { auditLog, jiraConnections } from '../db/schema';
import { recentHealthRuns, runConnectionHealthChecks } from './service';

const AUTH_FAILURE =
  'Unable to authenticate with Jira. Please verify your API credentials and permissions are correct.';
const PROJECTS_FAILURE =
  'Unable to list projects from Jira. Please verify your API credentials have permission to browse projects.';
const SEARCH_FAILURE =
  'Unable to search issues in Jira. Please verify your API credentials have permission to search and read issues.';

/** A Jira that answers every call with one status, or holds the call (never answers) until released. */
describe('health checks when Atlassian is not well', () => {
  let t: TestContext;
  let jira: Awaited<ReturnType<typeof listen>>;
  let answer: { status: number; headers?: Record<string, string> } | 'hold';
  let held: Array<() => void> = [];
  let arrived: () => void = () => {};

  beforeAll(async () => {
    jira = await listen(async () => {
      arrived();
      if (answer === 'hold') {
        await new Promise<void>((release) => held.push(release));
        return new Response('{}', { status: 503 });
      }
      return new Response(JSON.stringify({ errorMessages: ['no'] }), {
        status: answer.status,
        headers: { 'content-type': 'application/json', ...answer.headers },
      });
    });
    t = await createTestContext({ env: { ATLASSIAN_API_URL: jira.url } });
  });
  afterAll(async () => {
    for (const release of held) release();
    await t?.close();
    await jira?.close();
  });
  beforeEach(() => {
    for (const release of held) release();
    held = [];
  });

  async function connection(cloudId: string) {
    return insertTestConnection(t.services, { teamId: t.team.id, cloudId, accessToken: 'token' });
  }

  it.each([
    [503, 'Atlassian is unavailable right now (HTTP 503).'],
    [502, 'Atlassian is unavailable right now (HTTP 502).'],
    [429, 'Atlassian is rate limiting requests (HTTP 429).'],
  ])(
    'keeps the spec texts and says what happened on %i, without waiting out Retry-After',
    async (status, cause) => {
      answer = { status, headers: { 'retry-after': '600' } };
      const row = await connection(`down-${status}`);
      const results = await runConnectionHealthChecks(t.services, row, asConnectingUser(t.services, row));
      expect(results).toEqual([
        { name: 'Test Jira Connection', ok: false, message: AUTH_FAILURE, cause, detail: `HTTP ${status}` },
        { name: 'List Jira Projects', ok: false, message: PROJECTS_FAILURE, cause, detail: `HTTP ${status}` },
        { name: 'Search Jira Issues', ok: false, message: SEARCH_FAILURE, cause, detail: `HTTP ${status}` },
      ]);
      // An outage is not the connection's fault: it stays active.
      const [after] = await t.services.db
        .select()
        .from(jiraConnections)
        .where(eq(jiraConnections.id, row.id));
      expect(after.status).toBe('active');
    },
  );

  it('ends by the deadline: a call still waiting and the checks not started report a timeout', async () => {
    answer = 'hold';
    const row = await connection('slow');
    const deadline = new AbortController();
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const running = runConnectionHealthChecks(
      t.services,
      row,
      asConnectingUser(t.services, row),
      deadline.signal,
    );
    await first;
    deadline.abort();
    const results = await running;
    expect(results.map((r) => [r.name, r.ok, r.message, r.cause])).toEqual([
      ['Test Jira Connection', false, AUTH_FAILURE, 'Atlassian did not answer in time.'],
      ['List Jira Projects', false, PROJECTS_FAILURE, 'Atlassian did not answer in time.'],
      ['Search Jira Issues', false, SEARCH_FAILURE, 'Atlassian did not answer in time.'],
    ]);
    arrived = () => {};
  });

  it('a token Jira refuses (401) marks the connection "Needs reconnect", audited once, and the run is stored', async () => {
    answer = { status: 401 };
    const row = await connection('revoked');
    const results = await runConnectionHealthChecks(t.services, row, asConnectingUser(t.services, row));
    expect(results[0]).toEqual({
      name: 'Test Jira Connection',
      ok: false,
      message: AUTH_FAILURE,
      cause:
        "Atlassian refused this connection's access token (HTTP 401). Reconnect the Jira site to continue.",
      detail: 'HTTP 401',
    });
    // The other two were refused for the same reason, and say so rather than a bare "HTTP 401".
    expect(results.map((result) => result.cause)).toEqual([
      results[0].cause,
      results[0].cause,
      results[0].cause,
    ]);
    const [after] = await t.services.db.select().from(jiraConnections).where(eq(jiraConnections.id, row.id));
    expect(after.status).toBe('needs_reconnect');
    expect(after.statusReason).toBe(
      "Atlassian refused this connection's access token (HTTP 401). Reconnect the Jira site to continue.",
    );
    // Now every call says what to do instead of calling Jira.
    const again = await runConnectionHealthChecks(t.services, after, asConnectingUser(t.services, after));
    expect(again[0].cause).toBe(
      "Atlassian refused this connection's access token (HTTP 401). Reconnect the Jira site to continue.",
    );
    const audits = await t.services.db.select().from(auditLog).where(eq(auditLog.target, row.id));
    expect(audits.map((a) => a.action)).toEqual(['jira.connection.token_refused']);
    const runs = await recentHealthRuns(t.services, row.id);
    expect(runs).toHaveLength(2);
    expect(runs[0].results[0]).toMatchObject({ name: 'Test Jira Connection', ok: false });
  });

  it('keeps only the newest ten runs of a connection', async () => {
    answer = { status: 503 };
    const row = await connection('many-runs');
    for (let run = 0; run < 12; run += 1) {
      await runConnectionHealthChecks(t.services, row, asConnectingUser(t.services, row));
    }
    expect(await recentHealthRuns(t.services, row.id)).toHaveLength(10);
  });
});
