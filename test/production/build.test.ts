/**
 * The production path: `npm run build` bundles the backend to plain JavaScript that imports only the backend's
 * production dependencies (the sandbox only by a dynamic import production never reaches), and the built
 * `main.js` runs under plain `node` in production mode: it refuses an unsafe configuration by name, serves the
 * API, the console's prebuilt page script and the workflows, and a SIGTERM drains it and removes its lock.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@jira-integration/backend/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBackend, productionDependencies } from '../../scripts/build';
import { freePort, repoRoot, spawnScript, waitUntilServing } from '../reliability/support';

// Inside the repository, so the bundle finds node_modules as an installed copy would.
const outdir = path.join(repoRoot, 'node_modules/.cache', `build-test-${randomBytes(4).toString('hex')}`);
let metafile: Awaited<ReturnType<typeof buildBackend>>['metafile'];

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

beforeAll(async () => {
  ({ metafile } = await buildBackend(outdir));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npm run build', () => {
  it('imports only production dependencies and Node, and the sandbox only dynamically', () => {
    const allowed = new Set([...productionDependencies(), ...builtinModules]);
    const imports = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((i) => i.external),
    );
    const outside = imports
      .filter((i) => !i.path.startsWith('node:') && !allowed.has(packageOf(i.path)))
      .map((i) => `${i.path} (${i.kind})`);
    expect([...new Set(outside)]).toEqual(['@jira-integration/sandbox (dynamic-import)']);
    for (const file of [
      'main.js',
      'main.js.map',
      'cli.js',
      'console-client/connections.js',
      'drizzle/meta/_journal.json',
    ])
      expect(existsSync(path.join(outdir, file)), file).toBe(true);
  });
});

describe('the built backend in production mode', () => {
  const productionEnv = async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'built-backend-'));
    const database = process.env.TEST_DATABASE_URL ? await createTestDatabase('postgres') : undefined;
    return {
      database,
      dataDir,
      env: {
        NODE_ENV: 'production',
        ...(database?.url ? { DATABASE_URL: database.url } : { EMBEDDED_DATABASE: 'on', DATABASE_URL: '' }),
        DATA_DIR: dataDir,
        ATLASSIAN_CLIENT_ID: 'built-client',
        ATLASSIAN_CLIENT_SECRET: 'built-secret',
        ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        PUBLIC_URL: 'https://jira.example.test',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
      } as Record<string, string>,
    };
  };

  it('refuses to start without an encryption key, naming it', async () => {
    const { env, database } = await productionEnv();
    const child = spawnScript(path.join(outdir, 'main.js'), { ...env, ENCRYPTION_KEYS: '' }, [], {
      built: true,
    });
    expect(await child.exited).toBe(1);
    expect(child.output()).toContain('ENCRYPTION_KEYS: set the token encryption keys in production');
    await database?.close();
  });

  it('serves the API, the prebuilt console script and the workflows; SIGTERM drains it and frees its lock', async () => {
    const { env, dataDir, database } = await productionEnv();
    const child = spawnScript(path.join(outdir, 'main.js'), env, [], { built: true });
    const url = `http://127.0.0.1:${env.PORT}`;
    try {
      await waitUntilServing(child, `${url}/healthz`);
      const script = await fetch(`${url}/console/assets/connections.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect(await script.text()).toContain('atlassian.net');
      const key = readFileSync(path.join(dataDir, 'first-team-key.txt'), 'utf8').trim();
      const workflows = (await (
        await fetch(`${url}/v1/workflows`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as { workflows: Array<{ key: string }> };
      expect(workflows.workflows.map((workflow) => workflow.key)).toContain('create-jira-issue');
      const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
        servers: Array<{ url: string }>;
      };
      expect(document.servers[0].url).toBe('https://jira.example.test');
      expect(await child.kill('SIGTERM')).toBe(0);
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      await child.kill('SIGKILL');
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
