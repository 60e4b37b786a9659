/**
 * The one wiring of a backend to a sandbox (sandbox/, a local Atlassian): `npm start` without Atlassian
 * settings, the test world and the benchmarks all use it. The sandbox package is a development dependency,
 * loaded (dynamically) only by startEmbeddedSandbox, the embedded default.
 */
import type { Sandbox } from '@jira-integration/sandbox';
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

/**
 * `npm start` without a real Atlassian app: starts the sandbox on SANDBOX_PORT, registers both apps, and
 * returns the configuration loaded again with the sandbox's addresses (configuration is never changed after
 * it is loaded).
 */
export async function startEmbeddedSandbox(
  env: Record<string, string | undefined>,
  config: Config,
): Promise<{ sandbox: Sandbox; config: Config }> {
  const { startSandbox } = await import('@jira-integration/sandbox');
  const sandbox = await startSandbox({ port: config.sandboxPort });
  const wired = loadConfig({ ...env, ...sandboxEnvironment(sandbox, SANDBOX_MANAGED_APP) });
  registerBackendApp(sandbox, wired.publicUrl, {
    ...SANDBOX_MANAGED_APP,
    name: `${wired.productName} (managed)`,
    distribution: 'managed',
  });
  registerBackendApp(sandbox, wired.publicUrl, {
    ...DEMO_CUSTOM_APP,
    name: 'Demo company app',
    distribution: 'custom',
  });
  return { sandbox, config: wired };
}
