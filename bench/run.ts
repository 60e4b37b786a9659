/** `npm run bench`: every benchmark, one after the other. */
import { runProxyBenchmark } from './proxy/bench';

await runProxyBenchmark();
