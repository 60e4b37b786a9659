import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { percentile } from '../support/percentile';

export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Exact per-request latencies in ms (autocannon's own histogram rounds to whole milliseconds). */
  p50: number;
  p99: number;
  completed: number;
  failures: number;
}

export async function load(
  target: Target,
  options: { connections: number; seconds: number; rate?: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: target.url,
    headers: target.headers,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.total / options.seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    completed: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

/** Resident memory of a process, in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Samples a process's RSS every `everyMs` while `work` runs; returns the peak. */
export async function peakRssDuring<T>(pid: number, everyMs: number, work: () => Promise<T>) {
  let peak = await rssMb(pid);
  const timer = setInterval(() => {
    void rssMb(pid).then((value) => {
      peak = Math.max(peak, value);
    });
  }, everyMs);
  try {
    const result = await work();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

/** CPU time (user + system) a process has used so far, in µs, from /proc/<pid>/stat (Linux). */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
