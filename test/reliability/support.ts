/** Helpers for the fault tests: gated Atlassian token endpoints, real child processes, connection killing. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from '@jira-integration/backend/test-support/context';
import { Hono } from 'hono';
import pg from 'pg';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A token endpoint that holds every refresh until `release()`: a slowed Atlassian, with no timer involved. */
export async function startGatedTokenEndpoint() {
  let received = 0;
  let answered = 0;
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const app = new Hono();
  app.post('/oauth/token', async (c) => {
    const body = await c.req.json();
    received += 1;
    await gate;
    answered += 1;
    return c.json({
      access_token: `fresh-for-${body.refresh_token}`,
      refresh_token: `rotated-${body.refresh_token}`,
      expires_in: 3600,
      scope: 'read:jira-work',
    });
  });
  const server = await listen(app.fetch);
  return {
    url: server.url,
    /** Token requests that reached Atlassian (answered or still held). */
    received: () => received,
    answered: () => answered,
    release() {
      open();
    },
    /** Holds the next requests again. */
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    close: () => {
      open();
      return server.close();
    },
  };
}

/**
 * pg_terminate_backend on every other session of the test's own database (never the shared server's other
 * databases): what a failover or an administrator's kill does to the process's connections.
 */
export async function terminateConnections(databaseUrl: string): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
    return rows.filter((row) => row.killed).length;
  } finally {
    await admin.end();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ChildHandle {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * `node --import tsx <script>` from the repository root, output collected (no tsx wrapper: the pid is the
 * program's); `{ built: true }` runs plain JavaScript (a build's output) with plain `node`.
 */
export function spawnScript(
  script: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  options: { built?: boolean } = {},
): ChildHandle {
  const loader = options.built ? ['--enable-source-maps'] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    process: child,
    output: () => output,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `url` answers 200, or fails with the child's output if it exits first. */
export async function waitUntilServing(child: ChildHandle, url: string): Promise<void> {
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the process exited before serving:\n${child.output()}`);
    const ok = await fetch(url)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
