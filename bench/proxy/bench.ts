/**
 * bench/proxy: the same load against the sandbox directly, through a bare Node pass-through (the baseline: `http`
 * server + undici Pool injecting the same Authorization header) and through the backend's Jira proxy, in the same
 * rounds. Four processes: the sandbox, the bare pass-through, the backend (run as `npm start` runs it: PGlite on
 * disk, job queue on) and this load generator; all share the machine's cores. Each round measures every target
 * at a fixed rate and at saturation, rotating the order; the report gives medians over the rounds, and the CPU
 * each serving process spent per request (from /proc).
 *
 * BENCH_PROXY_ROUNDS (3), BENCH_PROXY_FIXED_SECONDS (30) and BENCH_PROXY_SATURATED_SECONDS (10) shorten quick
 * local runs; the defaults are what the README reports.
 */
import type { BackendInfo } from '../support/backend-child';
import { startChild } from '../support/children';
import type { SandboxInfo } from '../support/sandbox-child';
import type { BareInfo } from './bare-child';
import { cpuMicros, type LoadResult, load, peakRssDuring, rssMb, type Target } from './measure';

const FIXED_RATE = 300;
const SATURATING_CONNECTIONS = 32;
const ROUNDS = Number(process.env.BENCH_PROXY_ROUNDS ?? 3);
const FIXED_SECONDS = Number(process.env.BENCH_PROXY_FIXED_SECONDS ?? 30);
const SATURATED_SECONDS = Number(process.env.BENCH_PROXY_SATURATED_SECONDS ?? 10);
const TARGETS = {
  saturatedShareOfBare: 0.6,
  stretchShareOfBare: 0.8,
  cpuMultipleOfBare: 2,
  addedP50OverBareMs: 0.2,
  addedP99OverBareMs: 1.5,
  addedP99Ms: 5,
};
const NAMES = ['direct', 'bare', 'proxy'] as const;
type Name = (typeof NAMES)[number];

