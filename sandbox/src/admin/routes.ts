/** `/_sandbox/*`: drive the sandbox over HTTP (reset, clients, faults, rate limits, stats) and the admin page. */
import { Hono } from 'hono';
import type { Fault } from '../faults';
import type { RateLimits } from '../limits/rate-limiter';
import type { SeedOAuthClient } from '../seed-types';
import type { StatsSnapshot } from '../stats';
import { type AdminView, adminPage } from './page';

export interface AdminControls {
  reset(): void;
  registerOAuthClient(client: SeedOAuthClient): void;
  setFault(fault: Fault | null): void;
  setRateLimits(limits: RateLimits | null): void;
  stats(): StatsSnapshot;
  view(): AdminView;
}

export const ADMIN_MESSAGES = {
  invalidJson: 'The body must be JSON.',
  invalidClient:
    'A client needs a non-empty clientId and clientSecret, callbackUrls as a non-empty list of absolute URLs, and distribution managed or custom when given.',
  invalidFault:
    "A fault is null or { kind: 'status' | 'timeout' | 'slow' | 'reset', status?, delayMs?, times?, retryAfterSeconds?, match?: { method?, pathIncludes? } }.",
  invalidRateLimits: 'Rate limits are null or { hourlyPoints?, perSecond? } with positive integers.',
} as const;

const FAULT_KINDS = new Set(['status', 'timeout', 'slow', 'reset']);

function isAbsoluteUrl(value: unknown): boolean {
  try {
    return typeof value === 'string' && new URL(value).protocol.length > 0;
  } catch {
    return false;
  }
}

function positiveInt(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isInteger(value) && value > 0);
}

function asClient(body: unknown): SeedOAuthClient | null {
  if (typeof body !== 'object' || body === null) return null;
  const c = body as Record<string, unknown>;
  const valid =
    typeof c.clientId === 'string' &&
    c.clientId.length > 0 &&
    typeof c.clientSecret === 'string' &&
    c.clientSecret.length > 0 &&
    Array.isArray(c.callbackUrls) &&
    c.callbackUrls.length > 0 &&
    c.callbackUrls.every(isAbsoluteUrl) &&
    (c.name === undefined || typeof c.name === 'string') &&
    (c.distribution === undefined || c.distribution === 'managed' || c.distribution === 'custom');
  return valid ? (c as unknown as SeedOAuthClient) : null;
}

function asFault(body: unknown): Fault | null | undefined {
  if (body === null) return null;
  if (typeof body !== 'object') return undefined;
  const f = body as Record<string, unknown>;
  const match = f.match as Record<string, unknown> | undefined;
  const valid =
    FAULT_KINDS.has(String(f.kind)) &&
    (f.status === undefined || (typeof f.status === 'number' && f.status >= 400 && f.status <= 599)) &&
    positiveInt(f.delayMs) &&
    positiveInt(f.times) &&
    (f.retryAfterSeconds === undefined ||
      (typeof f.retryAfterSeconds === 'number' && f.retryAfterSeconds >= 0)) &&
    (match === undefined ||
      (typeof match === 'object' &&
        match !== null &&
        (match.method === undefined || typeof match.method === 'string') &&
        (match.pathIncludes === undefined || typeof match.pathIncludes === 'string')));
  return valid ? (f as unknown as Fault) : undefined;
}

function asRateLimits(body: unknown): RateLimits | null | undefined {
  if (body === null) return null;
  if (typeof body !== 'object') return undefined;
  const l = body as Record<string, unknown>;
  return positiveInt(l.hourlyPoints) && positiveInt(l.perSecond) ? (l as RateLimits) : undefined;
}

export function adminRoutes(controls: AdminControls): Hono {
  const app = new Hono();
  const readJson = async (text: string): Promise<{ ok: true; value: unknown } | { ok: false }> => {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  };

  app.get('/_sandbox', (c) => c.html(adminPage(controls.view())));
  app.get('/_sandbox/stats', (c) => c.json(controls.stats()));
  app.post('/_sandbox/reset', (c) => {
    controls.reset();
    return c.body(null, 204);
  });
  app.post('/_sandbox/clients', async (c) => {
    const body = await readJson(await c.req.text());
    const client = body.ok ? asClient(body.value) : null;
    if (!client)
      return c.json({ message: body.ok ? ADMIN_MESSAGES.invalidClient : ADMIN_MESSAGES.invalidJson }, 400);
    controls.registerOAuthClient(client);
    return c.json({ clientId: client.clientId }, 201);
  });
  app.post('/_sandbox/faults', async (c) => {
    const body = await readJson(await c.req.text());
    const fault = body.ok ? asFault(body.value) : undefined;
    if (fault === undefined) {
      return c.json({ message: body.ok ? ADMIN_MESSAGES.invalidFault : ADMIN_MESSAGES.invalidJson }, 400);
    }
    controls.setFault(fault);
    return c.body(null, 204);
  });
  app.post('/_sandbox/rate-limits', async (c) => {
    const body = await readJson(await c.req.text());
    const limits = body.ok ? asRateLimits(body.value) : undefined;
    if (limits === undefined) {
      return c.json(
        { message: body.ok ? ADMIN_MESSAGES.invalidRateLimits : ADMIN_MESSAGES.invalidJson },
        400,
      );
    }
    controls.setRateLimits(limits);
    return c.body(null, 204);
  });
  return app;
}
