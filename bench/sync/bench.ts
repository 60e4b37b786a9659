/**
 * bench/sync: the two-way ticket sync against the sandbox, in one process (sandbox + backend on PGlite with its
 * queue workers, as `npm start` runs them).
 *
 * 1. Backfill: ISSUES issues in the SUP project, sync configured → time until every issue is a ticket; issues/s,
 *    the sync's Jira calls per issue, heap and RSS growth while it runs (target: flat, < 50 MB).
 * 2. Jira → platform: a steady EDITS_PER_SECOND edits of issue summaries by a person in Jira for EDIT_SECONDS;
 *    latency from Jira's answer to the edit (the event is delivered right then) to the ticket's change
 *    (target p95 < 1 s), and the sync's Jira calls per change.
 * 3. Platform → Jira: PLATFORM_EDITS ticket edits through the API; the sync's Jira calls per change against the
 *    minimum of one edit call (target ≤ 1.2×).
 */
import { syncOutbox, tickets } from '@jira-integration/backend/db/schema';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { userToken } from '@jira-integration/sandbox/test-support/seed';
import { eq, inArray, isNull } from 'drizzle-orm';
import { fetchAsTeam } from '../../test/support/backend';
import { connectSyncedSite } from '../../test/support/sync';
import { startWorld } from '../../test/support/world';
import { percentile } from '../support/percentile';

const ISSUES = Number(process.env.BENCH_SYNC_ISSUES ?? 5_000);
const EDITS_PER_SECOND = 10;
const EDIT_SECONDS = 30;
const PLATFORM_EDITS = 100;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench/sync: timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** On PGlite, and on PostgreSQL too when TEST_DATABASE_URL names a server. */
export async function runSyncBenchmark(): Promise<void> {
  await runOn('pglite');
  if (process.env.TEST_DATABASE_URL) await runOn('postgres');
  else console.log('bench/sync: set TEST_DATABASE_URL to also run on PostgreSQL');
}

