import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import type { Clock } from '@jira-integration/backend/context';
import { Encryptor, generateKey } from '@jira-integration/backend/crypto/encryption';
import { type Database, openDatabase } from '@jira-integration/backend/db/client';
import { createLogger } from '@jira-integration/backend/logger';
import { type RunningBackend, startBackend } from '@jira-integration/backend/server';
import { CapturedLogs } from '@jira-integration/backend/test-support/context';
import { createTestDatabase, type TestDatabaseKind } from '@jira-integration/backend/test-support/database';

export interface TestBackend extends RunningBackend {
  logs: CapturedLogs;
  team: { id: string; name: string; key: string; workspaceId: string };
}

/** A whole backend process in-process: real HTTP server on a random port, fresh database, queue running. */
export async function startTestBackend(
  options: {
    kind?: TestDatabaseKind;
    env?: Record<string, string>;
    shareDatabaseOf?: TestBackend;
    clock?: Clock;
    /** A database opened by the caller (e.g. a file-backed PGlite another process opens later). */
    database?: Database;
  } = {},
): Promise<TestBackend> {
  // A second process on the same PostgreSQL database opens its own pool, as a separate process would.
  const shared = options.shareDatabaseOf?.services.database.url;
  const database = options.database
    ? options.database
    : shared
      ? await openDatabase({ url: shared })
      : await createTestDatabase(options.kind ?? 'pglite');
  const logs = new CapturedLogs();
  const base = loadConfig({ LOG_LEVEL: 'debug', ...options.env });
  // Port 0 picks a free port; the public URL is the address the server got.
  const backend = await startBackend({
    config: { ...base, port: 0, host: '127.0.0.1' },
    database,
    logger: createLogger({ level: 'debug', destination: logs.stream }),
    clock: options.clock,
    // Both processes of a shared database must read the same rows, so they share one key ring.
    encryptor: options.shareDatabaseOf?.services.encryptor ?? new Encryptor([generateKey()]),
    publicUrlFromAddress: true,
  });
  const team = options.shareDatabaseOf?.team ?? (await createTeam(backend.services.db, 'Browser team'));
  const key = options.shareDatabaseOf?.team.key ?? (await createApiKey(backend.services.db, team.id)).key;
  return {
    ...backend,
    logs,
    team: { ...team, key },
    async close() {
      await backend.close();
      await database.close();
    },
  };
}

/** Calls a backend over HTTP as a team (`Authorization: Bearer <key>`), with an optional JSON body. */
export function fetchAsTeam(
  baseUrl: string,
  key: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${baseUrl}${path}`, {
    ...init,
    headers,
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  });
}
