/** The API keys page: list, create (shown once) and revoke the team's keys. Forms post back here. */
import { authMessages } from '@jira-integration/shared';
import { formatPushTime } from '@jira-integration/shared/forge-messages';
import { keyMessages as copy } from '@jira-integration/shared/security-messages';
import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { type ApiKeySummary, createApiKey, listApiKeys, revokeApiKey } from '../auth/keys';
import { isSameOrigin } from '../auth/middleware';
import { findConsoleSession, SESSION_COOKIE } from '../auth/sessions';
import type { AppEnv } from '../context';
import { ApiError } from '../http/errors';
import { boundedText } from '../http/limits';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

function KeysPage(props: {
  productName: string;
  keys: ApiKeySummary[];
  created?: string;
  notice?: string;
  error?: string;
}) {
  return (
    <ConsoleLayout title={copy.pageTitle} productName={props.productName} current="/console/keys">
      <h1>{copy.pageTitle}</h1>
      <p class="lede">{copy.lede}</p>
      {props.created ? (
        <div class="alert ok" role="status" id="created-key">
          {copy.created} <code>{props.created}</code>
        </div>
      ) : null}
      {props.notice ? (
        <div class="alert ok" role="status">
          {props.notice}
        </div>
      ) : null}
      {props.error ? (
        <div class="alert" role="alert">
          {props.error}
        </div>
      ) : null}
      <form class="card row" method="post" action="/console/keys">
        <label for="key-name">{copy.createLabel}</label>
        <input id="key-name" name="name" type="text" maxlength={255} required autocomplete="off" />
        <button class="btn" type="submit">
          {copy.create}
        </button>
      </form>
      <div class="card">
        <table id="keys">
          <tbody>
            {props.keys.map((key) => (
              <tr data-key-id={key.id}>
                <td>
                  <strong>{key.name}</strong>
                  <div class="help">
                    <code>{key.prefix}…</code> · created {formatPushTime(new Date(key.createdAt))}
                  </div>
                </td>
                <td>
                  <span class={`badge ${key.revokedAt ? 'bad' : 'ok'}`}>
                    {key.revokedAt ? copy.revokedBadge : copy.activeBadge}
                  </span>
                </td>
                <td>
                  {key.revokedAt ? null : (
                    <form method="post" action={`/console/keys/${encodeURIComponent(key.id)}/revoke`}>
                      <button class="btn link" type="submit">
                        {copy.revoke}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </ConsoleLayout>
  );
}

export function keyConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/keys', requireConsoleSession);
  app.use('/console/keys/*', requireConsoleSession);
  const page = async (
    // biome-ignore lint/suspicious/noExplicitAny: any console route's context
    c: Context<AppEnv, any>,
    extra: { created?: string; notice?: string; error?: string } = {},
    status: 200 | 400 | 403 | 404 | 409 = 200,
  ) =>
    c.html(
      <KeysPage
        productName={c.var.services.config.productName}
        keys={await listApiKeys(c.var.services.db, c.var.teamId)}
        {...extra}
      />,
      status,
    );

  app.get('/console/keys', (c) => page(c, c.req.query('revoked') ? { notice: copy.revoked } : {}));

  app.post('/console/keys', async (c) => {
    if (!isSameOrigin(c)) return page(c, { error: authMessages.crossSite }, 403);
    const form = await c.req.parseBody();
    const name = boundedText('name', 255).safeParse(typeof form.name === 'string' ? form.name.trim() : '');
    if (!name.success || !name.data) return page(c, { error: copy.nameTooLong }, 400);
    const created = await createApiKey(c.var.services.db, c.var.teamId, name.data, c.var.actor);
    return page(c, { created: created.key });
  });

  app.post('/console/keys/:id/revoke', async (c) => {
    if (!isSameOrigin(c)) return page(c, { error: authMessages.crossSite }, 403);
    const { db, clock } = c.var.services;
    try {
      await revokeApiKey(db, c.var.teamId, c.req.param('id'), clock.now(), c.var.actor);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 409)) {
        return page(c, { error: error.message }, error.status);
      }
      throw error;
    }
    // Revoking the key this session was opened with ends the session too.
    const token = getCookie(c, SESSION_COOKIE);
    const stillSignedIn = token ? await findConsoleSession(db, token) : undefined;
    return c.redirect(stillSignedIn ? '/console/keys?revoked=1' : '/console/login');
  });
  return app;
}
