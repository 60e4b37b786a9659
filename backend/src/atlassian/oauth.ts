import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import { readJiraJson } from './content';
import { atlassianFetch } from './http';

export interface TokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  expiresInSeconds: number;
  scopes: string[];
}

export interface AccessibleResource {
  id: string;
  url: string;
  name: string;
  scopes: string[];
  avatarUrl?: string;
}

/** Atlassian refused a token request; `error` is the OAuth error code (e.g. invalid_grant). */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

export function buildAuthorizeUrl(p: {
  authUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}): string {
  const url = new URL('/authorize', p.authUrl);
  url.search = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: p.clientId,
    scope: JIRA_OAUTH_SCOPES.join(' '),
    redirect_uri: p.redirectUri,
    state: p.state,
    response_type: 'code',
    prompt: 'consent',
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** Atlassian's token endpoint takes JSON bodies. */
async function requestTokens(authUrl: string, body: Record<string, string>): Promise<TokenSet> {
  const response = await atlassianFetch(new URL('/oauth/token', authUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof payload.access_token !== 'string') {
    throw new OAuthError(
      response.status,
      typeof payload.error === 'string' ? payload.error : 'invalid_response',
      typeof payload.error_description === 'string' ? payload.error_description : `HTTP ${response.status}`,
    );
  }
  return {
    accessToken: payload.access_token,
    refreshToken: typeof payload.refresh_token === 'string' ? payload.refresh_token : undefined,
    expiresInSeconds: typeof payload.expires_in === 'number' ? payload.expires_in : 3600,
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
  };
}

export function exchangeAuthorizationCode(p: {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}): Promise<TokenSet> {
  return requestTokens(p.authUrl, {
    grant_type: 'authorization_code',
    client_id: p.clientId,
    client_secret: p.clientSecret,
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.codeVerifier,
  });
}

export function refreshAccessToken(p: {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}): Promise<TokenSet> {
  return requestTokens(p.authUrl, {
    grant_type: 'refresh_token',
    client_id: p.clientId,
    client_secret: p.clientSecret,
    refresh_token: p.refreshToken,
  });
}

export async function listAccessibleResources(
  apiUrl: string,
  accessToken: string,
): Promise<AccessibleResource[]> {
  const response = await atlassianFetch(new URL('/oauth/token/accessible-resources', apiUrl).toString(), {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  if (!response.ok)
    throw new OAuthError(response.status, 'accessible_resources_failed', `HTTP ${response.status}`);
  return readJiraJson<AccessibleResource[]>(response);
}

/**
 * Whether Atlassian still accepts an access token, asked of accessible-resources: it needs no scope, so a 401
 * there means the token itself is refused (revoked or expired), never that a scope is missing. `unknown` when
 * Atlassian did not say (unavailable, rate limited, another status).
 */
export async function probeAccessToken(
  apiUrl: string,
  accessToken: string,
): Promise<'accepted' | 'refused' | 'unknown'> {
  try {
    const response = await atlassianFetch(
      new URL('/oauth/token/accessible-resources', apiUrl).toString(),
      { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
      { timeoutMs: 10_000, maxRetryWaitMs: 0 },
    );
    await response.body?.cancel();
    if (response.ok) return 'accepted';
    return response.status === 401 ? 'refused' : 'unknown';
  } catch {
    return 'unknown';
  }
}
