/**
 * The seams between the sandbox's parts. The core (OAuth, Jira, JSM, limits, faults) owns the state and
 * the HTTP server; the Forge platform part (sandbox/src/forge/) plugs in through these interfaces.
 */
import type { Hono } from 'hono';

/** Who a bearer token speaks for. Every Jira/JSM route resolves its token through the registry. */
export type TokenGrant =
  | {
      kind: 'user';
      /** OAuth 3LO access token of an Atlassian account, issued to an OAuth client. */
      clientId: string;
      accountId: string;
      cloudIds: string[];
      scopes: string[];
      expiresAt: number;
    }
  | {
      kind: 'system';
      /** Forge app system token (`x-forge-oauth-system`): acts as the app's bot user on one site. */
      appId: string;
      accountId: string;
      cloudIds: string[];
      scopes: string[];
      expiresAt: number;
    }
  | {
      kind: 'impersonation';
      /** Offline user token from GraphQL offlineUserAuthToken: the app acting as a user. */
      appId: string;
      accountId: string;
      cloudIds: string[];
      scopes: string[];
      expiresAt: number;
    };

export interface TokenRegistry {
  /** Registers a bearer token; returns it for chaining. */
  add(token: string, grant: TokenGrant): string;
  get(token: string): TokenGrant | undefined;
  revoke(token: string): void;
}

/** A Jira change that Forge turns into an `avi:jira:*` event. */
export interface JiraChange {
  eventType:
    | 'avi:jira:created:issue'
    | 'avi:jira:updated:issue'
    | 'avi:jira:deleted:issue'
    | 'avi:jira:commented:issue';
  cloudId: string;
  /** The issue as GET /issue/{key} would show it (id, key, fields...). */
  issue: { id: string; key: string; fields: Record<string, unknown> };
  comment?: Record<string, unknown>;
  changelog?: Record<string, unknown>;
  /** Account that made the change. */
  actorAccountId: string;
  /** True when the change came through a Forge app token (system or impersonation): `ignoreSelf` drops it. */
  byApp: boolean;
  timestamp: number;
}

/** What the Forge platform part receives from the core. */
export interface ForgePlatformContext {
  tokens: TokenRegistry;
  /** Milliseconds since epoch; injectable so tests can move time. */
  now(): number;
  /** Sites known to the sandbox. */
  sites(): Array<{ cloudId: string; name: string; url: string }>;
  /** Users known to the sandbox; `appAccess` false means impersonation is refused. */
  users(): Array<{ accountId: string; displayName: string; appAccess: boolean; siteIds: string[] }>;
  /** Public base URL of the sandbox (the Forge `apiBaseUrl` is `${url}/ex/jira/${cloudId}`). */
  url(): string;
}

/** The Forge platform part, created once per sandbox. */
export interface ForgePlatform {
  /** Routes mounted at the sandbox root (JWKS, /graphql, /_sandbox/forge/*). */
  routes: Hono;
  /** Called by the core after every Jira change made through the API. */
  onJiraChange(change: JiraChange): void;
  /** Stops timers and pending deliveries. */
  close(): Promise<void>;
  /** Clears installations, pending deliveries and impersonation tokens. */
  reset(): void;
}
