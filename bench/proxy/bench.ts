/**
 * bench/proxy: the same load against the sandbox directly and through the backend's Jira proxy, in one run.
 * Three processes: the sandbox, the backend (PGlite) and this load generator; all share the machine's cores.
 */
import type { BackendInfo } from '../support/backend-child';
import { startChild } from '../support/children';
import type { SandboxInfo } from '../support/sandbox-child';
import { load, peakRssDuring, rssMb, type Target } from './measure';

const FIXED_RATE = 300;
const TARGETS = { addedP50Ms: 0.5, addedP99Ms: 2, saturatedRatio: 0.6 };

const ms = (value: number) => `${value.toFixed(2)} ms`;
const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export async function runProxyBenchmark(): Promise<void> {
  const sandbox = await startChild<SandboxInfo>('./sandbox-child.ts');
  const backend = await startChild<BackendInfo>('./backend-child.ts', {
    BENCH_SANDBOX: JSON.stringify(sandbox.info),
    BENCH_JOBS: 'off',
  });
  try {
    const jiraPath = 'rest/api/3/myself';
    const direct: Target = {
      url: `${sandbox.info.url}/ex/jira/${sandbox.info.cloudId}/${jiraPath}`,
      headers: { authorization: `Bearer ${sandbox.info.token}`, accept: 'application/json' },
    };
    const proxied: Target = {
      url: `${backend.info.url}/v1/jira/connections/${backend.info.connectionId}/proxy/${jiraPath}`,
      headers: { authorization: `Bearer ${backend.info.key}`, accept: 'application/json' },
    };
    await checkSameAnswer(direct, proxied);

    console.log('bench/proxy: warming up (JIT, connection pools, caches)…');
    await load(direct, { connections: 10, seconds: 3 });
    await load(proxied, { connections: 10, seconds: 3 });

    // One connection: autocannon releases every connection's rate-limited requests on the same tick, so with N
    // connections the "fixed rate" arrives in bursts of N and measures queueing rather than the proxy's cost.
    console.log(`bench/proxy: fixed rate ${FIXED_RATE} req/s on one connection, 10 s each…`);
    const fixedDirect = await load(direct, { connections: 1, seconds: 10, rate: FIXED_RATE });
    const fixedProxied = await load(proxied, { connections: 1, seconds: 10, rate: FIXED_RATE });

    console.log('bench/proxy: saturation, 32 connections, 8 s each…');
    const satDirect = await load(direct, { connections: 32, seconds: 8 });
    const satProxied = await load(proxied, { connections: 32, seconds: 8 });

    const attachment = (base: Target): Target => ({
      url: base.url.replace(jiraPath, `rest/api/3/attachment/content/${sandbox.info.attachment.id}`),
      headers: { authorization: base.headers.authorization, accept: '*/*' },
    });
    console.log(
      `bench/proxy: ${(sandbox.info.attachment.size / 1e6).toFixed(1)} MB attachment through the proxy…`,
    );
    const before = await rssMb(backend.info.pid);
    const large = await peakRssDuring(backend.info.pid, 50, () =>
      load(attachment(proxied), { connections: 8, seconds: 6 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await rssMb(backend.info.pid);

    const addedP50 = fixedProxied.p50 - fixedDirect.p50;
    const addedP99 = fixedProxied.p99 - fixedDirect.p99;
    const ratio = satProxied.requestsPerSecond / satDirect.requestsPerSecond;
    const inFlightMb = (8 * sandbox.info.attachment.size) / 1e6;
    console.log('');
    console.table({
      [`fixed ${FIXED_RATE}/s direct`]: row(fixedDirect),
      [`fixed ${FIXED_RATE}/s proxied`]: row(fixedProxied),
      'saturated direct': row(satDirect),
      'saturated proxied': row(satProxied),
    });
    console.log(
      `added latency p50: ${ms(addedP50)} (target ≤ ${TARGETS.addedP50Ms} ms) ${pass(addedP50 <= TARGETS.addedP50Ms)}`,
    );
    console.log(
      `added latency p99: ${ms(addedP99)} (target ≤ ${TARGETS.addedP99Ms} ms) ${pass(addedP99 <= TARGETS.addedP99Ms)}`,
    );
    console.log(
      `saturated proxied/direct: ${satProxied.requestsPerSecond.toFixed(0)}/${satDirect.requestsPerSecond.toFixed(0)} req/s = ${ratio.toFixed(2)} (target ≥ ${TARGETS.saturatedRatio}) ${pass(ratio >= TARGETS.saturatedRatio)}`,
    );
    console.log(
      `5 MB attachment, 8 concurrent downloads: ${large.result.completed} done, ${((large.result.requestsPerSecond * sandbox.info.attachment.size) / 1e6).toFixed(0)} MB/s, ` +
        `proxy RSS before ${before.toFixed(0)} MB, peak during ${large.peak.toFixed(0)} MB, after ${after.toFixed(0)} MB ` +
        `(buffering whole bodies would hold ≥ ${inFlightMb.toFixed(0)} MB at once)`,
    );
    const failures =
      fixedDirect.failures +
      fixedProxied.failures +
      satDirect.failures +
      satProxied.failures +
      large.result.failures;
    if (failures > 0) console.log(`warning: ${failures} requests failed or answered non-2xx during the run`);
  } finally {
    await backend.stop();
    await sandbox.stop();
  }
}

function row(result: Awaited<ReturnType<typeof load>>) {
  return {
    'req/s': Math.round(result.requestsPerSecond),
    'p50 ms': Number(result.p50.toFixed(2)),
    'p99 ms': Number(result.p99.toFixed(2)),
    requests: result.completed,
    failures: result.failures,
  };
}

/** The proxy is transparent: the same call answers the same status and body both ways. */
async function checkSameAnswer(direct: Target, proxied: Target) {
  const [a, b] = await Promise.all([
    fetch(direct.url, { headers: direct.headers }),
    fetch(proxied.url, { headers: proxied.headers }),
  ]);
  const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
  if (a.status !== 200 || b.status !== a.status || bodyA !== bodyB) {
    throw new Error(`direct answered ${a.status}, proxied ${b.status}: ${bodyB.slice(0, 300)}`);
  }
}
