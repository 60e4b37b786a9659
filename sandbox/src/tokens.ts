/** The one registry of bearer tokens: OAuth access tokens and the Forge part's system/impersonation tokens. */
import { randomBytes } from 'node:crypto';
import type { TokenGrant, TokenRegistry } from './contracts';

export class InMemoryTokenRegistry implements TokenRegistry {
  private readonly grants = new Map<string, TokenGrant>();

  add(token: string, grant: TokenGrant): string {
    this.grants.set(token, grant);
    return token;
  }

  get(token: string): TokenGrant | undefined {
    return this.grants.get(token);
  }

  revoke(token: string): void {
    this.grants.delete(token);
  }

  clear(): void {
    this.grants.clear();
  }

  /** Counts per kind, for the admin page. */
  countByKind(): Record<TokenGrant['kind'], number> {
    const counts = { user: 0, system: 0, impersonation: 0 };
    for (const grant of this.grants.values()) counts[grant.kind]++;
    return counts;
  }
}

/** An opaque, unguessable token string; the prefix only helps a human reading logs. */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}
