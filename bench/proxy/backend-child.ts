/**
 * Benchmark child: the backend as production runs it (HTTP server, embedded PGlite in a temporary directory), wired
 * to the sandbox. Creates a team, its API key and one managed connection holding the sandbox token, prints one JSON
 * line, then serves until killed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import { insertTestConnection } from '@jira-integration/backend/connections/testing';
import { startBackend } from '@jira-integration/backend/server';

const input = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as {
  url: string;
  cloudId: string;
  siteUrl: string;
  accountId: string;
  token: string;
  client: { clientId: string; clientSecret: string };
};
const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-backend-'));
const config = loadConfig({
  LOG_LEVEL: 'warn',
  DATA_DIR: process.env.BENCH_DATA_DIR ?? dataDir,
  ATLASSIAN_CLIENT_ID: input.client.clientId,
  ATLASSIAN_CLIENT_SECRET: input.client.clientSecret,
  ATLASSIAN_AUTH_URL: input.url,
  ATLASSIAN_API_URL: input.url,
  JOBS: 'off',
});
const backend = await startBackend({ config: { ...config, port: 0, host: '127.0.0.1' } });
const { db } = backend.services;
const team = await createTeam(db, 'Bench team');
const { key } = await createApiKey(db, team.id);
const connection = await insertTestConnection(backend.services, {
  teamId: team.id,
  cloudId: input.cloudId,
  siteUrl: input.siteUrl,
  accountId: input.accountId,
  accessToken: input.token,
  expiresAt: new Date(Date.now() + 4 * 3600_000),
});
process.stdout.write(
  `${JSON.stringify({ url: backend.url, key, connectionId: connection.id, pid: process.pid })}\n`,
);
process.on('SIGTERM', () => {
  void backend
    .close()
    .then(() => rm(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
