import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestConnection } from '../../test-support/connections';
import { createTestContext, type TestContext } from '../../test-support/context';

interface Entry {
  id: number;
  action: string;
  target: string | null;
  actor: string | null;
}

describe('GET /v1/audit', () => {
  let t: TestContext;
  let mine: string;
  let other: string;
  let keyPrefix: string;

  beforeAll(async () => {
    t = await createTestContext();
    keyPrefix = t.team.key.slice(0, 10);
    mine = (await insertTestConnection(t.services, { teamId: t.team.id, cloudId: 'c-1', accessToken: 'x' }))
      .id;
    other = (
      await insertTestConnection(t.services, {
        teamId: t.team.id,
        cloudId: 'c-2',
        accessToken: 'x',
        siteUrl: 'https://globex.atlassian.net',
      })
    ).id;
    await t.request(`/v1/jira/connections/${mine}`, { method: 'PATCH', json: { ticketSyncing: true } });
    await t.request(`/v1/jira/connections/${other}`, { method: 'PATCH', json: { ticketSyncing: true } });
    await t.request(`/v1/jira/connections/${other}`, { method: 'DELETE' });
  });
  afterAll(() => t.close());

  async function entries(query = '', key?: string) {
    const response = await t.request(`/v1/audit${query}`, { key });
    expect(response.status).toBe(200);
    return ((await response.json()) as { entries: Entry[] }).entries;
  }

  it('lists the team’s rows newest first, with the API key that acted', async () => {
    const rows = await entries();
    expect(rows.slice(0, 3).map((row) => [row.action, row.target])).toEqual([
      ['jira.connection.deleted', other],
      ['jira.connection.ticket_syncing_changed', other],
      ['jira.connection.ticket_syncing_changed', mine],
    ]);
    expect(rows[0].actor).toBe(`key ${keyPrefix}…`);
  });

  it('filters by connection, action and actor', async () => {
    expect((await entries(`?connectionId=${mine}`)).map((row) => row.target)).toEqual([mine]);
    expect((await entries('?action=jira.connection.deleted')).map((row) => row.target)).toEqual([other]);
    expect(await entries(`?actor=${encodeURIComponent(`key ${keyPrefix}…`)}`)).toHaveLength(3);
    expect(await entries('?actor=console')).toEqual([]);
  });

  it('names a console session by the key it was opened with, so two people’s sessions stay apart', async () => {
    const second = await t.request('/v1/team/keys', { method: 'POST', json: { name: 'Bob' } });
    const { key: bobKey } = (await second.json()) as { key: string };
    const login = await t.app.request('/console/login', {
      method: 'POST',
      body: new URLSearchParams({ apiKey: bobKey }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const toggled = await t.app.request(`/v1/jira/connections/${mine}`, {
      method: 'PATCH',
      body: JSON.stringify({ ticketSyncing: false }),
      headers: { cookie, origin: 'http://localhost:3000', 'content-type': 'application/json' },
    });
    expect(toggled.status).toBe(200);
    const [latest] = await entries();
    expect([latest.action, latest.actor]).toEqual([
      'jira.connection.ticket_syncing_changed',
      `console (key ${bobKey.slice(0, 10)}…)`,
    ]);
  });

  it('never shows another team’s rows, whatever the filter', async () => {
    const neighbours = await t.createTeam('Neighbours');
    expect(await entries('', neighbours.key)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ target: mine })]),
    );
    expect(await entries(`?connectionId=${mine}`, neighbours.key)).toEqual([]);
  });

  it('refuses an unknown action and needs a key', async () => {
    expect((await t.request('/v1/audit?action=made.up')).status).toBe(400);
    expect((await t.request('/v1/audit', { key: null })).status).toBe(401);
  });
});
