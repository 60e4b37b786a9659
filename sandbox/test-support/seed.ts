/**
 * Test support for suites that drive the sandbox: handles on the default seed's records and a small HTTP helper.
 * Import as `@jira-integration/sandbox/test-support/seed`.
 */

import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import defaultSeed from '../seed/default.json';
import type { Sandbox } from '../src/index';

function userId(displayName: string): string {
  const user = defaultSeed.users.find((u) => u.displayName === displayName);
  if (!user) throw new Error(`default seed has no user ${displayName}`);
  return user.accountId;
}

function cloudId(name: string): string {
  const site = defaultSeed.sites.find((s) => s.name === name);
  if (!site) throw new Error(`default seed has no site ${name}`);
  return site.cloudId;
}

/** Records of sandbox/seed/default.json that tests refer to. */
export const DEFAULT_SEED = {
  acme: cloudId('acme'),
  globex: cloudId('globex'),
  /** Both sites, every project; holds Administer Jira on both. */
  alice: userId('Alice Admin'),
  /** acme only; cannot browse ENG. */
  bob: userId('Bob Builder'),
  /** acme only; browse-only on ENG, browse+comment on SUP; the app may not impersonate her. */
  carol: userId('Carol Contractor'),
  /** The Forge app's bot user (accountType app). */
  appBot: userId('Platform Sync'),
  managedClient: defaultSeed.oauthClients[0],
  attachmentId: '10500',
  serviceDeskId: '1',
} as const;

/** Every scope the product requests (the 10 of the product spec); tests ask the sandbox for exactly these. */
export const PRODUCT_SCOPES = JIRA_OAUTH_SCOPES;

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text ('' for an empty body). */
  body: unknown;
}

/** Calls `${sandbox.url}${path}` with a bearer token (if any) and a JSON body (if any). */
export async function callSandbox(
  sandbox: Pick<Sandbox, 'url'>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    redirect: 'manual',
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json') && text.length > 0;
  return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
}

/** A user token for one of the seeded accounts, with the product's scopes unless told otherwise. */
export function userToken(
  sandbox: Pick<Sandbox, 'issueUserToken'>,
  accountId: string,
  options: { cloudIds?: string[]; scopes?: readonly string[]; clientId?: string; ttlSeconds?: number } = {},
): string {
  return sandbox.issueUserToken({
    clientId: options.clientId ?? DEFAULT_SEED.managedClient.clientId,
    accountId,
    cloudIds: options.cloudIds ?? [DEFAULT_SEED.acme],
    scopes: [...(options.scopes ?? PRODUCT_SCOPES)],
    ttlSeconds: options.ttlSeconds,
  });
}
