/** The sandbox's Forge signing key: an RS256 pair generated at start, published as a JWK set. */
import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from 'jose';

export interface Signer {
  jwks(): Promise<JSONWebKeySet>;
  /** Signs the claims as given (they carry their own iat/exp); header fields override the defaults. */
  sign(claims: JWTPayload, header?: { kid?: string }): Promise<string>;
}

export function createSigner(): Signer {
  const kid = `forge-sandbox-${randomUUID()}`;
  const keys = generateKeyPair('RS256', { extractable: true });
  let publicJwks: Promise<JSONWebKeySet> | undefined;
  return {
    jwks() {
      publicJwks ??= keys.then(async ({ publicKey }: { publicKey: CryptoKey }) => ({
        keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }],
      }));
      return publicJwks;
    },
    async sign(claims, header) {
      const { privateKey } = await keys;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...header })
        .sign(privateKey);
    },
  };
}
