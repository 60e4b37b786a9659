import type { JiraChange } from '@jira-integration/sandbox/contracts';
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../test-support/database';
import { type ForgeTestBed, siteA, startForgeTestBed } from '../../test-support/forge';
import { forgeEvents } from '../db/schema';
import { eventDedupeKey, FORGE_EVENT_RETENTION_MS, parseForgeEvent, pruneProcessedEvents } from './events';
import { registerForgeJobs } from './jobs';

describe.each(testDatabaseKinds())('Forge Jira events (%s)', (kind) => {
  let bed: ForgeTestBed;
  let invocationToken: () => Promise<string>;

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
    await registerForgeJobs(bed.services);
    const installation = await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
    invocationToken = () =>
      bed.platform.signInvocationToken({
        app: {
          id: bed.platform.appId,
          installationId: installation.installationId,
          apiBaseUrl: installation.apiBaseUrl,
          installation: { id: installation.installationId, contexts: [{ cloudId: siteA.cloudId }] },
        },
      });
  });
  afterAll(() => bed.close());

  const change = (issueId: string, overrides: Partial<JiraChange> = {}): JiraChange => ({
    eventType: 'avi:jira:updated:issue',
    cloudId: siteA.cloudId,
    issue: { id: issueId, key: `SUP-${issueId}`, fields: { summary: 'Printer on fire' } },
    actorAccountId: 'acc-alice',
    byApp: false,
    timestamp: 1_795_000_000_000 + Number(issueId),
    ...overrides,
  });
  const eventsOf = (issueId: string) =>
    bed.services.db.select().from(forgeEvents).where(eq(forgeEvents.issueId, issueId));
  const post = async (body: unknown) =>
    fetch(`${bed.backendUrl}/forge/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await invocationToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts a delivered event, stores it with the site from the token, and the worker processes it', async () => {
    bed.platform.onJiraChange(change('101'));
    await bed.platform.settled();
    expect(await eventsOf('101')).toHaveLength(1);
    const [stored] = await eventsOf('101');
    expect(stored).toMatchObject({
      cloudId: siteA.cloudId,
      eventType: 'avi:jira:updated:issue',
      issueKey: 'SUP-101',
      installationId: bed.platform.installations()[0].installationId,
    });
    expect(stored.payload).toMatchObject({
      issue: { id: '101' },
      context: `ari:cloud:jira::site/${siteA.cloudId}`,
    });
    // The queue's worker runs on its own; the poll's limit is the suite's (vitest.config.ts), far above need.
    await expect.poll(async () => (await eventsOf('101'))[0].processedAt).not.toBeNull();
    expect(
      bed.platform
        .deliveries()
        .filter((d) => d.kind === 'event')
        .map((d) => d.status),
    ).toEqual([200]);
  });

  it('stores a redelivery (payload envelope with retryContext) once', async () => {
    const event = {
      eventType: 'avi:jira:commented:issue',
      issue: { id: '202', key: 'SUP-202' },
      comment: { id: '9001', body: 'hello' },
      timestamp: 1_795_000_000_202,
      context: `ari:cloud:jira::site/${siteA.cloudId}`,
    };
    const first = await post(event);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'queued' });
    for (const retryCount of [1, 2]) {
      const retry = await post({
        payload: { ...event, retryContext: { retryCount, retryReason: 'TIMEOUT_ERROR', retryData: null } },
      });
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual({ status: 'duplicate' });
    }
    const concurrent = await Promise.all([1, 2, 3].map(() => post({ ...event, comment: { id: '9002' } })));
    expect(concurrent.map((response) => response.status)).toEqual([200, 200, 200]);
    const stored = await eventsOf('202');
    expect(stored.map((row) => row.commentId).sort()).toEqual(['9001', '9002']);
    expect(stored.find((row) => row.commentId === '9001')?.payload).not.toHaveProperty('retryContext');
  });

  it('refuses an event without a type or issue, in the error shape', async () => {
    for (const body of [
      {},
      { eventType: 'avi:jira:created:issue' },
      { payload: { issue: { id: '1' } } },
      'text',
    ]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'invalid_event', message: forgeMessages.invalidEvent },
      });
    }
  });

  it('prunes processed events past the retention, never unprocessed ones', async () => {
    const now = bed.clock.now();
    const old = new Date(now - FORGE_EVENT_RETENTION_MS - 60_000);
    const recent = new Date(now - FORGE_EVENT_RETENTION_MS + 60_000);
    const row = (key: string, receivedAt: Date, processed: boolean) => ({
      dedupeKey: key,
      cloudId: siteA.cloudId,
      installationId: 'installation',
      eventType: 'avi:jira:updated:issue',
      issueId: '909',
      payload: {},
      receivedAt,
      processedAt: processed ? receivedAt : null,
    });
    await bed.services.db
      .insert(forgeEvents)
      .values([
        row('old-processed', old, true),
        row('old-unprocessed', old, false),
        row('recent-processed', recent, true),
      ]);
    expect(await pruneProcessedEvents(bed.services)).toBe(1);
    expect((await eventsOf('909')).map((event) => event.dedupeKey).sort()).toEqual([
      'old-unprocessed',
      'recent-processed',
    ]);
  });

  it('keys an event by what stays the same across retries', () => {
    const bare = parseForgeEvent({ eventType: 'avi:jira:updated:issue', issue: { id: 7 }, timestamp: 5 });
    const retried = parseForgeEvent({
      payload: {
        eventType: 'avi:jira:updated:issue',
        issue: { id: '7' },
        timestamp: 5,
        retryContext: { retryCount: 3 },
      },
    });
    expect(retried.retryCount).toBe(3);
    expect(eventDedupeKey('c', bare)).toBe(eventDedupeKey('c', retried));
    expect(eventDedupeKey('c', bare)).not.toBe(eventDedupeKey('other-site', bare));
    const later = parseForgeEvent({ eventType: 'avi:jira:updated:issue', issue: { id: '7' }, timestamp: 6 });
    expect(eventDedupeKey('c', later)).not.toBe(eventDedupeKey('c', bare));
  });
});
