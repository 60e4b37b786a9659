/**
 * What /metrics reports. Counters and histograms are fed as things happen (requests, Atlassian calls, token
 * refreshes); queue, Forge credential and budget gauges are read from their sources at scrape time.
 */
import { isNull, sql } from 'drizzle-orm';
import { identityKey, rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { forgeInstallations } from '../db/schema';
import { Counter, Gauge, Histogram, Registry } from './registry';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = this.registry.register(
    new Counter('http_requests_total', 'HTTP requests answered, by method, route pattern and status.'),
  );
  readonly httpDuration = this.registry.register(
    new Histogram(
      'http_request_duration_seconds',
      'Time to answer, by method and route pattern: until the response head (proxied calls: until the last byte).',
      LATENCY_BUCKETS_SECONDS,
    ),
  );
  /** One answered request, from the app's middleware or the proxy's hot path. */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
  readonly atlassianDuration = this.registry.register(
    new Histogram(
      'atlassian_request_duration_seconds',
      "Time until Atlassian's answer began, by caller (proxy, backend) and status class.",
      LATENCY_BUCKETS_SECONDS,
    ),
  );
  readonly unhandledRejections = this.registry.register(
    new Counter(
      'process_unhandled_rejections_total',
      'Promise rejections nothing handled; logged, and the process kept serving.',
    ),
  );
  readonly refreshes = this.registry.register(
    new Counter('jira_token_refreshes_total', 'OAuth token refreshes sent to Atlassian.'),
  );
  readonly refreshFailures = this.registry.register(
    new Counter('jira_token_refresh_failures_total', 'OAuth token refreshes that failed, by reason.'),
  );
  readonly tokenChecks = this.registry.register(
    new Counter(
      'jira_token_checks_total',
      'Checks of an access token Jira answered 401 to, by outcome (accepted, replaced, marked, unknown, skipped).',
    ),
  );
  readonly queueJobs = this.registry.register(
    new Gauge('job_queue_jobs', 'Jobs per queue and state (created, retry, active).'),
  );
  readonly queueOldest = this.registry.register(
    new Gauge('job_queue_oldest_waiting_seconds', 'Age of the oldest job waiting to run, per queue.'),
  );
  readonly forgeCredentialAge = this.registry.register(
    new Gauge('forge_credential_age_seconds', "Time since the Forge app last pushed a site's credentials."),
  );
  readonly budgetRemaining = this.registry.register(
    new Gauge(
      'atlassian_rate_limit_remaining',
      "Atlassian's hourly budget left, as last reported, per app identity.",
    ),
  );
  readonly budgetLimit = this.registry.register(
    new Gauge('atlassian_rate_limit_limit', "Atlassian's hourly budget, as last reported, per app identity."),
  );

  /** The hook the Atlassian client's callers pass as `observe`: one observation per answer (or failure). */
  atlassianObserver(caller: 'proxy' | 'backend') {
    return (durationMs: number, status: number | null) =>
      this.atlassianDuration.observe(
        { caller, status: status === null ? 'error' : `${Math.floor(status / 100)}xx` },
        durationMs / 1000,
      );
  }
}

/** Reads the gauges from the database and the budget tracker, then writes every metric. */
export async function renderMetrics(services: Services): Promise<string> {
  const { metrics } = services.state;
  const now = services.clock.now();
  const { rows } = await services.database.executor.executeSql(
    `select name, state, count(*)::int as jobs,
            extract(epoch from now() - min(created_on)) as oldest
       from pgboss.job where state in ('created', 'retry', 'active') group by name, state`,
  );
  const jobs = rows as Array<{ name: string; state: string; jobs: number; oldest: string | number | null }>;
  metrics.queueJobs.set(
    jobs.map((row) => ({ labels: { queue: row.name, state: row.state }, value: Number(row.jobs) })),
  );
  const oldest = new Map<string, number>();
  for (const row of jobs) {
    if (row.state === 'active') continue;
    oldest.set(row.name, Math.max(oldest.get(row.name) ?? 0, Number(row.oldest ?? 0)));
  }
  metrics.queueOldest.set([...oldest].map(([queue, value]) => ({ labels: { queue }, value })));

  const installations = await services.db
    .select({
      cloudId: forgeInstallations.cloudId,
      installationId: forgeInstallations.installationId,
      lastPushAt: forgeInstallations.lastPushAt,
    })
    .from(forgeInstallations)
    .where(isNull(forgeInstallations.uninstalledAt))
    .orderBy(sql`${forgeInstallations.cloudId}`);
  metrics.forgeCredentialAge.set(
    installations
      .filter((row) => row.lastPushAt)
      .map((row) => ({
        labels: { cloud_id: row.cloudId, installation_id: row.installationId },
        value: Math.max(0, (now.getTime() - row.lastPushAt!.getTime()) / 1000),
      })),
  );

  const budgets = rateLimitBudget(services).all();
  const remaining = budgets.filter((b) => b.remaining !== null);
  const limits = budgets.filter((b) => b.limit !== null);
  metrics.budgetRemaining.set(
    remaining.map((b) => ({ labels: { identity: identityKey(b.identity) }, value: b.remaining! })),
  );
  metrics.budgetLimit.set(
    limits.map((b) => ({ labels: { identity: identityKey(b.identity) }, value: b.limit! })),
  );
  return metrics.registry.text();
}
