/** `npm run bench [proxy|forge|sync]`: every benchmark one after the other, or only the ones named. */
import { runForgeBenchmark } from './forge/bench';
import { runProxyBenchmark } from './proxy/bench';
import { runSyncBenchmark } from './sync/bench';

const benchmarks = { proxy: runProxyBenchmark, forge: runForgeBenchmark, sync: runSyncBenchmark };
const named = process.argv.slice(2);
const unknown = named.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}`,
  );
  process.exit(2);
}
for (const [name, run] of Object.entries(benchmarks)) {
  if (named.length === 0 || named.includes(name)) await run();
}
