import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { operationsMessages } from '@jira-integration/shared';
import { bootstrapFirstTeam } from './auth/keys';
import { type Config, ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startBackend } from './server';

/** A bring-your-own OAuth app registered in the sandbox, so the custom flow can be tried too. */
const DEMO_CUSTOM_APP = { clientId: 'demo-custom-app', clientSecret: 'demo-custom-secret' };
const SANDBOX_MANAGED_APP = { clientId: 'sandbox-managed-app', clientSecret: 'sandbox-managed-secret' };

interface SandboxInUse {
  url: string;
  /** False when another process runs it (this one only registered its callback URL there). */
  owned: boolean;
  close(): Promise<void>;
}

class SandboxPortTakenError extends Error {}

/** What is listening on the sandbox port: the sandbox (its stats answer), something else, or nothing. */
async function probeSandboxPort(url: string): Promise<'sandbox' | 'other' | 'free'> {
  try {
    const response = await fetch(`${url}/_sandbox/stats`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json().catch(() => null)) as { tokenRequests?: unknown } | null;
    return response.ok && body?.tokenRequests ? 'sandbox' : 'other';
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'free' : 'other';
  }
}

/**
 * Starts the sandbox on SANDBOX_PORT, or, when another backend process already runs it there, uses that one,
 * so `npm start` can run twice (README: several backend processes).
 */
async function useSandbox(config: Config): Promise<SandboxInUse> {
  const url = `http://127.0.0.1:${config.sandboxPort}`;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const found = await probeSandboxPort(url);
    if (found === 'sandbox') return { url, owned: false, close: async () => undefined };
    if (found === 'other')
      throw new SandboxPortTakenError(operationsMessages.sandboxPortTaken(config.sandboxPort));
    const started = await startSandboxOnPort(config.sandboxPort);
    if (started) return { url: started.url, owned: true, close: () => started.close() };
    // Another process bound the port between the probe and our listen: its sandbox will answer shortly.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new SandboxPortTakenError(operationsMessages.sandboxPortTaken(config.sandboxPort));
}

/** The sandbox, or undefined when its port was taken meanwhile (its server reports that as an uncaught error). */
async function startSandboxOnPort(port: number) {
  const { startSandbox } = await import('@jira-integration/sandbox');
  let portTaken: (() => void) | undefined;
  const onUncaught = (error: NodeJS.ErrnoException & { port?: number }) => {
    if (error.code === 'EADDRINUSE' && error.port === port && portTaken) return portTaken();
    throw error;
  };
  process.on('uncaughtException', onUncaught);
  try {
    return await Promise.race([
      startSandbox({ port }),
      new Promise<undefined>((resolve) => {
        portTaken = () => resolve(undefined);
      }),
    ]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}

/** Registers this process's OAuth callback for the sandbox's two apps (over its admin API, wherever it runs). */
async function registerSandboxApps(config: Config, sandboxUrl: string): Promise<void> {
  const callbackUrls = [`${config.publicUrl}/v1/jira/oauth/callback`];
  const apps = [
    { ...SANDBOX_MANAGED_APP, name: `${config.productName} (managed)`, distribution: 'managed' },
    { ...DEMO_CUSTOM_APP, name: 'Demo company app', distribution: 'custom' },
  ];
  for (const app of apps) {
    const register = () =>
      fetch(`${sandboxUrl}/_sandbox/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...app, callbackUrls }),
      });
    // Once more on a new socket: the probe's kept-alive one may have been closed by the sandbox meanwhile.
    const response = await register().catch(register);
    if (!response.ok)
      throw new Error(`the sandbox refused the ${app.clientId} app (HTTP ${response.status})`);
  }
}

function wireToSandbox(config: Config, sandboxUrl: string): void {
  config.atlassian = { ...SANDBOX_MANAGED_APP, authUrl: sandboxUrl, apiUrl: sandboxUrl };
  config.atlassianAuthUrl = sandboxUrl;
  config.atlassianApiUrl = sandboxUrl;
  config.forgeJwksUrl = `${sandboxUrl}/.well-known/jwks.json`;
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
  // Without a real Atlassian app, the sandbox plays Atlassian so the product can be tried end to end.
  const sandbox = config.atlassian ? undefined : await useSandbox(config);
  if (sandbox) wireToSandbox(config, sandbox.url);
  const backend = await startBackend({ config, logger });
  // Only once this process is up: a process that fails to start must not change the sandbox's callbacks.
  if (sandbox) await registerSandboxApps(config, sandbox.url);

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
