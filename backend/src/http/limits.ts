/**
 * Input limits every route shares: JSON bodies capped per route (413), no control characters in paths,
 * queries or identifiers (400, never a database error), bounded field lengths.
 */
import { z } from '@hono/zod-openapi';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { errorBody } from './errors';

const WHITESPACE_CONTROLS = new Set([9, 10, 13]);

/** C0 controls and DEL. Tab, newline and carriage return pass only where a field allows whitespace. */
export function hasControlCharacters(value: string, allowWhitespace = false): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if ((code < 0x20 || code === 0x7f) && !(allowWhitespace && WHITESPACE_CONTROLS.has(code))) return true;
  }
  return false;
}

/** A string field of at most `max` characters, without control characters. */
export function boundedText(field: string, max: number) {
  return z
    .string()
    .max(max, { message: limitMessages.tooLong(field, max).replace(`${field}: `, '') })
    .refine((value) => !hasControlCharacters(value), {
      message: limitMessages.controlCharacters(field).replace(`${field}: `, ''),
    });
}

/** The default cap on a JSON body; routes that need more say so in BODY_LIMITS. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Larger caps, by path prefix. The proxy streams its bodies and sets its own rules. */
const BODY_LIMITS: Array<{ prefix: string; maxBytes: number | null }> = [
  { prefix: '/forge/events', maxBytes: 1024 * 1024 },
];

function isProxyPath(path: string) {
  return /^\/v1\/jira\/connections\/[^/]+\/proxy(\/|$)/.test(path);
}

export function bodyLimitFor(path: string): number | null {
  if (isProxyPath(path)) return null;
  return BODY_LIMITS.find((limit) => path.startsWith(limit.prefix))?.maxBytes ?? DEFAULT_BODY_LIMIT;
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses bodies over the route's cap with 413 before anything reads them: by Content-Length when sent,
 * else by counting the stream as it is read.
 */
export const limitBodies = createMiddleware<AppEnv>(async (c, next) => {
  const maxBytes = BODYLESS.has(c.req.method) ? null : bodyLimitFor(c.req.path);
  if (maxBytes === null) return next();
  const tooLarge = () => c.json(errorBody('payload_too_large', limitMessages.bodyTooLarge(maxBytes)), 413);
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) return tooLarge();
  const body = c.req.raw.body;
  if (declared === undefined && body) {
    // No length given (chunked): read at most maxBytes + 1 and refuse beyond.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) return tooLarge();
      chunks.push(chunk);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks), duplex: 'half' } as RequestInit);
  }
  return next();
});

/**
 * Control characters in the path or (outside the proxy) the query are refused with 400: no identifier holds
 * one, and PostgreSQL cannot store a NUL at all.
 */
export const refuseControlCharacters = createMiddleware<AppEnv>(async (c, next) => {
  const url = new URL(c.req.url);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    path = url.pathname;
  }
  if (hasControlCharacters(path)) {
    return c.json(errorBody('invalid_request', limitMessages.controlCharacters('path')), 400);
  }
  const proxy = isProxyPath(url.pathname);
  for (const [name, value] of url.searchParams) {
    // The proxy passes queries to Jira (JQL may hold a newline); a NUL is refused everywhere.
    if (proxy ? value.includes('\u0000') || name.includes('\u0000') : hasControlCharacters(name + value)) {
      return c.json(errorBody('invalid_request', limitMessages.controlCharacters(name)), 400);
    }
  }
  return next();
});

/** A NUL anywhere in a JSON body (PostgreSQL cannot store it): the name of the first field holding one. */
export function findNul(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${path}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return path;
      const found = findNul(item, path === 'body' ? key : `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** JSON bodies (outside the proxy) with a NUL in any string are refused with 400. */
export const refuseNulInJson = createMiddleware<AppEnv>(async (c, next) => {
  if (BODYLESS.has(c.req.method) || isProxyPath(c.req.path)) return next();
  if (!c.req.header('content-type')?.toLowerCase().includes('application/json')) return next();
  let parsed: unknown;
  try {
    parsed = await c.req.json();
  } catch {
    return next(); // The route answers a malformed body in its own words.
  }
  const field = findNul(parsed);
  if (field) return c.json(errorBody('invalid_request', limitMessages.controlCharacters(field)), 400);
  return next();
});
