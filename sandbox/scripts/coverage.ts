/** `npm run sandbox:coverage`: served / total operations per spec, then the unserved ones. */

import { startSandbox } from '../src/index';
import { measureCoverage } from '../test-support/coverage';

const sandbox = await startSandbox();
try {
  const reports = await measureCoverage(sandbox);
  for (const r of reports) {
    const percent = ((100 * r.served.length) / r.total).toFixed(1);
    console.log(
      `${r.spec === 'platform' ? 'Jira platform' : 'JSM'}: ${r.served.length} / ${r.total} operations served (${percent}%)`,
    );
  }
  if (!process.argv.includes('--summary')) {
    for (const r of reports) {
      console.log(`\nUnserved (${r.spec}, ${r.unserved.length}):`);
      for (const op of r.unserved) console.log(`  ${op}`);
    }
  }
} finally {
  await sandbox.close();
}
