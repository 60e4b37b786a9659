/** Claims of Forge invocation tokens (FIT), as documented for Forge Remote. */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Installation } from './types';

export const invocationTokenIssuer = 'forge/invocation-token';
/** Forge's example token lives 25 s. */
export const invocationTokenLifeSeconds = 25;

/** The app as deployed to the sandbox's single (development) environment. */
export interface AppIdentity {
  appId: string;
  appVersion: string;
  environmentId: string;
}

/** iss/aud/iat/nbf/exp/jti; everything else is added by the caller. */
export function registeredClaims(appId: string, nowMs: number, expiresInSeconds: number): JWTPayload {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: invocationTokenIssuer,
    aud: appId,
    iat,
    nbf: iat,
    exp: iat + expiresInSeconds,
    jti: randomUUID(),
  };
}

export const siteAri = (cloudId: string) => `ari:cloud:jira::site/${cloudId}`;

/** The `app` claim of a FIT for an invocation of `module` on `installation`. */
export function appClaim(
  identity: AppIdentity,
  installation: Installation,
  module: { type: string; key: string },
): Record<string, unknown> {
  return {
    id: identity.appId,
    appVersion: identity.appVersion,
    installationId: installation.installationId,
    apiBaseUrl: installation.apiBaseUrl,
    environment: { type: 'DEVELOPMENT', id: identity.environmentId },
    module,
    installation: {
      id: installation.installationId,
      contexts: [{ name: 'jira', apiBaseUrl: installation.apiBaseUrl, cloudId: installation.cloudId }],
    },
  };
}
