/**
 * bench/sync: the two-way ticket sync against the sandbox. Three processes, as bench/proxy runs them: the sandbox
 * (bench/support/sandbox-child.ts), the backend as `npm start` runs it with its queue workers
 * (bench/support/backend-child.ts, started with --expose-gc) and this driver; the backend answers the driver's
 * questions (memory, the sync's tables and Jira call count, bench/sync/probes.ts) over IPC, so only the backend's
 * own memory is measured.
 *
 * 1. Backfill: ISSUES issues in the SUP project, sync configured → time until every issue is a ticket; issues/s,
 *    the sync's Jira calls per issue, and the backend's heap and RSS after a full GC before the backfill, right
 *    after it (target: flat, < 50 MB for the heap used and the RSS outside V8's young generation) and after 5 s
 *    idle, plus the peak RSS while it runs.
 * 2. Jira → platform: a steady EDITS_PER_SECOND edits of issue summaries by a person in Jira for EDIT_SECONDS;
 *    latency from Jira's answer to the edit (the event is delivered right then) to the ticket's change
 *    (target p95 < 1 s), and the sync's Jira calls per change.
 * 3. Platform → Jira: PLATFORM_EDITS ticket edits through the API; the sync's Jira calls per change against the
 *    minimum of one edit call (target ≤ 1.2×).
 *
 * BENCH_SYNC_ISSUES (5,000) shortens quick local runs; the default is what the README reports. BENCH_BACKEND_ARGS
 * adds Node flags to the backend (e.g. `--max-semi-space-size=16`, which caps V8's young generation).
 *
 * "Young generation" is V8's nursery: under a sustained allocation rate it grows to its maximum (128 MB with the
 * `--max-semi-space-size=64` that .npmrc gives every npm script) and keeps it, whatever the number of issues; the
 * heap used after a full GC is what the process retains.
 */
import { loadavg } from 'node:os';
import { SUP_MAPPINGS } from '@jira-integration/backend/test-support/sync';
import { rssMb } from '../proxy/measure';
import type { BackendInfo, MemoryAfterGc } from '../support/backend-child';
import { type Child, startChild } from '../support/children';
import { percentile } from '../support/percentile';
import type { SandboxInfo } from '../support/sandbox-child';

const ISSUES = Number(process.env.BENCH_SYNC_ISSUES ?? 5_000);
/** The seed's two SUP issues are backfilled too. */
const SEEDED_ISSUES = 2;
const EDITS_PER_SECOND = 10;
const EDIT_SECONDS = 30;
const PLATFORM_EDITS = 100;
const MB = 1024 * 1024;

