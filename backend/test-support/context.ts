import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import { buildApp } from '../src/app';
import { createApiKey, createTeam } from '../src/auth/keys';
import { type Config, loadConfig } from '../src/config';
import type { Clock, Services } from '../src/context';
import { Encryptor, generateKey } from '../src/crypto/encryption';
import { createLogger } from '../src/logger';
import { createServices } from '../src/server';
import { createTestDatabase, type TestDatabaseKind } from './database';

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-11-23T10:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Every log line a test's services write, for assertions such as "no secret was ever logged". */
export class CapturedLogs {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk, _encoding, done) => {
      this.lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  text() {
    return this.lines.join('\n');
  }
}

export interface TestContext {
  services: Services;
  app: ReturnType<typeof buildApp>;
  logs: CapturedLogs;
  team: { id: string; name: string; key: string; workspaceId: string };
  /** Calls the app in-process as the team (Bearer key), JSON in and out. */
  request(path: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Response>;
  /** Another team with its own key, for tenancy tests. */
  createTeam(name: string): Promise<{ id: string; name: string; key: string; workspaceId: string }>;
  close(): Promise<void>;
}

export async function createTestContext(
  options: {
    kind?: TestDatabaseKind;
    env?: Record<string, string>;
    clock?: Clock;
    config?: Partial<Config>;
  } = {},
): Promise<TestContext> {
  const database = await createTestDatabase(options.kind ?? 'pglite');
  const logs = new CapturedLogs();
  const logger = createLogger({ level: 'debug', destination: logs.stream });
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', PORT: '3000', ...options.env }), ...options.config };
  const services = await createServices({
    config,
    database,
    logger,
    clock: options.clock,
    encryptor: new Encryptor([generateKey()]),
  });
  const app = buildApp(services);
  async function makeTeam(name: string) {
    const team = await createTeam(database.db, name);
    const { key } = await createApiKey(database.db, team.id);
    return { ...team, key };
  }
  const team = await makeTeam('Test team');
  return {
    services,
    app,
    logs,
    team,
    createTeam: makeTeam,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      const key = init.key === undefined ? team.key : init.key;
      if (key) headers.set('authorization', `Bearer ${key}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return Promise.resolve(app.request(path, { ...init, headers, body }));
    },
    async close() {
      await services.close();
      await database.close();
    },
  };
}

/** Serves a fetch handler on a random loopback port; close() also drops keep-alive sockets so it returns. */
export async function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
): Promise<{ url: string; server: ServerType; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
