import { authMessages } from '@jira-integration/shared';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { bearerToken } from '../http/bearer';
import { errorResponse } from '../http/errors';
import { findTeamByApiKey } from './keys';
import { findConsoleSession, SESSION_COOKIE } from './sessions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Team routes accept a team API key (`Authorization: Bearer <key>`) or, for the console, its session cookie.
 * Cookie-authenticated writes must come from our own origin, so another site cannot ride the cookie.
 */
export const requireTeam = createMiddleware<AppEnv>(async (c, next) => {
  const { db } = c.var.services;
  const header = c.req.header('authorization');
  if (header) {
    const key = bearerToken(header);
    const found = key ? await findTeamByApiKey(db, key) : undefined;
    if (!found) return errorResponse(c, 'unauthorized', authMessages.unauthorized);
    c.set('teamId', found.teamId);
    c.set('actorKeyId', found.keyId);
    return next();
  }
  const session = getCookie(c, SESSION_COOKIE);
  const found = session ? await findConsoleSession(db, session) : undefined;
  const teamId = found?.teamId;
  if (!teamId) return errorResponse(c, 'unauthorized', authMessages.unauthorized);
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header('origin');
    if (origin !== new URL(c.var.services.config.publicUrl).origin) {
      return errorResponse(c, 'forbidden', authMessages.crossSite);
    }
  }
  c.set('teamId', teamId);
  if (found.apiKeyId) c.set('actorKeyId', found.apiKeyId);
  return next();
});
