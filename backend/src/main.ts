import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, loadConfig } from './config';

const startedAt = performance.now();
/** One line per start-up step on stderr, with the time so far: a slow start shows where it is. */
function progress(step: string) {
  process.stderr.write(`  ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s  ${step}\n`);
}

/**
 * The first team's key is a credential: shown on an interactive terminal only, otherwise written to a file only
 * its owner can read, so it never ends up in a log collector.
 */
function handOverFirstKey(config: Config, first: { team: { name: string }; key: string }): string[] {
  if (process.stdout.isTTY) {
    return [
      '',
      `  Created team "${first.team.name}". Its API key (shown once, keep it safe):`,
      `    ${first.key}`,
      '  Use it as "Authorization: Bearer <key>" or to sign in to the console.',
    ];
  }
  const file = path.resolve(config.dataDir, 'first-team-key.txt');
  writeFileSync(file, `${first.key}\n`, { mode: 0o600 });
  return [
    '',
    `  Created team "${first.team.name}". Output is not a terminal, so its API key was written to`,
    `    ${file} (readable by this user only; delete it once the key is stored safely).`,
  ];
}

/** Process entry: read config (fail fast on bad values), start, and drain on SIGTERM/SIGINT. */
async function main() {
  progress('Reading configuration…');
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Without a real Atlassian app, the sandbox plays Atlassian so the product can be tried end to end.
  // Imported here, not at the top: the first line shows before the application's modules load.
  progress('Loading…');
  const { createLogger } = await import('./logger');
  const { DEMO_CUSTOM_APP, startEmbeddedSandbox } = await import('./sandbox-wiring');
  const { startBackend } = await import('./server');
  const { bootstrapFirstTeam } = await import('./auth/keys');
  if (!config.atlassian) progress('Starting sandbox…');
  const embedded = config.atlassian ? undefined : await startEmbeddedSandbox(process.env, config);
  const sandbox = embedded?.sandbox;
  if (embedded) config = embedded.config;
  const logger = createLogger({ level: config.logLevel });
  const backend = await startBackend({ config, logger, progress });
  const { guardUnhandledRejections } = await import('./process-guards');
  guardUnhandledRejections(process, logger, backend.services.state.metrics.unhandledRejections);
  await embedded?.register();

  const first = await bootstrapFirstTeam(backend.services.db);
  const lines = [
    '',
    `  ${config.productName} Jira integration is running`,
    `  Console:        ${config.publicUrl}/`,
    `  API reference:  ${config.publicUrl}/docs`,
    `  Database:       ${backend.services.database.kind === 'pglite' ? `embedded PGlite (${config.dataDir})` : 'PostgreSQL'}`,
  ];
  if (first) lines.push(...handOverFirstKey(config, first));
  if (sandbox) {
    lines.push(
      '',
      `  Atlassian sandbox (no ATLASSIAN_CLIENT_ID set): ${sandbox.url}/_sandbox${sandbox.owned ? '' : ' (run by another backend process)'}`,
      `    Bring-your-own app to try: client id ${DEMO_CUSTOM_APP.clientId}, secret ${DEMO_CUSTOM_APP.clientSecret}`,
    );
  }
  progress('Ready.');
  console.log(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    await backend.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  // Start-up problems (port taken, embedded database held by another process) are told in one line.
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
