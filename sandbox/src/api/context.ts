/** What every Jira/JSM route handler gets: the acting account, the site, and the sandbox's services. */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { JiraChange, TokenGrant } from '../contracts';
import type { ProjectPermission } from '../seed-types';
import type { ProjectRecord, SandboxState, SiteRecord, UserRecord } from '../state';
import { userCan } from '../state';

export interface ApiActor {
  grant: TokenGrant;
  /** The account the call acts as: the user, the impersonated user, or the app's bot user. */
  user: UserRecord;
  site: SiteRecord;
  /** Rate-limit bucket: the OAuth client id or the Forge app id. */
  appKey: string;
  /** True for Forge tokens (system or impersonation). */
  byApp: boolean;
}

export type ApiEnv = {
  Bindings: HttpBindings;
  Variables: {
    actor: ApiActor;
    /** Objects a read returned, for the rate-limit cost. */
    returnedObjects: number;
    /** The parsed JSON body (undefined when empty; DELETE may carry one too); malformed JSON never reaches a handler. */
    body: unknown;
  };
};

export type ApiContext = Context<ApiEnv>;

export interface ApiServices {
  state: SandboxState;
  now: () => number;
  /** Tells the Forge part (and webhook dispatch) about a change made through the API. */
  notifyChange: (change: JiraChange) => void;
}

export interface ApiRoute {
  api: 'platform' | 'jsm';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The spec's path template, e.g. `/rest/api/3/issue/{issueIdOrKey}`. */
  path: string;
  /** The handler reads the body itself (multipart uploads); otherwise a POST/PUT body is parsed as JSON. */
  rawBody?: boolean;
  handler: (c: ApiContext) => Response | Promise<Response>;
}

export function actorCan(actor: ApiActor, project: ProjectRecord, permission: ProjectPermission): boolean {
  return userCan(actor.user, project, permission);
}

/** Query parameters that Jira accepts repeated or comma-separated (`fields=a,b` or `fields=a&fields=b`). */
export function listParam(c: ApiContext, name: string): string[] | undefined {
  const values = c.req.queries(name);
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export function intParam(c: ApiContext, name: string, fallback: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) ? value : Number.NaN;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Handler = ApiRoute['handler'];

/** A Jira platform route, for tables of routes. */
export function platform(method: ApiRoute['method'], path: string, handler: Handler): ApiRoute {
  return { api: 'platform', method, path, handler };
}

/** A JSM route, for tables of routes. */
export function jsm(method: ApiRoute['method'], path: string, handler: Handler): ApiRoute {
  return { api: 'jsm', method, path, handler };
}

/** `startAt`/`maxResults` paging (Jira's offset pages); null when either is not a non-negative integer. */
export function offsetPage<T>(
  c: ApiContext,
  all: readonly T[],
  defaultMax: number,
  cap = 1000,
): { startAt: number; maxResults: number; values: T[]; isLast: boolean } | null {
  const startAt = intParam(c, 'startAt', 0);
  const maxResults = Math.min(intParam(c, 'maxResults', defaultMax), cap);
  if (!(startAt >= 0) || !(maxResults >= 0)) return null;
  const values = all.slice(startAt, startAt + maxResults);
  c.set('returnedObjects', values.length);
  return { startAt, maxResults, values, isLast: startAt + values.length >= all.length };
}

/** The body as a record (empty when it is not one). */
export function bodyRecord(c: ApiContext): Record<string, unknown> {
  const body = c.get('body');
  return isRecord(body) ? body : {};
}