async function runOn(kind: 'pglite' | 'postgres'): Promise<void> {
  console.log(
    `\nbench/sync on ${kind}: backfill of ${ISSUES} issues, ${EDITS_PER_SECOND} Jira edits/s, ${PLATFORM_EDITS} platform edits`,
  );
  const world = await startWorld({ kind });
  const { services } = world.backend;
  try {
    const cloudId = world.seeded.acme.cloudId;
    const token = userToken(world.sandbox, world.seeded.alice.accountId);
    const jira = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${world.sandbox.url}/ex/jira/${cloudId}/rest/api/3/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? null : ((await response.json()) as { id: string; key: string });
    };
    const created: Array<{ id: string; key: string }> = [];
    for (let index = 0; index < ISSUES; index += 1) {
      const issue = await jira('POST', 'issue', {
        fields: {
          project: { key: 'SUP' },
          issuetype: { id: '10003' },
          summary: `Bench issue ${index}`,
          priority: { id: String((index % 5) + 1) },
          description: {
            type: 'doc',
            version: 1,
            content: [{ type: 'paragraph', content: [{ type: 'text', text: `Details of issue ${index}.` }] }],
          },
        },
      });
      if (issue) created.push(issue);
    }
    const calls = () => syncRuntime(services).calls.get(cloudId) ?? 0;
    console.log(`created ${created.length} issues in the sandbox`);

    // 1. Backfill.
    const memory: Array<{ heap: number; rss: number }> = [];
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      memory.push({ heap: usage.heapUsed, rss: usage.rss });
    }, 100);
    const before = process.memoryUsage();
    const startedAt = performance.now();
    const { connectionId } = await connectSyncedSite(world);
    const count = async () =>
      (
        await services.db
          .select({ id: tickets.id })
          .from(tickets)
          .where(eq(tickets.connectionId, connectionId))
      ).length;
    let shown = 0;
    await until(
      async () => {
        const done = await count();
        if (done - shown >= 1000) {
          shown = done;
          console.log(`  backfilled ${done} at ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
        }
        return done >= ISSUES + 2;
      },
      30 * 60_000,
      'the backfill',
    );
    const seconds = (performance.now() - startedAt) / 1000;
    clearInterval(sampler);
    const backfillCalls = calls();
    const maxHeap = Math.max(...memory.map((sample) => sample.heap));
    const maxRss = Math.max(...memory.map((sample) => sample.rss));
    const imported = ISSUES + 2;
    console.log(
      `backfill: ${imported} issues in ${seconds.toFixed(1)} s = ${(imported / seconds).toFixed(0)} issues/s; ` +
        `${backfillCalls} Jira calls = ${(backfillCalls / imported).toFixed(3)} per issue; ` +
        `heap ${(before.heapUsed / MB).toFixed(0)} → max ${(maxHeap / MB).toFixed(0)} MB (+${((maxHeap - before.heapUsed) / MB).toFixed(0)}), ` +
        `RSS ${(before.rss / MB).toFixed(0)} → max ${(maxRss / MB).toFixed(0)} MB (+${((maxRss - before.rss) / MB).toFixed(0)})`,
    );

    // 2. Jira → platform under a steady rate of edits.
    const edits: Array<{ issueId: string; title: string; at: number }> = [];
    const callsBeforeEdits = calls();
    const total = EDITS_PER_SECOND * EDIT_SECONDS;
    const phaseStart = Date.now();
    for (let index = 0; index < total; index += 1) {
      const due = phaseStart + (index * 1000) / EDITS_PER_SECOND;
      if (due > Date.now()) await sleep(due - Date.now());
      const issue = created[index % created.length];
      const title = `Bench issue edited ${index}`;
      await jira('PUT', `issue/${issue.key}`, { fields: { summary: title } });
      edits.push({ issueId: issue.id, title, at: Date.now() });
    }
    const titles = edits.map((edit) => edit.title);
    await until(
      async () =>
        (await services.db.select({ id: tickets.id }).from(tickets).where(inArray(tickets.title, titles)))
          .length === titles.length,
      120_000,
      'the edits to reach the tickets',
    );
    const rows = await services.db
      .select({ title: tickets.title, updatedAt: tickets.updatedAt })
      .from(tickets)
      .where(inArray(tickets.title, titles));
    const changedAt = new Map(rows.map((row) => [row.title, row.updatedAt.getTime()]));
    const latencies = edits
      .map((edit) => Math.max(0, (changedAt.get(edit.title) ?? edit.at) - edit.at))
      .sort((a, b) => a - b);
    const inboundCalls = calls() - callsBeforeEdits;
    console.log(
      `jira → platform at ${EDITS_PER_SECOND}/s: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, ` +
        `p95 ${percentile(latencies, 0.95).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms; ` +
        `${(inboundCalls / total).toFixed(2)} Jira calls per change (one read of the issue)`,
    );

    // 3. Platform → Jira.
    const linked = await services.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(eq(tickets.connectionId, connectionId))
      .limit(PLATFORM_EDITS);
    const callsBeforePush = calls();
    for (const [index, ticket] of linked.entries()) {
      const response = await fetchAsTeam(
        world.backend.url,
        world.backend.team.key,
        `/v1/tickets/${ticket.id}`,
        {
          method: 'PATCH',
          json: { title: `Platform edit ${index}` },
        },
      );
      if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
    }
    await until(
      async () =>
        (await services.db.select().from(syncOutbox).where(isNull(syncOutbox.processedAt))).length === 0,
      120_000,
      'the platform edits to reach Jira',
    );
    const pushCalls = calls() - callsBeforePush;
    console.log(
      `platform → jira: ${linked.length} edits, ${pushCalls} Jira calls = ${(pushCalls / linked.length).toFixed(2)}× the minimum (one edit call each)`,
    );
  } finally {
    await world.close();
  }
}
