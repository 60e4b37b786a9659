import { timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { genericMessages, operationsMessages } from '@jira-integration/shared';
import { sql } from 'drizzle-orm';
import { isLoopbackHost } from '../config';
import type { AppEnv } from '../context';
import { retryOnConnectionLoss } from '../db/client';
import { errorBody } from '../http/errors';
import { renderMetrics } from '../metrics/service';

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Liveness (/healthz, in app.ts), readiness and Prometheus metrics: what a load balancer and a scraper ask. */
export function operationsRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  /** Ready when the database answers and the job queue can reach its tables; 503 names what is not. */
  app.get('/readyz', async (c) => {
    const services = c.get('services');
    const checks = { database: false, queue: false };
    try {
      await retryOnConnectionLoss(() => services.db.execute(sql`select 1`));
      checks.database = true;
    } catch (error) {
      services.logger.warn({ err: error }, 'readiness: database unreachable');
    }
    try {
      // The queue's own connection (its pool on PostgreSQL), not the app's.
      await retryOnConnectionLoss(() =>
        services.queue.boss.getDb().executeSql('select 1 from pgboss.version', []),
      );
      checks.queue = services.queue.running();
    } catch (error) {
      services.logger.warn({ err: error }, 'readiness: job queue unreachable');
    }
    const ready = checks.database && checks.queue;
    return c.json({ status: ready ? 'ready' : 'unavailable', ...checks }, ready ? 200 : 503);
  });

  /**
   * Prometheus text format. With METRICS_TOKEN set it asks for `Authorization: Bearer <token>`; without one it
   * is served only while the backend listens on loopback, so metrics never reach the network unprotected.
   */
  app.get('/metrics', async (c) => {
    const services = c.get('services');
    const { metricsToken, host } = services.config;
    if (metricsToken) {
      const given = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1] ?? '';
      if (!sameSecret(given, metricsToken)) {
        return c.json(errorBody('unauthorized', operationsMessages.metricsUnauthorized), 401);
      }
    } else if (!isLoopbackHost(host)) {
      return c.json(errorBody('forbidden', operationsMessages.metricsTokenRequired), 403);
    }
    try {
      c.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return c.body(await renderMetrics(services));
    } catch (error) {
      services.logger.error({ err: error }, 'metrics: could not read the gauges');
      return c.json(errorBody('internal_error', genericMessages.internal), 500);
    }
  });
  return app;
}
