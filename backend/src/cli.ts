import { operationsMessages } from '@jira-integration/shared';
import { runCommand, USAGE } from './admin/commands';
import { readLocalAdminEndpoint } from './admin/local-admin';
import { ADMIN_CLI_PATH } from './admin/routes';
import { ConfigError, loadConfig } from './config';
import { migrateDatabase, openDatabase } from './db/client';
import { readLockHolder } from './db/data-dir-lock';

/**
 * Small admin CLI. On PostgreSQL, or on an embedded database no process holds, it works on the database
 * itself; while a server holds the embedded database, it asks that server to run the command.
 */
async function main(args: string[]) {
  if (args.length === 0) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const holder = config.databaseUrl ? undefined : readLockHolder(config.dataDir);
  const result = holder
    ? await askRunningServer(config.dataDir, holder.pid, args)
    : await runHere(config, args);
  for (const line of result.output) console.log(line);
  for (const line of result.errors) console.error(line);
  process.exitCode = result.exitCode;
}

async function runHere(config: ReturnType<typeof loadConfig>, args: string[]) {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateDatabase(database);
    return await runCommand({ database, config, host: 'cli' }, args);
  } finally {
    await database.close();
  }
}

async function askRunningServer(dataDir: string, pid: number, args: string[]) {
  const endpoint = readLocalAdminEndpoint(dataDir);
  if (!endpoint || endpoint.pid !== pid)
    throw new Error(operationsMessages.cliNoServerEndpoint(dataDir, pid));
  const response = await fetch(`${endpoint.url}${ADMIN_CLI_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoint.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ args }),
  }).catch(() => {
    throw new Error(operationsMessages.cliServerUnreachable(endpoint.url, pid));
  });
  if (!response.ok) throw new Error(operationsMessages.cliServerRefused(response.status));
  return (await response.json()) as { output: string[]; errors: string[]; exitCode: number };
}

main(process.argv.slice(2)).catch((error) => {
  console.error(
    error instanceof ConfigError ? error.message : `Error: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});
