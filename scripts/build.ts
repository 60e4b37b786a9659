/**
 * `npm run build`: the backend as plain JavaScript in `dist/` (or the folder given), with source maps: `main.js`
 * (the server) and `cli.js`, the workspace's own code (backend, shared) bundled in, every npm package left to
 * `node_modules` (the backend's production dependencies: `npm ci --omit=dev` is enough). The migrations and the
 * console's page scripts go beside them. The sandbox is never bundled: only a start without Atlassian settings
 * imports it, and production refuses such a start.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundleForBrowser } from '../backend/src/console/assets';

const root = path.resolve(import.meta.dirname, '..');

/** The npm packages the bundle may import: the backend's production dependencies (and Node's own modules). */
export function productionDependencies(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'backend/package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@jira-integration/'));
}

export async function buildBackend(outdir = path.join(root, 'dist')): Promise<{ metafile: Metafile }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const external = [
    ...productionDependencies().flatMap((name) => [name, `${name}/*`]),
    '@jira-integration/sandbox',
  ];
  const result = await build({
    entryPoints: { main: path.join(root, 'backend/src/main.ts'), cli: path.join(root, 'backend/src/cli.ts') },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external,
    metafile: true,
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
  });
  cpSync(path.join(root, 'backend/drizzle'), path.join(outdir, 'drizzle'), { recursive: true });
  mkdirSync(path.join(outdir, 'console-client'));
  writeFileSync(path.join(outdir, 'console-client/connections.js'), await bundleForBrowser('connections'));
  // The bundle is ESM whatever the folder it is copied to.
  writeFileSync(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  return { metafile: result.metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  await buildBackend(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`Built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
