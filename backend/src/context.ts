import type { createRemoteJWKSet } from 'jose';
import type { FairShare } from './atlassian/fair-share';
import type { RateLimitBudget } from './atlassian/rate-limit';
import type { TeamRequestWindow } from './auth/rate-limits';
import type { KeyRevocations } from './auth/revocation';
import type { Config } from './config';
import type { TokenChecks } from './connections/token-check';
import type { Encryptor } from './crypto/encryption';
import type { Database, Db } from './db/client';
import type { JobQueue } from './jobs/queue';
import type { Logger } from './logger';
import type { Metrics } from './metrics/service';
import type { ProxyAuditWriter } from './proxy/audit';
import type { HeldUserCredentials } from './proxy/credentials';
import type { ProxyCaches } from './proxy/hot-cache';
import type { ImpersonationTokens } from './proxy/impersonation';
import type { SyncRuntime } from './sync/jira-client';

/** Time is injected so expiry rules (OAuth state, tokens) can be tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What one backend process keeps in memory. Built with the services; close() flushes and drops it. */
export interface ProcessState {
  /** Token refreshes in flight, by connection id: concurrent callers share one (connections/tokens.ts). */
  tokenRefreshes: Map<string, Promise<string>>;
  /** Checks of access tokens Jira answered 401 to, by connection id (connections/token-check.ts). */
  tokenChecks: TokenChecks;
  /** The Forge JWKS per URL; jose caches the keys inside (forge/verify.ts). */
  forgeJwks: Map<string, ReturnType<typeof createRemoteJWKSet>>;
  /** Atlassian's hourly budgets as its answers report them (atlassian/rate-limit.ts). */
  rateLimits: RateLimitBudget;
  /** API keys and connections the proxy remembers briefly (proxy/hot-cache.ts). */
  proxyCaches: ProxyCaches;
  /** Proxy audit rows waiting for their batched insert (proxy/audit.ts). */
  proxyAudit: ProxyAuditWriter;
  /** Connecting users' decrypted tokens the proxy holds until they are replaced (proxy/credentials.ts). */
  proxyUserCredentials: HeldUserCredentials;
  /** Console page scripts, bundled once (console/assets.ts). */
  consoleBundles: Map<string, Promise<string>>;
  /** Impersonation tokens and their in-flight requests (proxy/impersonation.ts). */
  impersonationTokens: ImpersonationTokens;
  /** The ticket sync's pacing per site, call counts and email → account lookups (sync/jira-client.ts). */
  sync: SyncRuntime;
  /** Revoked API key ids, refreshed at most once a second (auth/revocation.ts). */
  keyRevocations: KeyRevocations;
  /** Client addresses over the failed-key limit, and until when (auth/rate-limits.ts). */
  failedKeyBlocks: Map<string, number>;
  /** Each team's requests in the current minute (auth/rate-limits.ts). */
  teamRequestWindows: Map<string, TeamRequestWindow>;
  /** Each site's Atlassian budget and its consumers' shares (atlassian/fair-share.ts). */
  fairShare: FairShare;
  /** This process's Prometheus metrics (GET /metrics, metrics/service.ts). */
  metrics: Metrics;
}

/** Everything a route or service needs, built once per process by createServices (server.ts), or per test. */
export interface Services {
  /** Read-only once loaded. */
  readonly config: Readonly<Config>;
  database: Database;
  db: Db;
  logger: Logger;
  queue: JobQueue;
  clock: Clock;
  encryptor: Encryptor;
  state: ProcessState;
  /** Flushes what the process holds (audit rows), stops the queue and drops caches; the database stays open. */
  close(): Promise<void>;
}

export interface AppEnv {
  Variables: {
    services: Services;
    teamId: string;
    /** The API key acting (directly, or through the console session it signed in). */
    actorKeyId?: string;
    /** Who is calling, for the audit log: "key jik_abc…" or "console". */
    actor: string;
    requestId: string;
  };
}
