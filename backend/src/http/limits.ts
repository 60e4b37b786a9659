/**
 * Input limits every route shares: JSON bodies capped per route (413), no control characters in paths,
 * queries or identifiers (400, never a database error), bounded field lengths.
 */
import { z } from '@hono/zod-openapi';
import { genericMessages } from '@jira-integration/shared';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { firstUnstorable, isStorableText, makeStorable } from '@jira-integration/shared/storable';
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

export function isProxyPath(path: string) {
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

/** How deep a JSON body of our own API may nest; Atlassian's payloads (ADF in events) get more room. */
export const MAX_JSON_DEPTH = 64;
export const MAX_ATLASSIAN_JSON_DEPTH = 1000;

/**
 * Whether JSON text nests deeper than `max` arrays or objects, read without parsing: one pass over the text,
 * skipping strings, so no recursion and no parse of a hostile document.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) depth -= 1;
  }
  return false;
}

/** decodeURIComponent that says undefined for broken percent-encoding or invalid UTF-8 instead of throwing. */
export function strictlyDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** What is wrong with a request target's path and query, as the 400's message; undefined when nothing. */
export function targetProblem(pathname: string, search: string, proxy: boolean): string | undefined {
  // A proxied call's Jira path is checked by the proxy's own path guard, in its own words (proxy/path.ts).
  const ours = proxy ? pathname.slice(0, pathname.indexOf('/proxy/') + 1 || undefined) : pathname;
  const path = strictlyDecoded(ours);
  if (path === undefined) return limitMessages.invalidEncoding('path');
  if (hasControlCharacters(path) || !path.isWellFormed()) return limitMessages.controlCharacters('path');
  if (!search || search === '?') return undefined;
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = strictlyDecoded(rawName.replaceAll('+', ' '));
    const value = strictlyDecoded((equals === -1 ? '' : pair.slice(equals + 1)).replaceAll('+', ' '));
    const field = name ?? 'query';
    if (name === undefined || value === undefined) return limitMessages.invalidEncoding(field);
    // The proxy passes queries to Jira (JQL may hold a newline); a NUL is refused everywhere.
    const refused = proxy
      ? !isStorableText(name + value)
      : hasControlCharacters(name + value) || !(name + value).isWellFormed();
    if (refused) return limitMessages.controlCharacters(field);
  }
  return undefined;
}

/**
 * What a segment of our own paths can be: a route's word or an id (a UUID, `tkt_…`, a workflow key). Anything
 * else names nothing, so it is a 404 before any lookup (the proxy's Jira path is the proxy guard's to judge).
 */
const PATH_SEGMENT = /^[A-Za-z0-9_.~:@-]{0,128}$/;

export function namesNothing(pathname: string, proxy: boolean): boolean {
  const ours = proxy ? pathname.slice(0, pathname.indexOf('/proxy/')) : pathname;
  const decoded = strictlyDecoded(ours) ?? ours;
  return decoded.split('/').some((segment) => !PATH_SEGMENT.test(segment));
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(bytes: ArrayBuffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The request-shape gate, before any handler or database call (the proxy's hot path applies `targetProblem`
 * itself): a path or query with control characters, broken percent-encoding or invalid UTF-8 is a 400; so is a
 * JSON body (any `+json` type) that is not UTF-8, nests deeper than MAX_JSON_DEPTH, or holds a string or key
 * PostgreSQL cannot store (NUL, lone surrogates), and a form with control characters in a field. Atlassian's
 * payloads to `/forge/*` are Jira's content, which is data: their unstorable characters are replaced, not refused.
 */
export const requestShapeGate = createMiddleware<AppEnv>(async (c, next) => {
  const url = new URL(c.req.url);
  const proxy = isProxyPath(url.pathname);
  const refuse = (message: string) => c.json(errorBody('invalid_request', message), 400);
  const target = targetProblem(url.pathname, url.search, proxy);
  if (target) return refuse(target);
  if (namesNothing(url.pathname, proxy)) return c.json(errorBody('not_found', genericMessages.notFound), 404);
  if (BODYLESS.has(c.req.method) || proxy || !c.req.raw.body) return next();
  const type = c.req.header('content-type') ?? '';
  const json = JSON_TYPE.test(type);
  if (!json && !FORM_TYPE.test(type)) return next();
  const bytes = await c.req.arrayBuffer();
  // Multipart parts may be files (bytes, not text); everything else must be UTF-8.
  const text = /^multipart\//i.test(type) ? '' : decodeBody(bytes);
  if (text === undefined) return refuse(limitMessages.invalidEncoding('body'));
  const fromAtlassian = url.pathname.startsWith('/forge/');
  if (json) {
    const maxDepth = fromAtlassian ? MAX_ATLASSIAN_JSON_DEPTH : MAX_JSON_DEPTH;
    if (jsonNestsDeeperThan(text, maxDepth)) return refuse(limitMessages.tooDeep(maxDepth));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return next(); // The route answers a malformed body in its own words.
    }
    if (fromAtlassian) {
      // What the handlers read (Hono's body cache holds promises): the same payload, storable.
      if (firstUnstorable(parsed)) {
        const storable = Promise.resolve(JSON.stringify(makeStorable(parsed)));
        (c.req.bodyCache as Record<string, unknown>).text = storable;
      }
      return next();
    }
    const field = firstUnstorable(parsed);
    if (field) return refuse(limitMessages.controlCharacters(field));
    return next();
  }
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    return refuse(limitMessages.malformedBody);
  }
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string') continue;
      // Form fields hold typed text: a description keeps its line breaks and tabs.
      if (hasControlCharacters(name + item, true) || !(name + item).isWellFormed())
        return refuse(limitMessages.controlCharacters(name));
    }
  }
  return next();
});
