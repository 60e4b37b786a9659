/**
 * Atlassian OAuth 2.0 (3LO) as the sandbox plays it: authorization requests, single-use codes, access tokens,
 * and rotating refresh tokens grouped in families with reuse detection (jira-api.md §1).
 */
import { createHash } from 'node:crypto';
import type { GrantRecord, OAuthClientRecord, SandboxState } from '../state';
import { type InMemoryTokenRegistry, newOpaqueToken } from '../tokens';
import { OAUTH_MESSAGES } from './messages';
import { isKnownScope, parseScopeParam } from './scopes';

export const AUTHORIZATION_CODE_TTL_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** Refresh tokens die after 90 days unused and 365 days after consent, however often they rotate. */
export const REFRESH_INACTIVITY_MS = 90 * DAY_MS;
export const REFRESH_ABSOLUTE_MS = 365 * DAY_MS;

export interface OAuthConfig {
  accessTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
}

export interface AuthorizeRequest {
  client: OAuthClientRecord;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  /** The original query, re-posted by the consent form. */
  params: URLSearchParams;
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** Shown as an error page: the app's identity or callback cannot be trusted, so there is no redirect. */
  | { kind: 'page'; message: string }
  | { kind: 'redirect'; location: string };

export type ApproveResult = { kind: 'redirect'; location: string } | { kind: 'error'; message: string };

export interface TokenResponse {
  status: 200 | 400 | 401 | 403;
  body: Record<string, unknown>;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  accountId: string;
  cloudIds: string[];
  scopes: string[];
  codeChallenge: string | null;
  expiresAt: number;
  /** Set once exchanged; a second exchange revokes what the first one issued. */
  familyId: string | null;
}

interface FamilyRecord {
  id: string;
  clientId: string;
  accountId: string;
  cloudIds: string[];
  scopes: string[];
  consentedAt: number;
  accessTokens: Set<string>;
  refreshTokens: Set<string>;
  current: { accessToken: string; refreshToken: string | null; expiresAt: number };
}

interface RefreshRecord {
  familyId: string;
  issuedAt: number;
  /** When it was exchanged for a new pair; reuse after that is tolerated only within the grace window. */
  rotatedAt: number | null;
}

export interface OAuthDeps {
  state: SandboxState;
  tokens: InMemoryTokenRegistry;
  now: () => number;
  config: OAuthConfig;
}

export function grantKey(clientId: string, accountId: string): string {
  return `${clientId} ${accountId}`;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

function oauthError(status: TokenResponse['status'], error: string, description: string): TokenResponse {
  return { status, body: { error, error_description: description } };
}

/** What a directly issued user access token carries (tests and benchmarks skip the consent flow with it). */
export interface UserTokenRequest {
  clientId: string;
  accountId: string;
  cloudIds: string[];
  scopes: string[];
  ttlSeconds?: number;
}

export class OAuthService {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly families = new Map<string, FamilyRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private familyCounter = 0;

  constructor(private readonly deps: OAuthDeps) {}

  reset(): void {
    this.codes.clear();
    this.families.clear();
    this.refreshTokens.clear();
  }

  checkAuthorizeRequest(params: URLSearchParams): AuthorizeCheck {
    const clientId = params.get('client_id');
    if (!clientId) return { kind: 'page', message: OAUTH_MESSAGES.missingClientId };
    const client = this.deps.state.clients.get(clientId);
    if (!client) return { kind: 'page', message: OAUTH_MESSAGES.unknownClient };
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client.callbackUrls.includes(redirectUri)) {
      return { kind: 'page', message: OAUTH_MESSAGES.redirectUriNotRegistered };
    }
    const state = params.get('state');
    const fail = (error: string, description: string): AuthorizeCheck => ({
      kind: 'redirect',
      location: withParams(redirectUri, { error, error_description: description, state }),
    });
    if (params.get('response_type') !== 'code') {
      return fail('unsupported_response_type', OAUTH_MESSAGES.unsupportedResponseType);
    }
    if (params.get('audience') !== 'api.atlassian.com')
      return fail('invalid_request', OAUTH_MESSAGES.wrongAudience);
    const scopes = parseScopeParam(params.get('scope') ?? '');
    if (scopes.length === 0) return fail('invalid_scope', OAUTH_MESSAGES.missingScope);
    const unknown = scopes.filter((s) => !isKnownScope(s));
    if (unknown.length > 0) return fail('invalid_scope', OAUTH_MESSAGES.unknownScopes(unknown));
    const codeChallenge = params.get('code_challenge');
    if (codeChallenge && (params.get('code_challenge_method') ?? 'plain') !== 'S256') {
      return fail('invalid_request', OAUTH_MESSAGES.unsupportedChallengeMethod);
    }
    return { kind: 'ok', request: { client, redirectUri, scopes, state, codeChallenge, params } };
  }

  /** The user approved: record the grant and send the app a single-use code. */
  approve(request: AuthorizeRequest, accountId: string, cloudIds: string[]): ApproveResult {
    const { state: sandboxState, now } = this.deps;
    const user = sandboxState.users.get(accountId);
    if (!user) return { kind: 'error', message: OAUTH_MESSAGES.unknownAccount(accountId) };
    if (user.accountType !== 'atlassian')
      return { kind: 'error', message: OAUTH_MESSAGES.appAccountCannotConsent };
    const chosen = [...new Set(cloudIds)];
    if (chosen.length === 0) return { kind: 'error', message: OAUTH_MESSAGES.noSiteChosen };
    for (const cloudId of chosen) {
      const site = sandboxState.sites.get(cloudId);
      if (!site || !user.siteIds.includes(cloudId)) {
        return { kind: 'error', message: OAUTH_MESSAGES.siteNotAccessible(site?.name ?? cloudId) };
      }
    }
    const grant = this.recordGrant(request.client.clientId, accountId, chosen, request.scopes);
    const code = newOpaqueToken('sbx_code_');
    this.codes.set(code, {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      accountId,
      cloudIds: [...grant.cloudIds],
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
      expiresAt: now() + AUTHORIZATION_CODE_TTL_MS,
      familyId: null,
    });
    return { kind: 'redirect', location: withParams(request.redirectUri, { code, state: request.state }) };
  }

  deny(request: AuthorizeRequest): string {
    return withParams(request.redirectUri, {
      error: 'access_denied',
      error_description: OAUTH_MESSAGES.userDenied,
      state: request.state,
    });
  }

  /** One grant per (app, account): consenting again adds sites and scopes to it. */
  private recordGrant(
    clientId: string,
    accountId: string,
    cloudIds: string[],
    scopes: string[],
  ): GrantRecord {
    const grants = this.deps.state.grants;
    const key = grantKey(clientId, accountId);
    const existing = grants.get(key);
    const grant: GrantRecord = existing
      ? {
          ...existing,
          cloudIds: [...new Set([...existing.cloudIds, ...cloudIds])],
          scopes: [...new Set([...existing.scopes, ...scopes])],
        }
      : { clientId, accountId, cloudIds, scopes, consentedAt: this.deps.now() };
    grants.set(key, grant);
    return grant;
  }

  /** POST /oauth/token. `basic` carries HTTP Basic client credentials when the client sent them that way. */
  token(
    body: Record<string, string>,
    basic: { clientId: string; clientSecret: string } | null,
  ): TokenResponse {
    const grantType = body.grant_type;
    if (!grantType) return oauthError(400, 'invalid_request', OAUTH_MESSAGES.missingGrantType);
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', OAUTH_MESSAGES.unsupportedGrantType(grantType));
    }
    const clientId = basic?.clientId ?? body.client_id;
    const clientSecret = basic?.clientSecret ?? body.client_secret;
    const client = clientId ? this.deps.state.clients.get(clientId) : undefined;
    if (!client || client.clientSecret !== clientSecret) {
      return oauthError(401, 'access_denied', OAUTH_MESSAGES.clientUnauthorized);
    }
    return grantType === 'authorization_code' ? this.exchangeCode(client, body) : this.refresh(client, body);
  }

