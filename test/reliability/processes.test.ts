/**
 * Faults injected, with real `npm start` processes: the CLI run beside a server that holds the embedded
 * database, a second server on the same data folder, a server killed with SIGKILL (its lock left behind), a
 * second `npm start` without Atlassian settings on the same sandbox port, and a sandbox port held by something
 * else. Asserted: one process opens the embedded database, the CLI's keys exist and survive a restart, a
 * second process uses the running sandbox, start-up failures are one clear line, and the first key is never
 * printed to a non-terminal.
 */

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildHandle, freePort, spawnScript } from './support';

const MAIN = 'backend/src/main.ts';
const CLI = 'backend/src/cli.ts';

async function runCli(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const child = spawnScript(CLI, { DATA_DIR: dataDir, DATABASE_URL: '', ...env }, args);
  const code = await child.exited;
  return { code, output: child.output() };
}

/** Until main.ts printed its banner (the first team exists by then), or fails with its output. */
async function waitUntilStarted(child: ChildHandle) {
  while (!child.output().includes('is running')) {
    if (child.process.exitCode !== null)
      throw new Error(`the process exited before starting:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const keyIn = (output: string) => output.match(/jik_[A-Za-z0-9_-]+/)?.[0];

// Each step starts real Node processes; on a loaded machine one start takes seconds.
describe('the embedded database beside the CLI, and a second process', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ChildHandle;
  let url: string;
  let sandboxPort: number;
  const started: ChildHandle[] = [];

  async function startServer(env: Record<string, string> = {}) {
    const port = await freePort();
    const child = spawnScript(MAIN, {
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SANDBOX_PORT: String(sandboxPort),
      ATLASSIAN_CLIENT_ID: '',
      ATLASSIAN_CLIENT_SECRET: '',
      ...env,
    });
    started.push(child);
    return { child, url: `http://127.0.0.1:${port}`, port };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'reliability-embedded-'));
    sandboxPort = await freePort();
    const first = await startServer();
    server = first.child;
    url = first.url;
    await waitUntilStarted(server);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(started.map((child) => child.kill('SIGKILL')));
    await rm(dataDir, { recursive: true, force: true });
  });

  const teamsCall = (key: string, base = url) =>
    fetch(`${base}/v1/jira/connections`, { headers: { authorization: `Bearer ${key}` } });

  it('the first key goes to a file only its owner can read, not to the output', async () => {
    const file = path.join(dataDir, 'first-team-key.txt');
    const key = (await readFile(file, 'utf8')).trim();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(server.output()).toContain(file);
    expect(server.output()).not.toContain(key);
    expect((await teamsCall(key)).status).toBe(200);
  });

  it('the CLI beside the running server creates keys that work at once and after a restart', async () => {
    const created = await runCli(dataDir, ['team', 'create', 'Support team']);
    expect(created.code).toBe(0);
    const key = keyIn(created.output)!;
    expect(key).toBeTruthy();
    expect((await teamsCall(key)).status).toBe(200);
    const teamId = created.output.match(/\(([0-9a-f-]{36})\)/)![1];
    const another = await runCli(dataDir, ['key', 'create', teamId, 'deploys']);
    const second = keyIn(another.output)!;
    expect((await teamsCall(second)).status).toBe(200);
    const listed = await runCli(dataDir, ['team', 'list']);
    expect(listed.output).toContain(`${teamId}  Support team`);

    // A second server on the same data folder is refused, naming the holder, in one line.
    const intruder = await startServer();
    expect(await intruder.child.exited).toBe(1);
    expect(intruder.child.output()).toContain(
      `The embedded database in ${dataDir} is in use by process ${server.process.pid} on ${hostname()}`,
    );
    expect(intruder.child.output()).not.toMatch(/\n\s+at /);
    expect((await teamsCall(key)).status).toBe(200);

    // Killed without a chance to clean up: the lock stays behind, naming a dead process; it is taken over.
    expect(await server.kill('SIGKILL')).toBe('SIGKILL');
    const afterCrash = await runCli(dataDir, ['team', 'list']);
    expect(afterCrash.code).toBe(0);
    expect(afterCrash.output).toContain(`${teamId}  Support team`);
    const restarted = await startServer();
    server = restarted.child;
    url = restarted.url;
    await waitUntilStarted(server);
    expect((await teamsCall(key)).status).toBe(200);
    expect((await teamsCall(second)).status).toBe(200);
  });

  it('the local admin endpoint refuses anyone without the secret file', async () => {
    const admin = JSON.parse(await readFile(path.join(dataDir, 'admin.json'), 'utf8')) as { secret: string };
    expect((await stat(path.join(dataDir, 'admin.json'))).mode & 0o777).toBe(0o600);
    const call = (secret: string) =>
      fetch(`${url}/_admin/cli`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ args: ['team', 'list'] }),
      });
    expect((await call(`${admin.secret}x`)).status).toBe(401);
    expect((await call(admin.secret)).status).toBe(200);
  });

  it('a second npm start without Atlassian settings uses the sandbox the first one runs', async () => {
    const otherDir = await mkdtemp(path.join(tmpdir(), 'reliability-second-'));
    try {
      const second = await startServer({ DATA_DIR: otherDir });
      await waitUntilStarted(second.child);
      expect(second.child.output()).toContain(
        `http://127.0.0.1:${sandboxPort}/_sandbox (run by another backend process)`,
      );
      expect(second.child.output()).not.toContain('EADDRINUSE');
      // It can start a Sign in with Jira flow against that sandbox.
      const key = (await readFile(path.join(otherDir, 'first-team-key.txt'), 'utf8')).trim();
      const start = await fetch(`${second.url}/v1/jira/connections/managed/start`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subdomain: 'acme' }),
      });
      expect(start.status).toBe(200);
      const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
      expect(authorizeUrl.startsWith(`http://127.0.0.1:${sandboxPort}/authorize`)).toBe(true);
      expect((await fetch(authorizeUrl)).status).toBe(200);
      await second.child.kill('SIGTERM');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('a sandbox port held by something else stops the start with one clear line', async () => {
    const squatter = createServer((_request, response) => response.end('not the sandbox'));
    const port = await freePort();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const otherDir = await mkdtemp(path.join(tmpdir(), 'reliability-squat-'));
    try {
      const blocked = await startServer({ DATA_DIR: otherDir, SANDBOX_PORT: String(port) });
      expect(await blocked.child.exited).toBe(1);
      expect(blocked.child.output()).toContain(
        `SANDBOX_PORT ${port} is in use by something that is not the Atlassian sandbox.`,
      );
      expect(blocked.child.output()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('a stale lock from a dead process is taken over; a live one on another host is respected', async () => {
    const otherDir = await mkdtemp(path.join(tmpdir(), 'reliability-lock-'));
    try {
      const lock = path.join(otherDir, 'pglite.lock');
      await writeFile(
        lock,
        JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), startedAt: 'yesterday', command: 'npm start' }),
      );
      expect((await runCli(otherDir, ['team', 'list'])).code).toBe(0);
      await writeFile(
        lock,
        JSON.stringify({ pid: 1, host: 'other-host', startedAt: 'today', command: 'npm start' }),
      );
      const refused = await runCli(otherDir, ['team', 'list']);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('offers no admin endpoint');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
