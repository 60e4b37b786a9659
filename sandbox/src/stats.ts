/** Request counters that tests read to assert what a client actually did (e.g. exactly one refresh). */
export interface StatsSnapshot {
  tokenRequests: { authorization_code: number; refresh_token: number };
  requests: number;
  byRoute: Record<string, number>;
}

export class SandboxStats {
  private tokenRequests = { authorization_code: 0, refresh_token: 0 };
  private requests = 0;
  private byRoute = new Map<string, number>();

  countRequest(): void {
    this.requests++;
  }

  /** `route` is `METHOD /template`, e.g. `GET /rest/api/3/issue/{issueIdOrKey}`. */
  countRoute(route: string): void {
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  countTokenRequest(grantType: string): void {
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.tokenRequests[grantType]++;
  }

  snapshot(): StatsSnapshot {
    return {
      tokenRequests: { ...this.tokenRequests },
      requests: this.requests,
      byRoute: Object.fromEntries(this.byRoute),
    };
  }

  reset(): void {
    this.tokenRequests = { authorization_code: 0, refresh_token: 0 };
    this.requests = 0;
    this.byRoute.clear();
  }
}