  private exchangeCode(client: OAuthClientRecord, body: Record<string, string>): TokenResponse {
    for (const name of ['code', 'redirect_uri']) {
      if (!body[name]) return oauthError(400, 'invalid_request', OAUTH_MESSAGES.missingParameter(name));
    }
    const record = this.codes.get(body.code);
    if (!record || record.clientId !== client.clientId) {
      return oauthError(403, 'invalid_grant', OAUTH_MESSAGES.invalidCode);
    }
    if (record.familyId !== null) {
      // A replayed code means it leaked: revoke everything it produced (RFC 6749 §4.1.2).
      this.revokeFamily(record.familyId);
      this.codes.delete(body.code);
      return oauthError(403, 'invalid_grant', OAUTH_MESSAGES.invalidCode);
    }
    if (record.expiresAt <= this.deps.now()) {
      this.codes.delete(body.code);
      return oauthError(403, 'invalid_grant', OAUTH_MESSAGES.invalidCode);
    }
    if (record.redirectUri !== body.redirect_uri) {
      return oauthError(403, 'invalid_grant', OAUTH_MESSAGES.redirectUriMismatch);
    }
    if (record.codeChallenge !== null) {
      const verifier = body.code_verifier;
      if (!verifier || s256(verifier) !== record.codeChallenge) {
        return oauthError(403, 'invalid_grant', OAUTH_MESSAGES.pkceFailed);
      }
    }
    const family: FamilyRecord = {
      id: `family-${++this.familyCounter}`,
      clientId: client.clientId,
      accountId: record.accountId,
      cloudIds: record.cloudIds,
      scopes: record.scopes,
      consentedAt: this.deps.state.grants.get(grantKey(client.clientId, record.accountId))?.consentedAt ?? 0,
      accessTokens: new Set(),
      refreshTokens: new Set(),
      current: { accessToken: '', refreshToken: null, expiresAt: 0 },
    };
    this.families.set(family.id, family);
    record.familyId = family.id;
    this.issuePair(family, family.scopes.includes('offline_access'));
    return this.pairResponse(family);
  }

