import { bootstrapFirstTeam } from './auth/keys';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startBackend } from './server';

/** Process entry: read config (fail fast on bad values), start, and drain on SIGTERM/SIGINT. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const backend = await startBackend({ config, logger });

  const first = await bootstrapFirstTeam(backend.services.db);
  const lines = [
    '',
    `  ${config.productName} Jira integration is running`,
    `  Console:        ${config.publicUrl}/`,
    `  API reference:  ${config.publicUrl}/docs`,
    `  Database:       ${backend.services.database.kind === 'pglite' ? `embedded PGlite (${config.dataDir})` : 'PostgreSQL'}`,
  ];
  if (first) {
    lines.push(
      '',
      `  Created team "${first.team.name}". Its API key (shown once, keep it safe):`,
      `    ${first.key}`,
      '  Use it as "Authorization: Bearer <key>" or to sign in to the console.',
    );
  }
  console.log(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    await backend.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
