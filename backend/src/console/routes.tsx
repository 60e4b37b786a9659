import { authMessages } from '@jira-integration/shared';
import { callbackMessages } from '@jira-integration/shared/security-messages';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isSameOrigin } from '../auth/middleware';
import { clientAddress, failedKeyBlock, recordFailedKeyAttempt } from '../auth/rate-limits';
import { deleteConsoleSession, SESSION_COOKIE, signInWithApiKey } from '../auth/sessions';
import { continuationOf } from '../connections/callback';
import type { AppEnv } from '../context';
import { errorBody } from '../http/errors';
import { auditConsoleRoutes } from './audit';
import { connectionDetailRoutes } from './connection-detail';
import { connectionConsoleRoutes } from './connections';
import { keyConsoleRoutes } from './keys';
import { FAVICON_SVG, Page } from './layout';
import { consoleCss } from './styles';
import { teamConsoleRoutes } from './team';
import { ticketConsoleRoutes } from './tickets';
import { workflowConsoleRoutes } from './workflows';

function LoginPage(props: { productName: string; error?: string; continueTo?: string }) {
  return (
    <Page title="Sign in" productName={props.productName}>
      <main class="login">
        <div class="card">
          <h1>{props.productName} Jira integration</h1>
          <p class="lede">Sign in with your team's API key.</p>
          {props.continueTo && !props.error ? (
            <div class="alert" role="status" id="sign-in-to-finish">
              {callbackMessages.signInToFinish}
            </div>
          ) : null}
          {props.error ? (
            <div class="alert" role="alert">
              {props.error}
            </div>
          ) : null}
          <form method="post" action="/console/login">
            {props.continueTo ? <input type="hidden" name="continue" value={props.continueTo} /> : null}
            <label for="apiKey">Team API key</label>
            <input
              id="apiKey"
              name="apiKey"
              type="password"
              autocomplete="off"
              required
              placeholder="jik_…"
            />
            <p class="help">The first start printed one; create more with npm run cli -- key create.</p>
            <p>
              <button class="btn" type="submit" id="sign-in">
                Sign in
              </button>
            </p>
          </form>
        </div>
      </main>
    </Page>
  );
}

export function consoleRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/console/assets/console.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(consoleCss);
  });

  const favicon = (c: Context<AppEnv>) => {
    c.header('content-type', 'image/svg+xml');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(FAVICON_SVG);
  };
  app.get('/favicon.svg', favicon);
  // Browsers ask for /favicon.ico on their own; an SVG answers it too.
  app.get('/favicon.ico', favicon);

  app.get('/', (c) => c.redirect('/console/connections'));
  app.get('/console', (c) => c.redirect('/console/connections'));

  app.get('/console/login', (c) =>
    c.html(
      <LoginPage
        productName={c.var.services.config.productName}
        continueTo={continuationOf(c.req.query('continue'))}
      />,
    ),
  );

  // Login and logout are forms like any other: another site may not sign a browser in or out (login CSRF).
  app.post('/console/login', async (c) => {
    const { db, config } = c.var.services;
    if (!isSameOrigin(c)) {
      return c.html(<LoginPage productName={config.productName} error={authMessages.crossSite} />, 403);
    }
    const form = await c.req.parseBody();
    const apiKey = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
    const continueTo = continuationOf(typeof form.continue === 'string' ? form.continue : undefined);
    const address = clientAddress(c);
    const blocked = failedKeyBlock(c.var.services, address);
    if (blocked) {
      c.header('retry-after', String(blocked.retryAfterSeconds));
      return c.html(<LoginPage productName={config.productName} error={blocked.message} />, 429);
    }
    const token = apiKey ? await signInWithApiKey(db, apiKey) : undefined;
    if (!token) {
      const refused = await recordFailedKeyAttempt(c.var.services, address);
      if (refused) {
        c.header('retry-after', String(refused.retryAfterSeconds));
        return c.html(<LoginPage productName={config.productName} error={refused.message} />, 429);
      }
      return c.html(
        <LoginPage
          productName={config.productName}
          error={authMessages.consoleLoginFailed}
          continueTo={continueTo}
        />,
        401,
      );
    }
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.publicUrl.startsWith('https://'),
      path: '/',
      maxAge: 7 * 86_400,
    });
    return c.redirect(continueTo ?? '/console/connections');
  });

  app.post('/console/logout', async (c) => {
    if (!isSameOrigin(c)) return c.json(errorBody('forbidden', authMessages.crossSite), 403);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteConsoleSession(c.var.services.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/console/login');
  });

  app.route('/', connectionConsoleRoutes());
  app.route('/', connectionDetailRoutes());
  app.route('/', auditConsoleRoutes());
  app.route('/', teamConsoleRoutes());
  app.route('/', ticketConsoleRoutes());
  app.route('/', keyConsoleRoutes());

  app.route('/', workflowConsoleRoutes());

  return app;
}