/** The machine's 1-minute load average: the figures depend on what else runs. */
const load = () => loadavg()[0].toFixed(1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench/sync: timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function call(url: string, method: string, body: unknown, token: string) {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
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
  const sandbox = await startChild<SandboxInfo>('./sandbox-child.ts');
  let backend: Child<BackendInfo> | undefined;
  try {
    backend = await startChild<BackendInfo>(
      './backend-child.ts',
      {
        BENCH_SANDBOX: JSON.stringify(sandbox.info),
        BENCH_DATABASE: kind,
        BENCH_PROBES: new URL('./probes.ts', import.meta.url).href,
      },
      ['--expose-gc', ...(process.env.BENCH_BACKEND_ARGS?.split(' ').filter(Boolean) ?? [])],
      { ipc: true },
    );
    await measure(sandbox, backend);
  } finally {
    await backend?.stop();
    await sandbox.stop();
  }
}

async function measure(sandbox: Child<SandboxInfo>, backend: Child<BackendInfo>): Promise<void> {
  const { cloudId, token } = sandbox.info;
  const { connectionId, key } = backend.info;
  const jiraApi = `${sandbox.info.url}/ex/jira/${cloudId}/rest/api/3`;
  const platform = (method: string, path: string, body?: unknown) =>
    call(`${backend.info.url}${path}`, method, body, key);
  const calls = () => backend.ask<number>({ kind: 'syncCalls', cloudId });
  const memory = (gc = true) => backend.ask<MemoryAfterGc>({ kind: 'memory', gc });

  const created: Array<{ id: string; key: string }> = [];
  for (let index = 0; index < ISSUES; index += 1) {
    created.push(
      (await call(
        `${jiraApi}/issue`,
        'POST',
        {
          fields: {
            project: { key: 'SUP' },
            issuetype: { id: '10003' },
            summary: `Bench issue ${index}`,
            priority: { id: String((index % 5) + 1) },
            description: {
              type: 'doc',
              version: 1,
              content: [
                { type: 'paragraph', content: [{ type: 'text', text: `Details of issue ${index}.` }] },
              ],
            },
          },
        },
        token,
      )) as { id: string; key: string },
    );
  }
  console.log(
    `created ${created.length} issues in the sandbox (pid ${sandbox.info.pid}); load average ${load()}`,
  );

  // Sync can run: the app installed (its credential push upgrades the connection), Ticket Syncing on.
  await call(
    `${sandbox.info.url}/_sandbox/forge/install`,
    'POST',
    { cloudId, backendUrl: backend.info.url },
    token,
  );
  await platform('PATCH', `/v1/jira/connections/${connectionId}`, { ticketSyncing: true });

  // 1. Backfill: saving the settings starts it.
  const before = await memory();
  if (!before.collected) console.log('warning: the backend child has no gc(); figures are without a full GC');
  let peakRss = before.rss / MB;
  let peakHeap = before.heapUsed;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, await rssMb(backend.info.pid));
      peakHeap = Math.max(peakHeap, (await memory(false)).heapUsed);
      await sleep(100);
    }
  })();
  const startedAt = performance.now();
  await platform('PUT', `/v1/jira/connections/${connectionId}/sync-config`, {
    projectKey: 'SUP',
    requestTypeId: '10',
    ...SUP_MAPPINGS,
    strategy: 'two_way',
  });
  const imported = ISSUES + SEEDED_ISSUES;
  let shown = 0;
  await until(
    async () => {
      const done = await backend.ask<number>({ kind: 'ticketCount', connectionId });
      if (done - shown >= 1000) {
        shown = done;
        console.log(`  backfilled ${done} at ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
      }
      return done >= imported;
    },
    30 * 60_000,
    'the backfill',
  );
  const seconds = (performance.now() - startedAt) / 1000;
  sampling = false;
  await sampler;
  const after = await memory();
  const backfillCalls = await calls();
  // What the backfill leaves behind once the process is idle: V8 gives back the young generation's burst capacity
  // after a few idle seconds, so this is the growth a long-running server keeps.
  await sleep(5_000);
  const settled = await memory();
  const growth = (from: number, to: number) =>
    `${(from / MB).toFixed(0)} → ${(to / MB).toFixed(0)} MB (${to >= from ? '+' : ''}${((to - from) / MB).toFixed(0)})`;
  // The young generation's size is V8's configured nursery (capped at 128 MB), not what the backfill holds: the
  // verdict counts the heap the process retains and its RSS outside the nursery.
  const outsideNursery = (sample: MemoryAfterGc) => sample.rss - sample.youngGeneration;
  const heapGrowth = (after.heapUsed - before.heapUsed) / MB;
  const rssGrowth = (outsideNursery(after) - outsideNursery(before)) / MB;
  console.log(
    `backfill: ${imported} issues in ${seconds.toFixed(1)} s = ${(imported / seconds).toFixed(0)} issues/s; ` +
      `${backfillCalls} Jira calls = ${(backfillCalls / imported).toFixed(3)} per issue; load average ${load()}`,
  );
  console.log(
    `backend process (pid ${backend.info.pid}) after a full GC, before → after the backfill: ` +
      `heap used ${growth(before.heapUsed, after.heapUsed)}, heap held ${growth(before.heapTotal, after.heapTotal)} ` +
      `(young generation ${growth(before.youngGeneration, after.youngGeneration)}), RSS ${growth(before.rss, after.rss)}, ` +
      `external ${growth(before.external, after.external)}; while it ran: peak heap ${(peakHeap / MB).toFixed(0)} MB, ` +
      `peak RSS ${peakRss.toFixed(0)} MB (+${(peakRss - before.rss / MB).toFixed(0)}); ` +
      `RSS outside the young generation ${growth(outsideNursery(before), outsideNursery(after))} — ` +
      `${Math.max(heapGrowth, rssGrowth) < 50 ? 'PASS' : 'MISS'} (target: heap used and RSS outside the young generation grow < 50 MB)`,
  );
  console.log(
    `backend process after the backfill and 5 s idle, after a full GC: heap used ${growth(before.heapUsed, settled.heapUsed)}, ` +
      `young generation ${growth(before.youngGeneration, settled.youngGeneration)}, RSS ${growth(before.rss, settled.rss)}`,
  );

  // 2. Jira → platform under a steady rate of edits.
  const edits: Array<{ title: string; at: number }> = [];
  const callsBeforeEdits = await calls();
  const total = EDITS_PER_SECOND * EDIT_SECONDS;
  const phaseStart = Date.now();
  for (let index = 0; index < total; index += 1) {
    const due = phaseStart + (index * 1000) / EDITS_PER_SECOND;
    if (due > Date.now()) await sleep(due - Date.now());
    const issue = created[index % created.length];
    const title = `Bench issue edited ${index}`;
    await call(`${jiraApi}/issue/${issue.key}`, 'PUT', { fields: { summary: title } }, token);
    edits.push({ title, at: Date.now() });
  }
  const titles = edits.map((edit) => edit.title);
  const changes = () => backend.ask<Array<{ title: string; at: number }>>({ kind: 'ticketTimes', titles });
  await until(
    async () => (await changes()).length === titles.length,
    120_000,
    'the edits to reach the tickets',
  );
  const changedAt = new Map((await changes()).map((row) => [row.title, row.at]));
  const latencies = edits
    .map((edit) => Math.max(0, (changedAt.get(edit.title) ?? edit.at) - edit.at))
    .sort((a, b) => a - b);
  const inboundCalls = (await calls()) - callsBeforeEdits;
  console.log(
    `jira → platform at ${EDITS_PER_SECOND}/s: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, ` +
      `p95 ${percentile(latencies, 0.95).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms; ` +
      `${(inboundCalls / total).toFixed(2)} Jira calls per change (one read of the issue); load average ${load()}`,
  );

  // 3. Platform → Jira.
  const linked = await backend.ask<string[]>({ kind: 'ticketIds', connectionId, limit: PLATFORM_EDITS });
  const callsBeforePush = await calls();
  for (const [index, ticketId] of linked.entries()) {
    await platform('PATCH', `/v1/tickets/${ticketId}`, { title: `Platform edit ${index}` });
  }
  await until(
    async () => (await backend.ask<number>({ kind: 'pendingOutbox' })) === 0,
    120_000,
    'the platform edits to reach Jira',
  );
  const pushCalls = (await calls()) - callsBeforePush;
  await sleep(5_000);
  const idle = await memory();
  console.log(
    `platform → jira: ${linked.length} edits, ${pushCalls} Jira calls = ${(pushCalls / linked.length).toFixed(2)}× the minimum (one edit call each)`,
  );
  console.log(
    `backend process after every phase and 5 s idle, after a full GC, against before the backfill: ` +
      `heap used ${growth(before.heapUsed, idle.heapUsed)}, heap held ${growth(before.heapTotal, idle.heapTotal)} ` +
      `(young generation ${growth(before.youngGeneration, idle.youngGeneration)}), RSS ${growth(before.rss, idle.rss)}`,
  );
}
