/**
 * Benchmark child: the backend as production runs it (HTTP server, job workers; embedded PGlite in a temporary
 * directory, or with BENCH_DATABASE=postgres a new database on TEST_DATABASE_URL's server), trusting the sandbox's
 * Forge JWKS. Creates TEAMS teams, each with a managed connection to the
 * sandbox's acme site, so every credential push upgrades that many connections. Prints one JSON line, then serves
 * until killed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import { insertTestConnection } from '@jira-integration/backend/connections/testing';
import { createTestDatabase } from '@jira-integration/backend/db/testing';
import { startBackend } from '@jira-integration/backend/server';

const input = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as {
  url: string;
  cloudId: string;
  siteUrl: string;
  accountId: string;
  token: string;
  client: { clientId: string; clientSecret: string };
  forgeAppId: string;
};
const teams = Number(process.env.BENCH_TEAMS ?? 50);
const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-forge-backend-'));
const config = loadConfig({
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  ATLASSIAN_CLIENT_ID: input.client.clientId,
  ATLASSIAN_CLIENT_SECRET: input.client.clientSecret,
  ATLASSIAN_AUTH_URL: input.url,
  ATLASSIAN_API_URL: input.url,
  FORGE_JWKS_URL: `${input.url}/.well-known/jwks.json`,
  FORGE_APP_ID: input.forgeAppId,
});
const database = process.env.BENCH_DATABASE === 'postgres' ? await createTestDatabase('postgres') : undefined;
const backend = await startBackend({ config: { ...config, port: 0, host: '127.0.0.1' }, database });
for (let n = 1; n <= teams; n += 1) {
  const team = await createTeam(backend.services.db, `Bench team ${n}`);
  await insertTestConnection(backend.services, {
    teamId: team.id,
    cloudId: input.cloudId,
    siteUrl: input.siteUrl,
    accountId: input.accountId,
    accessToken: input.token,
    expiresAt: new Date(Date.now() + 4 * 3600_000),
  });
}
process.stdout.write(`${JSON.stringify({ url: backend.url, teams, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void backend
    .close()
    .then(() => database?.close())
    .then(() => rm(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
