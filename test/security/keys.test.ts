/**
 * Attack: a leaked key is revoked, and keeps working (the proxy cached it for 30 s; console sessions it opened
 * lived on). Keys are listed, created and revoked from the API; a revoked key stops at once on every route
 * that reads the database, within a second for caches (isApiKeyRevoked), and its console sessions end.
 */
import { isApiKeyRevoked, REVOCATION_STALENESS_MS } from '@jira-integration/backend/auth/revocation';
import { SESSION_COOKIE, signInWithApiKey } from '@jira-integration/backend/auth/sessions';
import {
  createTestContext,
  ManualClock,
  type TestContext,
} from '@jira-integration/backend/test-support/context';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { authMessages } from '@jira-integration/shared';
import { keyMessages } from '@jira-integration/shared/security-messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  revokedAt: string | null;
  key?: string;
}

describe.each(testDatabaseKinds())(
  'API keys: list, create, revoke — and revoked means revoked (%s)',
  (kind) => {
    let t: TestContext;
    const clock = new ManualClock();

    beforeAll(async () => {
      t = await createTestContext({ kind, clock });
    });
    afterAll(() => t.close());

    async function keys(key = t.team.key): Promise<KeyView[]> {
      const response = await t.request('/v1/team/keys', { key });
      expect(response.status).toBe(200);
      return ((await response.json()) as { keys: KeyView[] }).keys;
    }

    it('lists the team’s keys without the keys themselves, and creates one shown once', async () => {
      const before = await keys();
      expect(before).toHaveLength(1);
      expect(JSON.stringify(before)).not.toContain(t.team.key);
      const created = await t.request('/v1/team/keys', { method: 'POST', json: { name: 'CI' } });
      expect(created.status).toBe(201);
      const body = (await created.json()) as KeyView;
      expect(body).toMatchObject({ name: 'CI', revokedAt: null });
      expect(body.key).toMatch(/^jik_/);
      expect(body.prefix).toBe(body.key!.slice(0, 10));
      const after = await keys();
      expect(after.map((key) => key.name)).toEqual([before[0].name, 'CI']);
      expect(JSON.stringify(after)).not.toContain(body.key);
    });

    it('a revoked key stops working at once on the API, and its console sessions end', async () => {
      const created = (await (
        await t.request('/v1/team/keys', { method: 'POST', json: { name: 'leaked' } })
      ).json()) as KeyView;
      const leaked = created.key!;
      const session = await signInWithApiKey(t.services.db, leaked);
      const cookie = `${SESSION_COOKIE}=${session}`;
      expect((await t.app.request('/console/connections', { headers: { cookie } })).status).toBe(200);
      expect((await t.request('/v1/team', { key: leaked })).status).toBe(200);
      expect(await isApiKeyRevoked(t.services, created.id)).toBe(false);

      const revoked = await t.request(`/v1/team/keys/${created.id}`, { method: 'DELETE' });
      expect(revoked.status).toBe(204);

      const refused = await t.request('/v1/team', { key: leaked });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        error: { code: 'unauthorized', message: authMessages.unauthorized },
      });
      const page = await t.app.request('/console/connections', { headers: { cookie } });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('/console/login');
      expect((await keys()).find((key) => key.id === created.id)?.revokedAt).not.toBeNull();
    });

    it('isApiKeyRevoked (for in-memory key caches) sees a revocation within its staleness bound', async () => {
      const created = (await (
        await t.request('/v1/team/keys', { method: 'POST', json: { name: 'cached' } })
      ).json()) as KeyView;
      expect(await isApiKeyRevoked(t.services, created.id)).toBe(false);
      await t.request(`/v1/team/keys/${created.id}`, { method: 'DELETE' });
      // Within the bound the cached answer may still stand; past it, the revocation is seen.
      clock.advance(REVOCATION_STALENESS_MS);
      expect(await isApiKeyRevoked(t.services, created.id)).toBe(true);
      expect(REVOCATION_STALENESS_MS).toBeLessThanOrEqual(1_000);
    });

    it('never revokes the team’s last active key (409), and another team’s key is a 404', async () => {
      const other = await t.createTeam('Other team');
      const [theirs] = await keys(other.key);
      const lastKey = await t.request(`/v1/team/keys/${theirs.id}`, { method: 'DELETE', key: other.key });
      expect(lastKey.status).toBe(409);
      expect(await lastKey.json()).toMatchObject({
        error: { code: 'last_api_key', message: keyMessages.lastKey },
      });
      expect((await t.request('/v1/team', { key: other.key })).status).toBe(200);

      const crossTeam = await t.request(`/v1/team/keys/${theirs.id}`, { method: 'DELETE' });
      expect(crossTeam.status).toBe(404);
      expect(await crossTeam.json()).toMatchObject({
        error: { code: 'api_key_not_found', message: keyMessages.notFound },
      });
    });

    it('refuses key names that are too long or hold control characters', async () => {
      const long = await t.request('/v1/team/keys', { method: 'POST', json: { name: 'x'.repeat(256) } });
      expect(long.status).toBe(400);
      expect(await long.json()).toMatchObject({
        error: { code: 'invalid_request', message: 'name: at most 255 characters' },
      });
      const nul = await t.request('/v1/team/keys', { method: 'POST', json: { name: 'a\u0000b' } });
      expect(nul.status).toBe(400);
    });

    it('the console’s keys section lists, creates (shown once) and revokes; revoking its own key signs it out', async () => {
      const extra = (await (
        await t.request('/v1/team/keys', { method: 'POST', json: { name: 'console' } })
      ).json()) as KeyView;
      const cookie = `${SESSION_COOKIE}=${await signInWithApiKey(t.services.db, extra.key!)}`;
      const origin = 'http://localhost:3000';
      const form = (path: string, body: Record<string, string>, from = origin) =>
        t.app.request(path, {
          method: 'POST',
          body: new URLSearchParams(body),
          headers: { cookie, origin: from, 'content-type': 'application/x-www-form-urlencoded' },
        });
      const page = await (await t.app.request('/console/keys', { headers: { cookie } })).text();
      expect(page).toContain(keyMessages.pageTitle);
      expect(page).toContain(`data-key-id="${extra.id}"`);
      expect(page).not.toContain(extra.key!);

      const created = await (await form('/console/keys', { name: 'From the console' })).text();
      expect(created).toContain(keyMessages.created);
      expect(created).toMatch(/<code>jik_[A-Za-z0-9_-]+<\/code>/);

      const foreign = await form(`/console/keys/${extra.id}/revoke`, {}, 'https://evil.example');
      expect(foreign.status).toBe(403);
      const revoked = await form(`/console/keys/${extra.id}/revoke`, {});
      expect(revoked.status).toBe(302);
      expect(revoked.headers.get('location')).toBe('/console/login');
      expect((await t.app.request('/console/keys', { headers: { cookie } })).status).toBe(302);
    });
  },
);
