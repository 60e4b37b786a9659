import { z } from 'zod';
import { type EncryptionKey, parseKeyList } from './crypto/encryption';

/** The manifest's app id; the backend accepts invocation tokens for this audience unless configured otherwise. */
export const DEFAULT_FORGE_APP_ID = 'ari:cloud:ecosystem::app/7d4f1f2e-5c1a-4d8e-9a53-2b8f0c6e1a10';

const port = z.coerce
  .number()
  .int()
  .min(1, 'must be a port between 1 and 65535')
  .max(65535, 'must be a port between 1 and 65535');
const url = z.url({ message: 'must be an absolute URL such as https://example.com' });
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether HOST binds loopback only (then /metrics may go without a token). */
export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host);

/** A comma-separated list, entries trimmed, empty ones dropped. */
const commaList = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
);

/**
 * What production (`NODE_ENV=production`) refuses to start without: no sandbox standing in for Atlassian, no
 * encryption key generated into the data folder, no embedded database unless asked for, no plain-HTTP public
 * address, no open /metrics on a reachable address. Each refusal names the variable and what to set.
 */
function productionRefusals(env: {
  ATLASSIAN_CLIENT_ID?: string;
  ATLASSIAN_CLIENT_SECRET?: string;
  ENCRYPTION_KEYS?: unknown;
  DATABASE_URL?: string;
  EMBEDDED_DATABASE: 'on' | 'off';
  PUBLIC_URL?: string;
  HOST: string;
  METRICS_TOKEN?: string;
}): Array<[string, string]> {
  const refusals: Array<[string, string]> = [];
  if (!env.ATLASSIAN_CLIENT_ID && !env.ATLASSIAN_CLIENT_SECRET) {
    const app = "set the platform's Atlassian OAuth 2.0 app in production (the sandbox never stands in)";
    refusals.push(['ATLASSIAN_CLIENT_ID', app], ['ATLASSIAN_CLIENT_SECRET', app]);
  }
  if (!env.ENCRYPTION_KEYS)
    refusals.push([
      'ENCRYPTION_KEYS',
      'set the token encryption keys in production ("keyId:base64 of 32 random bytes", e.g. k1:$(openssl rand -base64 32)); none is generated',
    ]);
  if (!env.DATABASE_URL && env.EMBEDDED_DATABASE !== 'on')
    refusals.push([
      'DATABASE_URL',
      'set a postgres:// connection string in production (or EMBEDDED_DATABASE=on to run on PGlite in DATA_DIR, one process only)',
    ]);
  if (!env.PUBLIC_URL?.startsWith('https://'))
    refusals.push([
      'PUBLIC_URL',
      "set the https:// address users and Atlassian reach the backend at in production (OAuth callbacks and Forge's remote need TLS)",
    ]);
  if (!env.METRICS_TOKEN && !isLoopbackHost(env.HOST))
    refusals.push([
      'METRICS_TOKEN',
      `set a bearer token for /metrics in production when HOST (${env.HOST}) is not a loopback address`,
    ]);
  return refusals;
}

const environmentSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: url.optional(),
    DATABASE_URL: z
      .string()
      .optional()
      .transform((value) => (value?.trim() ? value.trim() : undefined))
      .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
        message: 'must be a postgres:// or postgresql:// connection string',
      }),
    DATA_DIR: z.string().min(1).default('./.data'),
    ENCRYPTION_KEYS: optionalText.transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        return parseKeyList(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^ENCRYPTION_KEYS /, '') });
        return z.NEVER;
      }
    }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PRODUCT_NAME: z.string().min(1).default('Serval'),
    ATLASSIAN_CLIENT_ID: optionalText,
    ATLASSIAN_CLIENT_SECRET: optionalText,
    ATLASSIAN_AUTH_URL: url.default('https://auth.atlassian.com'),
    ATLASSIAN_API_URL: url.default('https://api.atlassian.com'),
    FORGE_APP_ID: z.string().min(1).default(DEFAULT_FORGE_APP_ID),
    FORGE_JWKS_URL: url.default('https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json'),
    FORGE_INSTALL_URL: url.optional(),
    SANDBOX_PORT: port.default(4010),
    JOBS: z.enum(['on', 'off']).default('on'),
    METRICS_TOKEN: optionalText,
    TEAM_RATE_LIMIT: z.coerce
      .number({ message: 'must be a whole number of requests per minute (0 turns the limit off)' })
      .int({ message: 'must be a whole number of requests per minute (0 turns the limit off)' })
      .min(0, { message: 'must be a whole number of requests per minute (0 turns the limit off)' })
      .default(60_000),
    TRUSTED_PROXIES: commaList,
    NODE_ENV: optionalText,
    EMBEDDED_DATABASE: z.enum(['on', 'off']).default('off'),
    WORKFLOW_FETCH_ALLOWED_HOSTS: commaList.transform((hosts) => hosts.map((host) => host.toLowerCase())),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      for (const [variable, message] of productionRefusals(env))
        ctx.addIssue({ code: 'custom', path: [variable], message });
    }
    if (Boolean(env.ATLASSIAN_CLIENT_ID) !== Boolean(env.ATLASSIAN_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.ATLASSIAN_CLIENT_ID ? 'ATLASSIAN_CLIENT_SECRET' : 'ATLASSIAN_CLIENT_ID'],
        message:
          'set ATLASSIAN_CLIENT_ID and ATLASSIAN_CLIENT_SECRET together (or neither, to use the sandbox)',
      });
    }
  });

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Parsed from ENCRYPTION_KEYS; the first encrypts, all decrypt. Absent: a development ring in DATA_DIR. */
  encryptionKeys: EncryptionKey[] | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  productName: string;
  /** The platform's own Atlassian app ("Sign in with Jira"); absent means the sandbox stands in. */
  atlassian: { clientId: string; clientSecret: string; authUrl: string; apiUrl: string } | undefined;
  atlassianAuthUrl: string;
  atlassianApiUrl: string;
  forgeAppId: string;
  forgeJwksUrl: string;
  /** Where a Jira admin installs the Forge app (the console links to it). */
  forgeInstallUrl: string;
  sandboxPort: number;
  jobsEnabled: boolean;
  /** Bearer token GET /metrics asks for; unset: /metrics is served on a loopback HOST only. */
  metricsToken: string | undefined;
  /** Requests a team may make per minute on one process; 0 = no limit. */
  teamRateLimitPerMinute: number;
  /**
   * Hosts a workflow's Add Attachment may download from although they are internal (loopback, private…);
   * empty in production, e.g. `localhost` for a development file server.
   */
  workflowFetchAllowedHosts: readonly string[];
  /** Peers (load balancers) whose X-Forwarded-For names the client (http/client-address.ts); empty: none. */
  trustedProxies: readonly string[];
  /** NODE_ENV=production: the refusals of productionRefusals passed, and nothing falls back to development aids. */
  production: boolean;
}

/** Variables whose values are never repeated in an error message. */
const SECRET_VARIABLES = new Set(['ENCRYPTION_KEYS', 'ATLASSIAN_CLIENT_SECRET', 'METRICS_TOKEN']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once, failing with every problem listed by variable name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const given = SECRET_VARIABLES.has(name) ? undefined : env[name];
        return `${name}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
      }),
    );
  }
  const e = parsed.data;
  return frozenConfig({
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    encryptionKeys: e.ENCRYPTION_KEYS,
    logLevel: e.LOG_LEVEL,
    productName: e.PRODUCT_NAME,
    atlassian:
      e.ATLASSIAN_CLIENT_ID && e.ATLASSIAN_CLIENT_SECRET
        ? {
            clientId: e.ATLASSIAN_CLIENT_ID,
            clientSecret: e.ATLASSIAN_CLIENT_SECRET,
            authUrl: e.ATLASSIAN_AUTH_URL,
            apiUrl: e.ATLASSIAN_API_URL,
          }
        : undefined,
    atlassianAuthUrl: e.ATLASSIAN_AUTH_URL.replace(/\/$/, ''),
    atlassianApiUrl: e.ATLASSIAN_API_URL.replace(/\/$/, ''),
    forgeAppId: e.FORGE_APP_ID,
    forgeInstallUrl:
      e.FORGE_INSTALL_URL ??
      `https://developer.atlassian.com/console/install/${e.FORGE_APP_ID.split('/').pop()}?product=jira`,
    forgeJwksUrl: e.FORGE_JWKS_URL,
    sandboxPort: e.SANDBOX_PORT,
    jobsEnabled: e.JOBS === 'on',
    metricsToken: e.METRICS_TOKEN,
    teamRateLimitPerMinute: e.TEAM_RATE_LIMIT,
    workflowFetchAllowedHosts: e.WORKFLOW_FETCH_ALLOWED_HOSTS,
    trustedProxies: e.TRUSTED_PROXIES,
    production: e.NODE_ENV === 'production',
  });
}

/** Configuration is read-only once loaded: a frozen copy, nested values included. */
export function frozenConfig(config: Config): Config {
  return Object.freeze({
    ...config,
    atlassian: config.atlassian && Object.freeze({ ...config.atlassian }),
    encryptionKeys: config.encryptionKeys && Object.freeze([...config.encryptionKeys]),
    workflowFetchAllowedHosts: Object.freeze([...(config.workflowFetchAllowedHosts ?? [])]),
    trustedProxies: Object.freeze([...(config.trustedProxies ?? [])]),
  }) as Config;
}
