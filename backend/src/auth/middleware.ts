import { authMessages } from '@jira-integration/shared';
import type { Context, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { bearerToken } from '../http/bearer';
import { errorResponse } from '../http/errors';
import { consoleActor, findTeamByApiKey, keyActor } from './keys';
import {
  admitTeamRequest,
  clientAddress,
  failedKeyBlock,
  recordFailedKeyAttempt,
  tooManyRequests,
} from './rate-limits';
import { findConsoleSession, SESSION_COOKIE } from './sessions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a browser request comes from our own pages (its Origin is the public URL's origin). */
export function isSameOrigin(c: Context<AppEnv>): boolean {
  return c.req.header('origin') === new URL(c.var.services.config.publicUrl).origin;
}

/**
 * Team routes accept a team API key (`Authorization: Bearer <key>`) or, for the console, its session cookie.
 * Cookie-authenticated writes must come from our own origin, so another site cannot ride the cookie.
 */
export const requireTeam = createMiddleware<AppEnv>(async (c, next) => {
  // Several patterns can match one path ('/x' and '/x/*'): authenticate (and count) a request once.
  if (c.var.teamId) return next();
  const { services } = c.var;
  const { db } = services;
  const header = c.req.header('authorization');
  if (header) {
    const address = clientAddress(c);
    const blocked = failedKeyBlock(services, address);
    if (blocked) return tooManyRequests(c, 'too_many_failed_keys', blocked);
    const key = bearerToken(header);
    const found = key ? await findTeamByApiKey(db, key) : undefined;
    if (!found) {
      const refused = await recordFailedKeyAttempt(services, address);
      if (refused) return tooManyRequests(c, 'too_many_failed_keys', refused);
      return errorResponse(c, 'unauthorized', authMessages.unauthorized);
    }
    c.set('actorKeyId', found.keyId);
    return admitTeam(c, found.teamId, keyActor(found.prefix), next);
  }
  const session = getCookie(c, SESSION_COOKIE);
  const found = session ? await findConsoleSession(db, session) : undefined;
  const teamId = found?.teamId;
  if (!teamId) return errorResponse(c, 'unauthorized', authMessages.unauthorized);
  if (!SAFE_METHODS.has(c.req.method) && !isSameOrigin(c)) {
    return errorResponse(c, 'forbidden', authMessages.crossSite);
  }
  // A console session acts as the API key it was opened with (e.g. when approving workflow runs).
  c.set('actorKeyId', found.apiKeyId);
  return admitTeam(c, teamId, consoleActor(found.keyPrefix), next);
});

/** The team is known: it passes if it is within its request rate. */
function admitTeam(c: Context<AppEnv>, teamId: string, actor: string, next: Next) {
  const refused = admitTeamRequest(c.var.services, teamId);
  if (refused) return tooManyRequests(c, 'team_rate_limited', refused);
  c.set('teamId', teamId);
  c.set('actor', actor);
  return next();
}
