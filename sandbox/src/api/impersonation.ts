/**
 * What the gateway checks, on every call, of a Forge impersonation token (offlineUserAuthToken, the app acting
 * as a user; reference forge.md §3.2). The token is issued only for a user who may be impersonated, but it is
 * a bearer token that lives for an hour: the rules are applied again per call, so a user who lost access since
 * is refused then, as Atlassian's token validation refuses identities it cannot vouch for (401 at the gateway,
 * before Jira).
 */
import type { TokenGrant } from '../contracts';
import { GATEWAY_SCOPE_MISMATCH, GATEWAY_UNAUTHORIZED } from '../gateway';
import type { UserRecord } from '../state';

/**
 * Operations that answer only a user's own sign-in: they need scopes granted by the user's consent (the
 * `read:me` kind), which an impersonation token never carries, whatever the app's manifest declares.
 */
export const OWN_SIGN_IN_ONLY: ReadonlySet<string> = new Set(['GET /rest/api/3/myself']);

/** The gateway's 401 for an impersonated call, or null when the call may go on. */
export function impersonatedCallRefusal(
  grant: TokenGrant,
  user: UserRecord,
  cloudId: string,
  operation: string,
): typeof GATEWAY_UNAUTHORIZED | typeof GATEWAY_SCOPE_MISMATCH | null {
  if (grant.kind !== 'impersonation') return null;
  // Only real, active people with access to the app and the site may be acted as.
  if (user.accountType !== 'atlassian' || !user.appAccess || !user.siteIds.includes(cloudId)) {
    return GATEWAY_UNAUTHORIZED;
  }
  if (OWN_SIGN_IN_ONLY.has(operation)) return GATEWAY_SCOPE_MISMATCH;
  return null;
}
