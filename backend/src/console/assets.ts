import path from 'node:path';
import { build } from 'esbuild';
import type { Services } from '../context';

const CLIENT_DIR = path.join(import.meta.dirname, 'client');

/**
 * A console page script (a typed module in console/client/) bundled for the browser with what it imports
 * from shared/. Built once per process (kept in services.state) on first use.
 */
export function browserBundle(services: Services, name: 'connections'): Promise<string> {
  const bundles = services.state.consoleBundles;
  let bundle = bundles.get(name);
  if (!bundle) {
    bundle = build({
      entryPoints: [path.join(CLIENT_DIR, `${name}.ts`)],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    // A failed build is tried again on the next request instead of being remembered.
    bundle.catch(() => bundles.delete(name));
    bundles.set(name, bundle);
  }
  return bundle;
}
