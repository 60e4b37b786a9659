/**
 * A backend in its own process, as `npm start` runs it (HTTP server, job queue on), for tests that kill it.
 * Reads DATABASE_URL or DATA_DIR and ATLASSIAN_API_URL from its environment, creates a team, its key and a
 * connection, prints them as one JSON line, then serves until killed.
 */
import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import { startBackend } from '@jira-integration/backend/server';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';

export interface ProxyBackendChild {
  url: string;
  key: string;
  connectionId: string;
}

const config = loadConfig({
  ...process.env,
  LOG_LEVEL: 'warn',
  ATLASSIAN_CLIENT_ID: 'c',
  ATLASSIAN_CLIENT_SECRET: 's',
});
const backend = await startBackend({ config: { ...config, port: 0, host: '127.0.0.1' } });
const team = await createTeam(backend.services.db, 'Crash team');
const { key } = await createApiKey(backend.services.db, team.id);
const connection = await insertTestConnection(backend.services, {
  teamId: team.id,
  cloudId: 'cloud-1',
  accessToken: 'user-token',
});
const info: ProxyBackendChild = { url: backend.url, key, connectionId: connection.id };
process.stdout.write(`${JSON.stringify(info)}\n`);
