/**
 * The one wiring of a backend to a sandbox (sandbox/, a local Atlassian): `npm start` without Atlassian
 * settings, the test world and the benchmarks all use it. The sandbox package is a development dependency,
 * loaded (dynamically) only by startEmbeddedSandbox, the embedded default.
 */
import type { Sandbox } from '@jira-integration/sandbox';
import { operationsMessages } from '@jira-integration/shared';
import { type Config, loadConfig } from './config';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

/** What of a sandbox the backend needs to know. */
export interface SandboxAddress {
  url: string;
  forge: { appId: string };
}

/** The OAuth callback URL the sandbox must allow for a backend. */
export function oauthCallbackUrl(publicUrl: string): string {
  return `${publicUrl}/v1/jira/oauth/callback`;
}

/** The environment that points a backend at a sandbox, with `managed` as the platform's own Atlassian app. */
export function sandboxEnvironment(sandbox: SandboxAddress, managed: OAuthApp): Record<string, string> {
  return {
    ATLASSIAN_CLIENT_ID: managed.clientId,
    ATLASSIAN_CLIENT_SECRET: managed.clientSecret,
    ATLASSIAN_AUTH_URL: sandbox.url,
    ATLASSIAN_API_URL: sandbox.url,
    FORGE_JWKS_URL: `${sandbox.url}/.well-known/jwks.json`,
    FORGE_APP_ID: sandbox.forge.appId,
  };
}

/** Registers an OAuth app of the backend at `publicUrl` with the sandbox (its callback URL allowed). */
export function registerBackendApp(
  sandbox: Pick<Sandbox, 'registerOAuthClient'>,
  publicUrl: string,
  app: OAuthApp & { name: string; distribution: 'managed' | 'custom' },
): void {
  sandbox.registerOAuthClient({ ...app, callbackUrls: [oauthCallbackUrl(publicUrl)] });
}

/** The platform's app in the embedded sandbox, and a bring-your-own app so the custom flow can be tried too. */
export const SANDBOX_MANAGED_APP: OAuthApp = {
  clientId: 'sandbox-managed-app',
  clientSecret: 'sandbox-managed-secret',
};
export const DEMO_CUSTOM_APP: OAuthApp = { clientId: 'demo-custom-app', clientSecret: 'demo-custom-secret' };

/** A sandbox this process started, or one another backend process runs on SANDBOX_PORT. */
export interface SandboxInUse {
  url: string;
  /** False when another process runs it (this one only registers its callback URL there). */
  owned: boolean;
  close(): Promise<void>;
}

export class SandboxPortTakenError extends Error {}

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

/** The sandbox, or undefined when its port was taken meanwhile (its server reports that as an uncaught error). */
async function startSandboxOnPort(port: number): Promise<Sandbox | undefined> {
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

/**
 * Starts the sandbox on SANDBOX_PORT or, when another backend process already runs it there, uses that one,
 * so `npm start` can run twice (README: several backend processes).
 */
async function useSandbox(port: number): Promise<SandboxInUse & { appId?: string }> {
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const found = await probeSandboxPort(url);
    if (found === 'sandbox') return { url, owned: false, close: async () => undefined };
    if (found === 'other') throw new SandboxPortTakenError(operationsMessages.sandboxPortTaken(port));
    const started = await startSandboxOnPort(port);
    if (started)
      return { url: started.url, owned: true, close: () => started.close(), appId: started.forge.appId };
    // Another process bound the port between the probe and our listen: its sandbox will answer shortly.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new SandboxPortTakenError(operationsMessages.sandboxPortTaken(port));
}

/** Registers the backend's two apps with the sandbox over its admin API, wherever it runs. */
async function registerAppsOverHttp(sandboxUrl: string, config: Config): Promise<void> {
  const apps = [
    { ...SANDBOX_MANAGED_APP, name: `${config.productName} (managed)`, distribution: 'managed' },
    { ...DEMO_CUSTOM_APP, name: 'Demo company app', distribution: 'custom' },
  ];
  for (const app of apps) {
    const register = () =>
      fetch(`${sandboxUrl}/_sandbox/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...app, callbackUrls: [oauthCallbackUrl(config.publicUrl)] }),
      });
    // Once more on a new socket: the probe's kept-alive one may have been closed by the sandbox meanwhile.
    const response = await register().catch(register);
    if (!response.ok)
      throw new Error(`the sandbox refused the ${app.clientId} app (HTTP ${response.status})`);
  }
}

/**
 * `npm start` without a real Atlassian app: uses the sandbox on SANDBOX_PORT (started here, or the one another
 * backend process runs) and returns the configuration loaded again with the sandbox's addresses (configuration is
 * never changed after it is loaded). `register()` allows this backend's callback there; call it once the backend
 * is up, so a process that fails to start never changes the sandbox's apps.
 */
export async function startEmbeddedSandbox(
  env: Record<string, string | undefined>,
  config: Config,
): Promise<{ sandbox: SandboxInUse; config: Config; register(): Promise<void> }> {
  const sandbox = await useSandbox(config.sandboxPort);
  const wired = loadConfig({
    ...env,
    ...sandboxEnvironment(
      { url: sandbox.url, forge: { appId: sandbox.appId ?? config.forgeAppId } },
      SANDBOX_MANAGED_APP,
    ),
  });
  return { sandbox, config: wired, register: () => registerAppsOverHttp(sandbox.url, wired) };
}
