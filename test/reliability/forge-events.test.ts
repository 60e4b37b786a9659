/**
 * Fault injected: the job queue is down when Jira events arrive (as when the process dies right after
 * answering Forge, before it queued anything), and every event is delivered twice. Asserted: /forge/events
 * still answers after its one insert, every answered event is stored once, and a surviving process's requeue
 * sweep processes each exactly once; nothing is lost or duplicated.
 */

import { forgeEvents } from '@jira-integration/backend/db/schema';
import {
  FORGE_EVENT_JOB,
  requeueStrandedEvents,
  STRANDED_EVENT_AGE_MS,
} from '@jira-integration/backend/forge/events';
import { registerForgeJobs } from '@jira-integration/backend/forge/jobs';
import { createLogger } from '@jira-integration/backend/logger';
import { createServices } from '@jira-integration/backend/server';
import { testDatabaseKinds } from '@jira-integration/backend/test-support/database';
import { type ForgeTestBed, siteA, startForgeTestBed } from '@jira-integration/backend/test-support/forge';
import type { JiraChange } from '@jira-integration/sandbox/contracts';
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const EVENTS = 20;

describe.each(testDatabaseKinds())('Forge events with the queue down (%s)', (kind) => {
  let bed: ForgeTestBed;

  beforeAll(async () => {
    bed = await startForgeTestBed(kind);
    await bed.platform.install({ cloudId: siteA.cloudId, backendUrl: bed.backendUrl });
  });
  afterAll(() => bed?.close());

  const change = (n: number): JiraChange => ({
    eventType: 'avi:jira:updated:issue',
    cloudId: siteA.cloudId,
    issue: { id: String(7000 + n), key: `SUP-${7000 + n}`, fields: { summary: `Burst ${n}` } },
    actorAccountId: 'acc-alice',
    byApp: false,
    timestamp: 1_795_100_000_000 + n,
  });
  const eventDeliveries = () => bed.platform.deliveries().filter((delivery) => delivery.kind === 'event');

  it('every event answered is stored once and processed once by a surviving process', async () => {
    await bed.services.queue.stop();
    for (let n = 0; n < EVENTS; n += 1) bed.platform.onJiraChange(change(n));
    // Forge delivers each change again (a redelivery after a lost answer looks the same).
    for (let n = 0; n < EVENTS; n += 1) bed.platform.onJiraChange(change(n));
    await expect.poll(() => eventDeliveries().length).toBe(2 * EVENTS);
    expect(eventDeliveries().map((delivery) => delivery.status)).toEqual(Array(2 * EVENTS).fill(200));

    const stored = await bed.services.db.select().from(forgeEvents);
    expect(stored).toHaveLength(EVENTS);
    expect(stored.every((event) => event.processedAt === null)).toBe(true);
    // Whatever the stopped queue still managed to insert is lost with the process, as if never sent.
    await bed.services.database.executor.executeSql('delete from pgboss.job where name = $1', [
      FORGE_EVENT_JOB,
    ]);

    // Another process on the same database, a minute and more later.
    bed.clock.offsetMs += STRANDED_EVENT_AGE_MS + 1_000;
    const survivor = await createServices({
      config: bed.services.config,
      database: bed.services.database,
      logger: createLogger({ level: 'silent' }),
      encryptor: bed.services.encryptor,
      clock: bed.services.clock,
    });
    try {
      await registerForgeJobs(survivor);
      expect(await requeueStrandedEvents(survivor)).toBe(EVENTS);
      await expect
        .poll(
          async () =>
            (await survivor.db.select().from(forgeEvents).where(isNull(forgeEvents.processedAt))).length,
        )
        .toBe(0);
      expect(await requeueStrandedEvents(survivor)).toBe(0);
      const { rows } = await survivor.database.executor.executeSql(
        `select count(*)::int as jobs, count(distinct data->>'eventId')::int as events
           from pgboss.job where name = $1 and state = 'completed'`,
        [FORGE_EVENT_JOB],
      );
      expect(rows).toEqual([{ jobs: EVENTS, events: EVENTS }]);
    } finally {
      await survivor.queue.stop();
    }
  });
});
