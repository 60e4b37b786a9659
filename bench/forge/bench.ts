/**
 * bench/forge: how long the backend takes to answer Forge, timed by the sandbox's Forge platform the way Forge's
 * own timer sees it, beside a plain `/healthz` round trip measured the same way in the same run.
 * Forge gives a trigger's remote 5 s; the backend must answer well inside that.
 *
 * Three processes: the sandbox, the backend (PGlite, job workers on) with TEAMS managed connections to one site,
 * and this driver. Every credential push upgrades all of them in one transaction.
 */
import type { BackendInfo } from '../support/backend-child';
import { startChild } from '../support/children';
import { percentile } from '../support/percentile';
import type { SandboxInfo } from '../support/sandbox-child';

interface Delivery {
  kind: string;
  ok: boolean;
  status: number | null;
  durationMs: number;
}

const TEAMS = 50;
const PUSHES = 200;
const EVENTS = 200;
const FORGE_TRIGGER_BUDGET_MS = 5_000;

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
};

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<unknown>;
}

/** On PGlite, and on PostgreSQL too when TEST_DATABASE_URL names a server. */
export async function runForgeBenchmark(): Promise<void> {
  await runOn('pglite');
  if (process.env.TEST_DATABASE_URL) await runOn('postgres');
  else console.log('bench/forge: set TEST_DATABASE_URL to also run on PostgreSQL');
}

async function runOn(database: 'pglite' | 'postgres'): Promise<void> {
  console.log(`\nbench/forge on ${database}`);
  const sandbox = await startChild<SandboxInfo>('./sandbox-child.ts');
  const backend = await startChild<BackendInfo>('./backend-child.ts', {
    BENCH_SANDBOX: JSON.stringify(sandbox.info),
    BENCH_TEAMS: String(TEAMS),
    BENCH_DATABASE: database,
  });
  const forgeControl = (path: string) => `${sandbox.info.url}/_sandbox/forge/${path}`;
  try {
    console.log(`bench/forge: installing the app on a site with ${backend.info.teams} managed connections…`);
    await post(forgeControl('install'), { cloudId: sandbox.info.cloudId, backendUrl: backend.info.url });

    // Baseline: the cheapest request the backend serves, timed from outside the same way.
    const healthz: number[] = [];
    for (let n = 0; n < PUSHES; n += 1) {
      const started = performance.now();
      const response = await fetch(`${backend.info.url}/healthz`);
      await response.arrayBuffer();
      healthz.push(performance.now() - started);
    }

    console.log(`bench/forge: ${PUSHES} credential pushes, one after the other…`);
    for (let n = 0; n < PUSHES; n += 1) await post(forgeControl('push'), { cloudId: sandbox.info.cloudId });

    const jira = `${sandbox.info.url}/ex/jira/${sandbox.info.cloudId}/rest/api/3`;
    const changeAnIssue = (n: number) =>
      post(
        `${jira}/issue`,
        { fields: { project: { key: 'SUP' }, summary: `Bench issue ${n}`, issuetype: { id: '10001' } } },
        { authorization: `Bearer ${sandbox.info.token}` },
      );
    const deliveriesOf = async (kind: string) => {
      const all = (await (await fetch(forgeControl('deliveries'))).json()) as Delivery[];
      return all.filter((delivery) => delivery.kind === kind);
    };
    const waitForEvents = async (count: number) => {
      for (let waited = 0; waited < 30_000; waited += 5) {
        const events = await deliveriesOf('event');
        if (events.length >= count) return events;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`fewer than ${count} events were delivered within 30 s`);
    };

    console.log(`bench/forge: ${EVENTS} Jira issue changes one at a time, each delivered to /forge/events…`);
    for (let n = 0; n < EVENTS; n += 1) {
      await changeAnIssue(n);
      await waitForEvents(n + 1);
    }
    // A bulk edit in Jira: every change at once, so events reach the backend concurrently.
    console.log(`bench/forge: a burst of ${EVENTS} changes at once…`);
    await Promise.all(Array.from({ length: EVENTS }, (_, n) => changeAnIssue(EVENTS + n)));
    const events = await waitForEvents(2 * EVENTS);
    const pushes = await deliveriesOf('scheduled');

    const baseline = summary(healthz);
    const rows = {
      'GET /healthz (baseline)': baseline,
      [`POST /forge/credentials (${backend.info.teams} upgrades)`]: summary(pushes.map((d) => d.durationMs)),
      'POST /forge/events, one at a time': summary(events.slice(0, EVENTS).map((d) => d.durationMs)),
      [`POST /forge/events, burst of ${EVENTS}`]: summary(events.slice(EVENTS).map((d) => d.durationMs)),
    };
    console.log('');
    console.table(
      Object.fromEntries(
        Object.entries(rows).map(([name, s]) => [
          name,
          {
            answers: s.count,
            'p50 ms': Number(s.p50.toFixed(2)),
            'p99 ms': Number(s.p99.toFixed(2)),
            'max ms': Number(s.max.toFixed(2)),
            'p50 / healthz p50': Number((s.p50 / baseline.p50).toFixed(1)),
          },
        ]),
      ),
    );
    for (const [name, s] of Object.entries(rows).slice(1)) {
      const share = s.p99 / FORGE_TRIGGER_BUDGET_MS;
      console.log(
        `${name}: p99 ${s.p99.toFixed(2)} ms = ${(share * 100).toFixed(2)}% of Forge's 5 s budget ${share < 0.1 ? 'PASS' : 'MISS'} (target < 10%)`,
      );
    }
    const failed = [...pushes, ...events].filter((delivery) => !delivery.ok);
    if (failed.length > 0) console.log(`warning: ${failed.length} deliveries failed`);
    if (events.length < EVENTS)
      console.log(`warning: only ${events.length} of ${EVENTS} events were delivered`);
  } finally {
    await backend.stop();
    await sandbox.stop();
  }
}
