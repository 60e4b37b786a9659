import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../context';

const CLIENT_DIR = path.join(import.meta.dirname, 'client');
/** In a build, the page scripts are bundled ahead of time beside the backend's bundle (scripts/build.ts). */
const PREBUILT_DIR = path.join(import.meta.dirname, 'console-client');

/**
 * A console page script (a typed module in console/client/) bundled for the browser with what it imports
 * from shared/. Built once per process (kept in services.state) on first use.
 */
export function browserBundle(services: Services, name: 'connections'): Promise<string> {
  const bundles = services.state.consoleBundles;
  let bundle = bundles.get(name);
  if (!bundle) {
    const prebuilt = path.join(PREBUILT_DIR, `${name}.js`);
    bundle = existsSync(prebuilt) ? readFile(prebuilt, 'utf8') : bundleForBrowser(name);
    // A failed build is tried again on the next request instead of being remembered.
    bundle.catch(() => bundles.delete(name));
    bundles.set(name, bundle);
  }
  return bundle;
}

/** The page script `name` bundled for the browser (esbuild loaded only when a bundle is made). */
export async function bundleForBrowser(name: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(CLIENT_DIR, `${name}.ts`)],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