  private refresh(client: OAuthClientRecord, body: Record<string, string>): TokenResponse {
    if (!body.refresh_token) {
      return oauthError(400, 'invalid_request', OAUTH_MESSAGES.missingParameter('refresh_token'));
    }
    const invalid = oauthError(403, 'invalid_grant', OAUTH_MESSAGES.unknownRefreshToken);
    const record = this.refreshTokens.get(body.refresh_token);
    const family = record ? this.families.get(record.familyId) : undefined;
    if (!record || !family || family.clientId !== client.clientId) return invalid;
    const now = this.deps.now();
    if (record.rotatedAt !== null) {
      if (now - record.rotatedAt <= this.deps.config.refreshReuseGraceSeconds * 1000) {
        // Within the leeway a retry (e.g. after a lost response) gets the live pair, not a new one.
        if (family.current.expiresAt <= now) this.issueAccessToken(family);
        return this.pairResponse(family);
      }
      this.revokeFamily(family.id);
      return invalid;
    }
    if (now - record.issuedAt > REFRESH_INACTIVITY_MS || now - family.consentedAt > REFRESH_ABSOLUTE_MS) {
      this.revokeFamily(family.id);
      return invalid;
    }
    record.rotatedAt = now;
    this.issuePair(family, true);
    return this.pairResponse(family);
  }

  private issueAccessToken(family: FamilyRecord): void {
    const { tokens, now, config } = this.deps;
    const expiresAt = now() + config.accessTokenTtlSeconds * 1000;
    const accessToken = tokens.add(newOpaqueToken('sbx_at_'), {
      kind: 'user',
      clientId: family.clientId,
      accountId: family.accountId,
      cloudIds: family.cloudIds,
      scopes: family.scopes,
      expiresAt,
    });
    family.accessTokens.add(accessToken);
    family.current = { ...family.current, accessToken, expiresAt };
  }

  private issuePair(family: FamilyRecord, withRefreshToken: boolean): void {
    this.issueAccessToken(family);
    if (!withRefreshToken) return;
    const refreshToken = newOpaqueToken('sbx_rt_');
    this.refreshTokens.set(refreshToken, { familyId: family.id, issuedAt: this.deps.now(), rotatedAt: null });
    family.refreshTokens.add(refreshToken);
    family.current = { ...family.current, refreshToken };
  }

  private pairResponse(family: FamilyRecord): TokenResponse {
    const { accessToken, refreshToken, expiresAt } = family.current;
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: Math.max(0, Math.ceil((expiresAt - this.deps.now()) / 1000)),
      scope: family.scopes.join(' '),
      token_type: 'Bearer',
    };
    if (refreshToken) body.refresh_token = refreshToken;
    return { status: 200, body };
  }

  /** Reuse detected (or a replayed code): every token of the family stops working, access tokens included. */
  private revokeFamily(familyId: string): void {
    const family = this.families.get(familyId);
    if (!family) return;
    for (const token of family.accessTokens) this.deps.tokens.revoke(token);
    for (const token of family.refreshTokens) this.refreshTokens.delete(token);
    this.families.delete(familyId);
  }

  /**
   * The user removed the app from their account (Connected apps → Remove access): the grant is gone, and every
   * access and refresh token it produced stops working (the next consent starts a new grant).
   */
  revokeAppAccess(clientId: string, accountId: string): void {
    for (const family of [...this.families.values()]) {
      if (family.clientId === clientId && family.accountId === accountId) this.revokeFamily(family.id);
    }
    this.deps.state.grants.delete(grantKey(clientId, accountId));
  }

  /** Test helper: a user access token without the consent dance. */
  issueUserToken(g: UserTokenRequest): string {
    const ttl = g.ttlSeconds ?? this.deps.config.accessTokenTtlSeconds;
    return this.deps.tokens.add(newOpaqueToken('sbx_at_'), {
      kind: 'user',
      clientId: g.clientId,
      accountId: g.accountId,
      cloudIds: [...g.cloudIds],
      scopes: [...g.scopes],
      expiresAt: this.deps.now() + ttl * 1000,
    });
  }
}
