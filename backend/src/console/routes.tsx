import { authMessages } from '@jira-integration/shared';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { findTeamByApiKey } from '../auth/keys';
import { createConsoleSession, deleteConsoleSession, SESSION_COOKIE } from '../auth/sessions';
import type { AppEnv } from '../context';
import { connectionConsoleRoutes } from './connections';
import { Page } from './layout';
import { consoleCss } from './styles';
import { ticketConsoleRoutes } from './tickets';
import { workflowConsoleRoutes } from './workflows';

function LoginPage(props: { productName: string; error?: string }) {
  return (
    <Page title="Sign in" productName={props.productName}>
      <main class="login">
        <div class="card">
          <h1>{props.productName} Jira integration</h1>
          <p class="lede">Sign in with your team's API key.</p>
          {props.error ? (
            <div class="alert" role="alert">
              {props.error}
            </div>
          ) : null}
          <form method="post" action="/console/login">
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

  app.get('/', (c) => c.redirect('/console/connections'));
  app.get('/console', (c) => c.redirect('/console/connections'));

  app.get('/console/login', (c) => c.html(<LoginPage productName={c.var.services.config.productName} />));

  app.post('/console/login', async (c) => {
    const { db, config } = c.var.services;
    const form = await c.req.parseBody();
    const apiKey = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
    const found = apiKey ? await findTeamByApiKey(db, apiKey) : undefined;
    if (!found) {
      return c.html(
        <LoginPage productName={config.productName} error={authMessages.consoleLoginFailed} />,
        401,
      );
    }
    const token = await createConsoleSession(db, found.teamId, new Date(), found.keyId);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.publicUrl.startsWith('https://'),
      path: '/',
      maxAge: 7 * 86_400,
    });
    return c.redirect('/console/connections');
  });

  app.post('/console/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteConsoleSession(c.var.services.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/console/login');
  });

  app.route('/', connectionConsoleRoutes());
  app.route('/', ticketConsoleRoutes());

  app.route('/', workflowConsoleRoutes());

  return app;
}
