/** auth.atlassian.com and the accessible-resources endpoint of api.atlassian.com. */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { GATEWAY_UNAUTHORIZED, liveGrant } from '../gateway';
import type { SandboxState } from '../state';
import type { SandboxStats } from '../stats';
import type { InMemoryTokenRegistry } from '../tokens';
import { authorizeErrorPage, authorizeParamsFromForm, consentPage } from './consent-page';
import { OAUTH_MESSAGES } from './messages';
import type { OAuthService } from './service';

export interface OAuthRouteDeps {
  oauth: OAuthService;
  state: SandboxState;
  tokens: InMemoryTokenRegistry;
  stats: SandboxStats;
  now: () => number;
}

/** Client credentials sent as HTTP Basic (oauth4webapi's default) instead of in the body. */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | null {
  const match = header?.match(/^Basic\s+(\S+)$/i);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/** Atlassian documents a JSON body; standard OAuth clients send a form. Both are accepted. */
async function tokenRequestBody(c: Context): Promise<Record<string, string> | null> {
  const contentType = c.req.header('content-type') ?? '';
  try {
    const raw: unknown = contentType.includes('application/json')
      ? await c.req.json()
      : Object.fromEntries(new URLSearchParams(await c.req.text()));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
    const body: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string' || typeof value === 'number') body[key] = String(value);
    }
    return body;
  } catch {
    return null;
  }
}

export function oauthRoutes(deps: OAuthRouteDeps): Hono {
  const app = new Hono();

  app.get('/authorize', (c) => {
    const check = deps.oauth.checkAuthorizeRequest(new URL(c.req.url).searchParams);
    if (check.kind === 'page') return c.html(authorizeErrorPage(check.message), 400);
    if (check.kind === 'redirect') return c.redirect(check.location, 302);
    return c.html(consentPage(deps.state, check.request));
  });

  app.post('/authorize', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const check = deps.oauth.checkAuthorizeRequest(authorizeParamsFromForm(form));
    if (check.kind === 'page') return c.html(authorizeErrorPage(check.message), 400);
    if (check.kind === 'redirect') return c.redirect(check.location, 302);
    if (form.get('decision') !== 'approve') return c.redirect(deps.oauth.deny(check.request), 302);
    const accountId = form.get('accountId') ?? '';
    const cloudIds = form.getAll('cloudId');
    const result = deps.oauth.approve(check.request, accountId, cloudIds);
    if (result.kind === 'error') {
      return c.html(
        consentPage(deps.state, check.request, { accountId, cloudIds, error: result.message }),
        400,
      );
    }
    return c.redirect(result.location, 302);
  });

  app.post('/oauth/token', async (c) => {
    const body = await tokenRequestBody(c);
    if (!body)
      return c.json({ error: 'invalid_request', error_description: OAUTH_MESSAGES.invalidBody }, 400);
    deps.stats.countTokenRequest(body.grant_type ?? '');
    const result = deps.oauth.token(body, basicCredentials(c.req.header('authorization')));
    c.header('Cache-Control', 'no-store');
    return c.json(result.body, result.status);
  });

  app.get('/oauth/token/accessible-resources', (c) => {
    const live = liveGrant(deps.tokens, c.req.header('authorization'), deps.now());
    if (!live) return c.json(GATEWAY_UNAUTHORIZED, 401);
    const scopes = live.grant.scopes.filter((s) => s !== 'offline_access');
    const resources = live.grant.cloudIds.flatMap((cloudId) => {
      const site = deps.state.sites.get(cloudId);
      return site
        ? [{ id: site.cloudId, url: site.url, name: site.name, scopes, avatarUrl: site.avatarUrl }]
        : [];
    });
    return c.json(resources);
  });

  return app;
}
