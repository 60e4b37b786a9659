/**
 * Verification of Forge invocation tokens (FIT): RS256 against the Forge JWKS, our app id as audience,
 * `forge/invocation-token` as issuer, exp/nbf with a small clock skew, a lifetime no longer than Forge gives
 * its tokens, the endpoint the token was issued for (`app.module.key`), and one use per token for
 * state-changing calls. Identity (installation, site, API base URL) is read from the verified claims only,
 * never from a request body.
 */
import { forgeMessages } from '@jira-integration/shared/forge-messages';
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AppEnv, Services } from '../context';
import { bearerToken } from '../http/bearer';
import { errorResponse } from '../http/errors';
import { useInvocationTokenOnce } from './replay';

export const INVOCATION_TOKEN_ISSUER = 'forge/invocation-token';
const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * Forge issues invocation tokens valid for 25 s (reference: forge.md §2). A token claiming a longer life was
 * not issued by Forge for one call; twice that, plus the clock tolerance, is refused.
 */
export const MAX_INVOCATION_TOKEN_LIFETIME_SECONDS = 60;

/**
 * Which manifest module may call which path (manifest.yml): triggers call their endpoint's route, the UI
 * modules call /forge/ui/*. A token naming another module was issued for another endpoint.
 */
const MODULES_BY_PATH: Array<{ path: RegExp; modules: readonly string[] }> = [
  { path: /^\/forge\/credentials$/, modules: ['credentials-endpoint'] },
  { path: /^\/forge\/lifecycle$/, modules: ['lifecycle-endpoint'] },
  { path: /^\/forge\/events$/, modules: ['events-endpoint'] },
  { path: /^\/forge\/uninstall$/, modules: ['uninstall-endpoint'] },
  { path: /^\/forge\/ui\/issue-status(\/|$)/, modules: ['sync-status-panel'] },
  { path: /^\/forge\/ui\/admin-overview(\/|$)/, modules: ['sync-admin-page'] },
];

/** Whether a token issued for `moduleKey` may call `path`; tokens that name no module are not bound. */
export function moduleMayCall(moduleKey: string | null, path: string): boolean {
  if (moduleKey === null) return true;
  const rule = MODULES_BY_PATH.find((entry) => entry.path.test(path));
  return rule ? rule.modules.includes(moduleKey) : false;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a verified invocation token says about the call. */
export interface ForgeInvocation {
  appId: string;
  installationId: string;
  cloudId: string;
  apiBaseUrl: string;
  environmentId: string | null;
  /** The acting user (UI invocations only). */
  principal: string | null;
  /** The UI module's context (UI invocations only). */
  context: ForgeUiContext | null;
  /** `app.module.key`: the endpoint or UI module the token was issued for, when the token says. */
  moduleKey: string | null;
  /** The token's `exp`. */
  expiresAt: Date;
}

export interface ForgeUiContext {
  cloudId: string | null;
  issue: { id: string; key: string } | null;
}

export interface ForgeEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { forge: ForgeInvocation };
}

const claimsSchema = z.object({
  app: z.object({
    id: z.string().optional(),
    installationId: z.string().optional(),
    apiBaseUrl: z.string().min(1),
    environment: z.object({ id: z.string().optional() }).optional(),
    module: z.object({ key: z.string().optional() }).optional(),
    installation: z
      .object({
        id: z.string().optional(),
        contexts: z.array(z.object({ cloudId: z.string().optional() })).optional(),
      })
      .optional(),
  }),
  context: z
    .object({
      cloudId: z.string().optional(),
      extension: z
        .object({ issue: z.object({ id: z.coerce.string(), key: z.string() }).optional() })
        .optional(),
    })
    .optional(),
  principal: z.string().optional(),
});

/** `https://api.atlassian.com/ex/jira/<cloudId>` → cloudId. */
function cloudIdFromApiBaseUrl(apiBaseUrl: string): string | undefined {
  return /\/ex\/jira\/([^/?#]+)\/?$/.exec(apiBaseUrl)?.[1];
}

/** Maps verified claims to the invocation's identity; null when they do not name an installation and site. */
export function readInvocation(payload: JWTPayload): ForgeInvocation | null {
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) return null;
  const { app, context, principal } = parsed.data;
  const installationId = app.installationId ?? app.installation?.id;
  const cloudId =
    app.installation?.contexts?.find((entry) => entry.cloudId)?.cloudId ??
    cloudIdFromApiBaseUrl(app.apiBaseUrl);
  if (!installationId || !cloudId) return null;
  return {
    appId: String(payload.aud),
    installationId,
    cloudId,
    apiBaseUrl: app.apiBaseUrl.replace(/\/+$/, ''),
    environmentId: app.environment?.id ?? null,
    principal: principal ?? null,
    context: context ? { cloudId: context.cloudId ?? null, issue: context.extension?.issue ?? null } : null,
    moduleKey: app.module?.key ?? null,
    expiresAt: new Date(Number(payload.exp ?? 0) * 1000),
  };
}

/** One key set per URL for the process: jose caches the keys and refetches on an unknown `kid`. */
function jwksFor(services: Services, url: string) {
  const jwksByUrl = services.state.forgeJwks;
  let jwks = jwksByUrl.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url));
    jwksByUrl.set(url, jwks);
  }
  return jwks;
}

export class InvocationTokenError extends Error {
  constructor(readonly reason: string) {
    super(forgeMessages.invalidInvocationToken);
    this.name = 'InvocationTokenError';
  }
}

export async function verifyInvocationToken(services: Services, token: string): Promise<ForgeInvocation> {
  const { config, clock } = services;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwksFor(services, config.forgeJwksUrl), {
      issuer: INVOCATION_TOKEN_ISSUER,
      audience: config.forgeAppId,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: clock.now(),
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    throw new InvocationTokenError((error as Error).message);
  }
  const lifetime = Number(payload.exp) - Number(payload.iat);
  if (!(lifetime > 0 && lifetime <= MAX_INVOCATION_TOKEN_LIFETIME_SECONDS)) {
    throw new InvocationTokenError(`lifetime of ${lifetime} s is not one Forge issues`);
  }
  if (Number(payload.iat) > clock.now().getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    throw new InvocationTokenError('issued in the future');
  }
  const invocation = readInvocation(payload);
  if (!invocation) throw new InvocationTokenError('claims name no installation and site');
  return invocation;
}

/** Every Forge remote route: 401 (JSON) unless the invocation token verifies; Forge reserves 401 for this. */
export const requireForgeInvocation = createMiddleware<ForgeEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('authorization'));
  if (!token) return errorResponse(c, 'invalid_invocation_token', forgeMessages.missingInvocationToken);
  try {
    const invocation = await verifyInvocationToken(c.var.services, token);
    if (!moduleMayCall(invocation.moduleKey, c.req.path)) {
      throw new InvocationTokenError(`issued for ${invocation.moduleKey}, not this endpoint`);
    }
    if (
      STATE_CHANGING.has(c.req.method) &&
      !(await useInvocationTokenOnce(c.var.services, token, invocation.expiresAt))
    ) {
      throw new InvocationTokenError('replayed');
    }
    c.set('forge', invocation);
  } catch (error) {
    if (!(error instanceof InvocationTokenError)) throw error;
    c.var.services.logger.warn({ path: c.req.path, reason: error.reason }, 'Forge invocation token rejected');
    return errorResponse(c, 'invalid_invocation_token', forgeMessages.invalidInvocationToken);
  }
  await next();
});
