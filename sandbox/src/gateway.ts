/** What api.atlassian.com itself answers before a request reaches Jira: bearer-token checks and their 401s. */
import type { TokenGrant } from './contracts';
import type { InMemoryTokenRegistry } from './tokens';

export const GATEWAY_UNAUTHORIZED = { code: 401, message: 'Unauthorized' } as const;
/** Atlassian's text when the token is valid but lacks the operation's scope (jira.js keys on it). */
export const GATEWAY_SCOPE_MISMATCH = { code: 401, message: 'Unauthorized; scope does not match' } as const;

export function bearerToken(authorization: string | undefined): string | null {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1] : null;
}

/** The live grant behind an Authorization header, or null when missing, unknown, revoked or expired. */
export function liveGrant(
  tokens: InMemoryTokenRegistry,
  authorization: string | undefined,
  now: number,
): { token: string; grant: TokenGrant } | null {
  const token = bearerToken(authorization);
  if (!token) return null;
  const grant = tokens.get(token);
  if (!grant || grant.expiresAt <= now) return null;
  return { token, grant };
}