interface Phase {
  result: LoadResult;
  /** CPU µs per request of each process that served the phase. */
  cpu: { sandbox: number; bare: number; backend: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;
const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export async function runProxyBenchmark(): Promise<void> {
  const sandbox = await startChild<SandboxInfo>('./sandbox-child.ts');
  const bare = await startChild<BareInfo>('../proxy/bare-child.ts', {
    BENCH_SANDBOX: JSON.stringify(sandbox.info),
  });
  const backend = await startChild<BackendInfo>(
    './backend-child.ts',
    { BENCH_SANDBOX: JSON.stringify(sandbox.info) },
    process.env.BENCH_BACKEND_ARGS?.split(' ').filter(Boolean),
  );
  const pids = { sandbox: sandbox.info.pid, bare: bare.info.pid, backend: backend.info.pid };
  try {
    const jiraPath = 'rest/api/3/myself';
    const targets: Record<Name, Target> = {
      direct: {
        url: `${sandbox.info.url}/ex/jira/${sandbox.info.cloudId}/${jiraPath}`,
        headers: { authorization: `Bearer ${sandbox.info.token}`, accept: 'application/json' },
      },
      bare: { url: `${bare.info.url}/${jiraPath}`, headers: { accept: 'application/json' } },
      proxy: {
        url: `${backend.info.url}/v1/jira/connections/${backend.info.connectionId}/proxy/${jiraPath}`,
        headers: { authorization: `Bearer ${backend.info.key}`, accept: 'application/json' },
      },
    };
    await checkSameAnswer(targets);

    console.log('bench/proxy: warming up (JIT, connection pools, caches)…');
    for (const name of NAMES) await load(targets[name], { connections: 10, seconds: 3 });

    const measured = async (target: Target, options: Parameters<typeof load>[1]): Promise<Phase> => {
      const before = await cpuOf(pids);
      const result = await load(target, options);
      const after = await cpuOf(pids);
      const perRequest = (key: keyof typeof pids) =>
        (after[key] - before[key]) / Math.max(1, result.completed);
      return {
        result,
        cpu: { sandbox: perRequest('sandbox'), bare: perRequest('bare'), backend: perRequest('backend') },
      };
    };
    const fixed: Record<Name, Phase[]> = { direct: [], bare: [], proxy: [] };
    const saturated: Record<Name, Phase[]> = { direct: [], bare: [], proxy: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = NAMES.map((_, index) => NAMES[(index + round) % NAMES.length]);
      console.log(`bench/proxy: round ${round + 1}/${ROUNDS}, order ${order.join(', ')}…`);
      // One connection: autocannon releases every connection's rate-limited requests on the same tick, so with N
      // connections the "fixed rate" arrives in bursts of N and measures queueing rather than the proxy's cost.
      for (const name of order) {
        fixed[name].push(
          await measured(targets[name], { connections: 1, seconds: FIXED_SECONDS, rate: FIXED_RATE }),
        );
      }
      for (const name of order) {
        saturated[name].push(
          await measured(targets[name], { connections: SATURATING_CONNECTIONS, seconds: SATURATED_SECONDS }),
        );
      }
    }

    const attachment = (base: Target): Target => ({
      url: base.url.replace(jiraPath, `rest/api/3/attachment/content/${sandbox.info.attachment.id}`),
      headers: { authorization: base.headers.authorization, accept: '*/*' },
    });
    console.log(
      `bench/proxy: ${(sandbox.info.attachment.size / 1e6).toFixed(1)} MB attachment through the proxy…`,
    );
    const rssBefore = await rssMb(backend.info.pid);
    const large = await peakRssDuring(backend.info.pid, 50, () =>
      load(attachment(targets.proxy), { connections: 8, seconds: 6 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rssAfter = await rssMb(backend.info.pid);

    report(fixed, saturated);
    const inFlightMb = (8 * sandbox.info.attachment.size) / 1e6;
    console.log(
      `5 MB attachment, 8 concurrent downloads: ${large.result.completed} done, ${((large.result.requestsPerSecond * sandbox.info.attachment.size) / 1e6).toFixed(0)} MB/s, ` +
        `proxy RSS before ${rssBefore.toFixed(0)} MB, peak during ${large.peak.toFixed(0)} MB, after ${rssAfter.toFixed(0)} MB ` +
        `(buffering whole bodies would hold ≥ ${inFlightMb.toFixed(0)} MB at once)`,
    );
    const failures = [...Object.values(fixed), ...Object.values(saturated)]
      .flat()
      .reduce((sum, phase) => sum + phase.result.failures, large.result.failures);
    if (failures > 0) console.log(`warning: ${failures} requests failed or answered non-2xx during the run`);
  } finally {
    await backend.stop();
    await bare.stop();
    await sandbox.stop();
  }
}

async function cpuOf(pids: { sandbox: number; bare: number; backend: number }) {
  const [sandbox, bare, backend] = await Promise.all([
    cpuMicros(pids.sandbox),
    cpuMicros(pids.bare),
    cpuMicros(pids.backend),
  ]);
  return { sandbox, bare, backend };
}

function report(fixed: Record<Name, Phase[]>, saturated: Record<Name, Phase[]>) {
  const m = (phases: Phase[], pick: (phase: Phase) => number) => median(phases.map(pick));
  // The process that adds the hop: none for direct, the pass-through for bare, the backend for the proxy.
  const hopCpu = (name: Name, phase: Phase) =>
    name === 'bare' ? phase.cpu.bare : name === 'proxy' ? phase.cpu.backend : 0;
  console.log('');
  const rows: Record<string, Record<string, number>> = {};
  for (const name of NAMES) {
    rows[`fixed ${FIXED_RATE}/s ${name}`] = {
      'req/s': Math.round(m(fixed[name], (p) => p.result.requestsPerSecond)),
      'p50 ms': round2(m(fixed[name], (p) => p.result.p50)),
      'p99 ms': round2(m(fixed[name], (p) => p.result.p99)),
      'hop CPU µs/req': Math.round(m(fixed[name], (p) => hopCpu(name, p))),
      'sandbox CPU µs/req': Math.round(m(fixed[name], (p) => p.cpu.sandbox)),
      requests: Math.round(m(fixed[name], (p) => p.result.completed)),
    };
  }
  for (const name of NAMES) {
    rows[`saturated ${name}`] = {
      'req/s': Math.round(m(saturated[name], (p) => p.result.requestsPerSecond)),
      'p50 ms': round2(m(saturated[name], (p) => p.result.p50)),
      'p99 ms': round2(m(saturated[name], (p) => p.result.p99)),
      'hop CPU µs/req': Math.round(m(saturated[name], (p) => hopCpu(name, p))),
      'sandbox CPU µs/req': Math.round(m(saturated[name], (p) => p.cpu.sandbox)),
      requests: Math.round(m(saturated[name], (p) => p.result.completed)),
    };
  }
  console.table(rows);

  // Ratios are taken within each round (same load on the machine), then the median over rounds.
  const perRound = <T>(pick: (round: number) => T) => fixed.direct.map((_, round) => pick(round));
  const share = median(
    perRound((r) => saturated.proxy[r].result.requestsPerSecond / saturated.bare[r].result.requestsPerSecond),
  );
  const ofDirect = median(
    perRound(
      (r) => saturated.proxy[r].result.requestsPerSecond / saturated.direct[r].result.requestsPerSecond,
    ),
  );
  const bareOfDirect = median(
    perRound(
      (r) => saturated.bare[r].result.requestsPerSecond / saturated.direct[r].result.requestsPerSecond,
    ),
  );
  const cpuMultiple = median(perRound((r) => saturated.proxy[r].cpu.backend / saturated.bare[r].cpu.bare));
  const fixedCpuMultiple = median(perRound((r) => fixed.proxy[r].cpu.backend / fixed.bare[r].cpu.bare));
  const added = (name: Name, q: 'p50' | 'p99') =>
    median(perRound((r) => fixed[name][r].result[q] - fixed.direct[r].result[q]));
  const [bareP50, proxyP50, bareP99, proxyP99] = [
    added('bare', 'p50'),
    added('proxy', 'p50'),
    added('bare', 'p99'),
    added('proxy', 'p99'),
  ];
  console.log(
    `saturated proxy/bare: ${share.toFixed(2)} (target ≥ ${TARGETS.saturatedShareOfBare}, stretch ${TARGETS.stretchShareOfBare}) ${pass(share >= TARGETS.saturatedShareOfBare)}`,
  );
  console.log(
    `CPU per request, proxy/bare: ${cpuMultiple.toFixed(2)}× at saturation, ${fixedCpuMultiple.toFixed(2)}× at ${FIXED_RATE}/s (target ≤ ${TARGETS.cpuMultipleOfBare}×) ${pass(cpuMultiple <= TARGETS.cpuMultipleOfBare)}`,
  );
  console.log(
    `added p50 at ${FIXED_RATE}/s: proxy ${ms(proxyP50)}, bare ${ms(bareP50)} (target ≤ bare + ${TARGETS.addedP50OverBareMs} ms) ${pass(proxyP50 <= bareP50 + TARGETS.addedP50OverBareMs)}`,
  );
  console.log(
    `added p99 at ${FIXED_RATE}/s: proxy ${ms(proxyP99)}, bare ${ms(bareP99)} (target ≤ bare + ${TARGETS.addedP99OverBareMs} ms and < ${TARGETS.addedP99Ms} ms) ${pass(proxyP99 <= bareP99 + TARGETS.addedP99OverBareMs && proxyP99 < TARGETS.addedP99Ms)}`,
  );
  console.log(
    `for information, saturated share of direct: proxy ${ofDirect.toFixed(2)}, bare ${bareOfDirect.toFixed(2)}`,
  );
}

const round2 = (value: number) => Number(value.toFixed(2));

/** Both hops are transparent: the same call answers the same status and body all three ways. */
async function checkSameAnswer(targets: Record<Name, Target>) {
  const answers = await Promise.all(
    NAMES.map(async (name) => {
      const response = await fetch(targets[name].url, { headers: targets[name].headers });
      return { name, status: response.status, body: await response.text() };
    }),
  );
  const [direct] = answers;
  for (const answer of answers) {
    if (direct.status !== 200 || answer.status !== 200 || answer.body !== direct.body) {
      throw new Error(
        `direct answered ${direct.status}, ${answer.name} ${answer.status}: ${answer.body.slice(0, 300)}`,
      );
    }
  }
}
