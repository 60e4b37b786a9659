/**
 * Tokens that let the Forge app act as a Jira user, from Atlassian's GraphQL `offlineUserAuthToken` mutation.
 * One token per (installation, accountId) is cached in memory until shortly before its ttl, and concurrent
 * callers share one in-flight request (the mutation is limited to 1,000 calls a minute per app).
 */
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import type { Services } from '../context';
import { ApiError } from '../http/errors';

const MUTATION = `mutation forge_remote_offlineUserAuthToken($contextIds: [ID!]!, $userId: ID!) {
  offlineUserAuthToken(input: { contextIds: $contextIds, userId: $userId }) {
    success errors { message } authToken { token ttl }
  }
}`;
/** Renew this long before Atlassian's ttl runs out (or at a tenth of the ttl for very short ones). */
const RENEW_MARGIN_MS = 60_000;
const MAX_CACHED = 10_000;

interface CachedToken {
  token: string;
  renewAt: number;
}

interface GraphqlAnswer {
  data?: {
    offlineUserAuthToken?: {
      success?: boolean;
      errors?: Array<{ message?: string }> | null;
      authToken?: { token?: string; ttl?: number } | null;
    } | null;
  };
  errors?: Array<{ message?: string }>;
}

export class ImpersonationTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly services: Services,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async tokenFor(input: { installationId: string; cloudId: string; systemToken: string; accountId: string }) {
    const key = `${input.installationId}\u0000${input.accountId}`;
    const cached = this.cache.get(key);
    if (cached && cached.renewAt > this.services.clock.now().getTime()) return cached.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.request(key, input).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async request(
    key: string,
    input: { cloudId: string; systemToken: string; accountId: string },
  ): Promise<string> {
    const response = await this.fetchImpl(`${this.services.config.atlassianApiUrl}/graphql`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${input.systemToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        query: MUTATION,
        variables: { contextIds: [`ari:cloud:jira::site/${input.cloudId}`], userId: input.accountId },
      }),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => {
      throw new ApiError('impersonation_failed', proxyMessages.impersonationFailed(0));
    });
    const answer = (await response.json().catch(() => ({}))) as GraphqlAnswer;
    const result = answer.data?.offlineUserAuthToken;
    if (!response.ok || !result) {
      throw new ApiError('impersonation_failed', proxyMessages.impersonationFailed(response.status));
    }
    const token = result.authToken?.token;
    const ttl = result.authToken?.ttl;
    if (!result.success || !token || typeof ttl !== 'number') {
      const reason =
        result.errors
          ?.map((error) => error.message)
          .filter(Boolean)
          .join('; ') || 'no reason given';
      throw new ApiError(
        'impersonation_refused',
        proxyMessages.impersonationRefused(input.accountId, reason),
      );
    }
    const ttlMs = ttl * 1000;
    this.remember(key, {
      token,
      renewAt: this.services.clock.now().getTime() + ttlMs - Math.min(RENEW_MARGIN_MS, ttlMs / 10),
    });
    return token;
  }

  private remember(key: string, entry: CachedToken) {
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, entry);
  }
}

export function impersonationTokens(services: Services): ImpersonationTokens {
  return services.state.impersonationTokens;
}
