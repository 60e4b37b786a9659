import { authMessages } from '@jira-integration/shared';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { errorBody } from '../http/errors';
import { findTeamByApiKey } from './keys';
import { findTeamBySession, SESSION_COOKIE } from './sessions';

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
  const { db } = c.var.services;
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const found = match ? await findTeamByApiKey(db, match[1]) : undefined;
    if (!found) return c.json(errorBody('unauthorized', authMessages.unauthorized), 401);
    c.set('teamId', found.teamId);
    return next();
  }
  const session = getCookie(c, SESSION_COOKIE);
  const teamId = session ? await findTeamBySession(db, session) : undefined;
  if (!teamId) return c.json(errorBody('unauthorized', authMessages.unauthorized), 401);
  if (!SAFE_METHODS.has(c.req.method) && !isSameOrigin(c)) {
    return c.json(errorBody('forbidden', authMessages.crossSite), 403);
  }
  c.set('teamId', teamId);
  return next();
});
