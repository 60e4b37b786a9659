import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { consoleActor } from '../auth/keys';
import { findConsoleSession, SESSION_COOKIE } from '../auth/sessions';
import type { AppEnv } from '../context';

/** Console pages need a session; without one the browser goes to the login page. */
export const requireConsoleSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token ? await findConsoleSession(c.var.services.db, token) : undefined;
  if (!session) return c.redirect('/console/login');
  c.set('teamId', session.teamId);
  // The console acts as the API key it signed in with (e.g. when approving workflow runs).
  c.set('actorKeyId', session.apiKeyId);
  c.set('actor', consoleActor(session.keyPrefix));
  await next();
});
