import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { findTeamBySession, SESSION_COOKIE } from '../auth/sessions';
import type { AppEnv } from '../context';

/** Console pages need a session; without one the browser goes to the login page. */
export const requireConsoleSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const teamId = token ? await findTeamBySession(c.var.services.db, token) : undefined;
  if (!teamId) return c.redirect('/console/login');
  c.set('teamId', teamId);
  await next();
});
