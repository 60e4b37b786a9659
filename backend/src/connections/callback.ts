/**
 * The OAuth callback's browser checks. A state completes only for the team that started it, proven by the
 * binding cookie set when the flow started, that team's console session, or that team's API key; anything
 * else is asked to sign in first. Failures go back to the console as a code (plus validated detail), never
 * as free text: the console words them itself, so a crafted link cannot put words in its banner.
 */
import { connectMessages, isValidSubdomain } from '@jira-integration/shared';
import { callbackMessages } from '@jira-integration/shared/security-messages';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Services } from '../context';
import type { ApiError } from '../http/errors';
import { SiteChoiceError } from './service';

export const BROWSER_BINDING_COOKIE = 'oauth_binding';
export const CALLBACK_PATH = '/v1/jira/oauth/callback';

/** Set on the start call (made by the console page): HttpOnly, Lax so Atlassian's redirect carries it back. */
export function setBrowserBinding(c: Context, services: Services, binding: string) {
  setCookie(c, BROWSER_BINDING_COOKIE, binding, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: services.config.publicUrl.startsWith('https://'),
    path: CALLBACK_PATH,
    maxAge: 600,
  });
}

const CALLBACK_ERRORS: Record<string, (query: Record<string, string | undefined>) => string | undefined> = {
  invalid_oauth_state: () => connectMessages.invalidOrExpiredState,
  authorization_denied: () => connectMessages.authorizationCancelled,
  no_sites: () => connectMessages.noSitesAuthorized,
  oauth_callback_failed: () => connectMessages.callbackFailed,
  oauth_client_rejected: () => connectMessages.oauthClientRejected,
  connection_exists: ({ subdomain }) =>
    subdomain && isValidSubdomain(subdomain) ? connectMessages.alreadyConnected(subdomain) : undefined,
  wrong_browser: () => callbackMessages.wrongBrowser,
  site_not_found: ({ subdomain }) =>
    subdomain && isValidSubdomain(subdomain) ? connectMessages.siteNotFound(subdomain) : undefined,
  multiple_sites: ({ count }) =>
    count && /^[0-9]{1,4}$/.test(count) ? connectMessages.multipleSites(Number(count)) : undefined,
};

/** The query string the console gets for a failed callback. */
export function callbackErrorQuery(error: ApiError): Record<string, string> {
  const code = error.code in CALLBACK_ERRORS ? error.code : 'oauth_callback_failed';
  return { error: code, ...(error instanceof SiteChoiceError ? error.detail : {}) };
}

/** The banner text for the console's query string: only our own texts; anything unknown is the generic one. */
export function callbackErrorText(query: Record<string, string | undefined>): string | undefined {
  if (!query.error) return undefined;
  return CALLBACK_ERRORS[query.error]?.(query) ?? connectMessages.callbackFailed;
}

/** Where the sign-in page sends the browser back to finish: only ever our own callback path. */
export function continuationOf(value: string | undefined): string | undefined {
  if (!value?.startsWith(`${CALLBACK_PATH}?`)) return undefined;
  // One path, no scheme or host: `//evil.example` and `/\evil` cannot start with the callback path.
  return value;
}
