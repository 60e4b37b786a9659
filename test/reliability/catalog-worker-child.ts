/**
 * A backend process for the catalog-ingestion crash test, on DATABASE_URL or DATA_DIR, Atlassian at
 * ATLASSIAN_API_URL. Prints one JSON line when ready, then:
 * - ROLE=doomed (job queue off): makes a team, its key and a connection (ACCESS_TOKEN), starts an ingestion and
 *   runs it itself, stopping for good after STOP_AT request types (the test then kills it with SIGKILL);
 * - ROLE=successor (job queue on, as `npm start`): moves the lost worker's lease to its end (the two minutes
 *   a real sweep would wait) and runs the sweep's recovery once; its queue worker then resumes the ingestion.
 */
import { createApiKey, createTeam } from '@jira-integration/backend/auth/keys';
import { loadConfig } from '@jira-integration/backend/config';
import { catalogIngestions } from '@jira-integration/backend/db/schema';
import { startBackend } from '@jira-integration/backend/server';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import {
  recoverStrandedIngestions,
  runIngestion,
  startIngestion,
} from '@jira-integration/backend/workflows/catalog/service';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { eq, sql } from 'drizzle-orm';

const role = process.env.ROLE;
const config = loadConfig({
  ...process.env,
  LOG_LEVEL: 'warn',
  ATLASSIAN_CLIENT_ID: 'c',
  ATLASSIAN_CLIENT_SECRET: 's',
  JOBS: role === 'successor' ? 'on' : 'off',
});
const backend = await startBackend({ config: { ...config, port: 0, host: '127.0.0.1' } });
const { services } = backend;

if (role === 'doomed') {
  const team = await createTeam(services.db, 'Catalog crash team');
  const { key } = await createApiKey(services.db, team.id);
  const connection = await insertTestConnection(services, {
    teamId: team.id,
    cloudId: DEFAULT_SEED.acme,
    accessToken: process.env.ACCESS_TOKEN ?? '',
    accountId: DEFAULT_SEED.alice,
  });
  const ingestion = await startIngestion(services, team.id, connection.id, 'crash test');
  const stopAt = Number(process.env.STOP_AT);
  await runIngestion(services, ingestion.id, {
    afterProgress: async (row) => {
      if (row.requestTypesDone !== stopAt) return;
      process.stdout.write(
        `${JSON.stringify({ key, ingestionId: ingestion.id, connectionId: connection.id })}\n`,
      );
      await new Promise(() => undefined);
    },
  });
} else {
  // Two minutes pass for the dead worker's lease (the database's clock moved, not a sleep).
  await services.db
    .update(catalogIngestions)
    .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
    .where(eq(catalogIngestions.state, 'running'));
  const recovered = await recoverStrandedIngestions(services);
  process.stdout.write(`${JSON.stringify({ url: backend.url, recovered })}\n`);
}
