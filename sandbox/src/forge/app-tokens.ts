/**
 * OAuth tokens Forge hands to the remote: the app system token (`x-forge-oauth-system`) and offline user
 * (impersonation) tokens. They are JWTs signed by the sandbox so the backend can read `exp`, and are registered
 * in the core's token registry so Jira routes accept them.
 */
import { randomUUID } from 'node:crypto';
import type { ForgePlatformContext, TokenGrant } from '../contracts';
import type { Signer } from './signing';

/** Forge's maximum token life. */
export const maxSystemTokenTtlSeconds = 4 * 3600;
/** Forge rotates cached tokens early so a delivered one stays valid about 2 h more. */
const rotateWhenLeftMs = 2 * 3600 * 1000;
/** The app's bot account when the core lists no user with accountType 'app'. */
export const fallbackBotAccountId = '712020:forge-app-bot';

export interface AppTokens {
  /** The cached system token for the site, rotated when it has under 2 h left (or half its life). */
  systemToken(cloudId: string): Promise<string>;
  impersonationToken(userId: string, cloudIds: string[], ttlSeconds: number): Promise<string>;
  /** Revokes every token issued for the site (uninstall). */
  revokeSite(cloudId: string): void;
  revokeAll(): void;
}

export function createAppTokens(a: {
  ctx: ForgePlatformContext;
  signer: Signer;
  appId: string;
  scopes: string[];
  impersonationScopes: string[];
  systemTokenTtlSeconds: number;
}): AppTokens {
  const { ctx, signer, appId } = a;
  const systemTokenTtlMs = a.systemTokenTtlSeconds * 1000;
  const rotateBelowMs = Math.min(rotateWhenLeftMs, systemTokenTtlMs / 2);
  const cachedSystemTokens = new Map<string, { token: string; expiresAt: number }>();
  const issued = new Map<string, string[]>(); // token -> cloudIds, to revoke on uninstall/reset

  const botAccountId = () =>
    ctx.users().find((user) => (user as { accountType?: unknown }).accountType === 'app')?.accountId ??
    fallbackBotAccountId;

  async function issue(grant: TokenGrant): Promise<string> {
    const nowMs = ctx.now();
    const token = await signer.sign({
      iss: ctx.url(),
      sub: grant.accountId,
      aud: appId,
      token_kind: grant.kind,
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(grant.expiresAt / 1000),
      jti: randomUUID(),
    });
    ctx.tokens.add(token, grant);
    issued.set(token, grant.cloudIds);
    return token;
  }

  return {
    async systemToken(cloudId) {
      const cached = cachedSystemTokens.get(cloudId);
      if (cached && cached.expiresAt - ctx.now() >= rotateBelowMs) return cached.token;
      // Whole seconds, so the JWT `exp` and the registry agree.
      const expiresAt = Math.floor((ctx.now() + systemTokenTtlMs) / 1000) * 1000;
      const token = await issue({
        kind: 'system',
        appId,
        accountId: botAccountId(),
        cloudIds: [cloudId],
        scopes: a.scopes,
        expiresAt,
      });
      cachedSystemTokens.set(cloudId, { token, expiresAt });
      return token;
    },
    impersonationToken(userId, cloudIds, ttlSeconds) {
      const expiresAt = Math.floor(ctx.now() / 1000) * 1000 + ttlSeconds * 1000;
      return issue({
        kind: 'impersonation',
        appId,
        accountId: userId,
        cloudIds,
        scopes: a.impersonationScopes,
        expiresAt,
      });
    },
    revokeSite(cloudId) {
      cachedSystemTokens.delete(cloudId);
      for (const [token, cloudIds] of issued) {
        if (!cloudIds.includes(cloudId)) continue;
        ctx.tokens.revoke(token);
        issued.delete(token);
      }
    },
    revokeAll() {
      cachedSystemTokens.clear();
      for (const token of issued.keys()) ctx.tokens.revoke(token);
      issued.clear();
    },
  };
}
