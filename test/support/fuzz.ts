/**
 * Malformed requests for every route the app serves, generated from what the app says of itself: its routes
 * (`app.routes`, so a new route is covered without editing this file) and, where a route is in the OpenAPI
 * document, its body schema and query parameters. Cases are drawn with fast-check from a fixed seed, so a failing
 * case is the same on every run and machine.
 */
import fc from 'fast-check';

export type Auth = 'none' | 'garbage' | 'key' | 'session' | 'forge' | 'admin';

/** Real ids of the team's resources: a malformed body aimed at a real record reaches the handler's logic. */
export interface FuzzIds {
  connections: string[];
  tickets: string[];
  workflows: string[];
  keys: string[];
}

export interface FuzzRoute {
  method: string;
  /** Hono's pattern: `:name` parameters, `*` wildcards. */
  pattern: string;
  bodySchema?: JsonSchema;
  queryNames: string[];
}

export interface FuzzCase {
  route: FuzzRoute;
  method: string;
  path: string;
  auth: Auth;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** A one-line account of the case, for a failure message. */
  label: string;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Every route of the app with what the OpenAPI document says of its inputs. */
export function fuzzRoutes(
  routes: ReadonlyArray<{ method: string; path: string }>,
  document: OpenApiDocument,
): FuzzRoute[] {
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined => {
    if (!schema?.$ref) return schema;
    return document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
  };
  const seen = new Set<string>();
  const result: FuzzRoute[] = [];
  // `ALL` entries are middleware, except a handler for every method (the proxy): fuzzed with the usual ones.
  const expanded = routes.flatMap(({ method, path }) =>
    method !== 'ALL'
      ? [{ method, path }]
      : /\/proxy\/\*$/.test(path)
        ? ['GET', 'POST', 'PUT', 'DELETE'].map((each) => ({ method: each, path }))
        : [],
  );
  for (const { method, path } of expanded) {
    const key = `${method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const documented = path.replace(/:(\w+)/g, '{$1}');
    const operation = document.paths[documented]?.[method.toLowerCase()];
    const body = operation?.requestBody?.content;
    const bodySchema = resolve(body?.['application/json']?.schema ?? Object.values(body ?? {})[0]?.schema);
    result.push({
      method,
      pattern: path,
      bodySchema: bodySchema ? resolveDeep(bodySchema, resolve) : undefined,
      queryNames: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    });
  }
  // What destroys the fixtures (the connection, the key, the session) goes last, so the rest hit real records.
  const destructive = (route: FuzzRoute) =>
    route.method === 'DELETE' || /revoke|logout/.test(route.pattern) ? 1 : 0;
  return result.sort((a, b) => destructive(a) - destructive(b));
}

function resolveDeep(
  schema: JsonSchema,
  resolve: (schema: JsonSchema | undefined) => JsonSchema | undefined,
  depth = 0,
): JsonSchema {
  const own = resolve(schema) ?? {};
  if (depth > 6) return own;
  const next = (child: JsonSchema) => resolveDeep(child, resolve, depth + 1);
  return {
    ...own,
    ...(own.properties
      ? { properties: Object.fromEntries(Object.entries(own.properties).map(([k, v]) => [k, next(v)])) }
      : {}),
    ...(own.items ? { items: next(own.items) } : {}),
    ...(own.anyOf ? { anyOf: own.anyOf.map(next) } : {}),
    ...(own.oneOf ? { oneOf: own.oneOf.map(next) } : {}),
  };
}

/** Path segments no id has: NUL and controls, traversal, broken or overlong UTF-8, lone surrogates, huge. */
const HOSTILE_SEGMENTS = [
  'a%00b',
  '%00',
  '%01',
  '..',
  '%2e%2e',
  '%2F..%2F..',
  '%ff',
  '%ed%a0%80',
  '%c0%ae',
  '%',
  '%zz',
  'x'.repeat(3000),
  "'%20or%201=1--",
  '-1',
  '1e309',
  '00000000-0000-0000-0000-000000000000',
  'tkt_%0a',
  '%F0%9F%98%80',
  'conn',
];

/** JSON values that are wrong for most fields. */
const HOSTILE_VALUES: unknown[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u0007bell',
  '',
  ' ',
  'x'.repeat(70_000),
  '../../etc/passwd',
  '.',
  '..',
  'SUP/../..',
  -1,
  0,
  1.5,
  2 ** 53 + 1,
  1e308,
  -1e308,
  true,
  null,
  [],
  {},
  [null],
  { $gt: '' },
  'not-an-email',
  'ftp://evil.example',
  '9'.repeat(400),
];

/** Raw bodies, some not JSON at all; `[deep]` is replaced by nesting thousands of levels deep. */
const RAW_BODIES = [
  '{',
  '{"a":',
  '[1,2',
  'null',
  '"\\u0000"',
  '"\\ud800"',
  '1e999',
  '-0',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '[deep-array]',
  '[deep-object]',
  '{"a":"\\u0000"}',
  '',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/octet-stream',
  '',
];

function deep(kind: 'array' | 'object', levels: number): string {
  return kind === 'array'
    ? `${'['.repeat(levels)}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** A plausible value for the schema: the starting point a mutation breaks one field of. */
export function sampleOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  if (schema.enum?.length) return schema.enum[0];
  const choice = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (choice) return sampleOf(choice, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        result[name] = sampleOf(property, depth + 1);
      return result;
    }
    case 'array':
      return [sampleOf(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'email') return 'fuzz@example.com';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://fuzz.atlassian.net';
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      return 'fuzz';
    default:
      return schema.properties ? sampleOf({ ...schema, type: 'object' }, depth) : 'x';
  }
}

function fieldPaths(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      out.push([...prefix, key]);
      fieldPaths(child, [...prefix, key], out);
    }
  }
  return out;
}

function withField(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = { ...(value as Record<string, unknown>) };
  copy[path[0]] = withField(copy[path[0]], path.slice(1), replacement);
  return copy;
}

const encoder = new TextEncoder();

/** Field names the console's forms read. */
const FORM_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'body',
  'visibility',
  'name',
  'input',
  'apiKey',
  'decision',
  'projectKey',
  'strategy',
  'connectionId',
  'approval',
  'requesterEmail',
  'assigneeEmail',
];

interface DrawnBody {
  text?: string;
  bytes?: Uint8Array;
  contentType?: string;
  label: string;
}

function bodyArbitrary(route: FuzzRoute): fc.Arbitrary<DrawnBody | undefined> {
  const base = sampleOf(route.bodySchema);
  const paths = fieldPaths(base);
  const mutated = fc
    .tuple(
      paths.length ? fc.constantFrom(...paths) : fc.constant<string[]>([]),
      fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 3 })),
    )
    .map(([path, value]) => ({
      text: JSON.stringify(withField(base, path, value)),
      label: `field ${path.join('.') || '(whole)'} = ${JSON.stringify(value)?.slice(0, 40)}`,
    }));
  const unknownField = fc.string({ minLength: 1, maxLength: 12 }).map((name) => ({
    text: JSON.stringify({ ...(base as object), [`zz${name}`]: 1 }),
    label: `unknown field zz${name}`,
  }));
  const raw = fc.constantFrom(...RAW_BODIES).map((text) => ({
    text:
      text === '[deep-array]' ? deep('array', 5000) : text === '[deep-object]' ? deep('object', 3000) : text,
    label: `raw ${text.slice(0, 30)}`,
  }));
  const invalidUtf8 = fc.constant({
    bytes: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    label: 'invalid UTF-8',
  });
  // Console forms: the fields they read, each given a hostile value, sent as a browser sends a form.
  const formField = fc.tuple(
    fc.constantFrom(...FORM_FIELDS),
    fc.constantFrom(
      '%00',
      '%ff%fe',
      'x%01y',
      '%ed%a0%80',
      '',
      'x'.repeat(3000),
      '%7B%22a%22%3A',
      '-1',
      'a%0d%0ab',
    ),
  );
  const form = fc.array(formField, { minLength: 1, maxLength: 4 }).map((pairs) => {
    const text = pairs.map(([name, value]) => `${name}=${value}`).join('&');
    return { text, contentType: 'application/x-www-form-urlencoded', label: `form ${text.slice(0, 60)}` };
  });
  const anything = fc.jsonValue({ maxDepth: 4 }).map((value) => ({
    text: JSON.stringify(value),
    label: 'random JSON',
  }));
  return fc.oneof(
    { arbitrary: mutated, weight: 5 },
    { arbitrary: unknownField, weight: 1 },
    { arbitrary: raw, weight: 2 },
    { arbitrary: invalidUtf8, weight: 1 },
    { arbitrary: form, weight: route.pattern.startsWith('/console') ? 6 : 1 },
    { arbitrary: anything, weight: 1 },
  );
}

/** The real ids a parameter can take: by its name, else by the path segment before it. */
function realIds(parts: string[], index: number, ids: FuzzIds): string[] {
  const name = parts[index];
  const before = parts[index - 1] ?? '';
  if (name === ':connectionId' || before === 'connections') return ids.connections;
  if (before === 'tickets') return ids.tickets;
  if (before === 'workflows') return ids.workflows;
  if (before === 'keys') return ids.keys;
  return [];
}

function pathArbitrary(pattern: string, ids: FuzzIds): fc.Arbitrary<string> {
  const parts = pattern.split('/');
  const segment = (part: string, index: number) => {
    const real = part.startsWith(':') ? realIds(parts, index, ids) : [];
    return part.startsWith(':') || part === '*'
      ? fc.oneof(
          {
            arbitrary: real.length ? fc.constantFrom(...real) : fc.constant('none'),
            weight: real.length ? 6 : 0,
          },
          {
            arbitrary: fc.constantFrom(
              'rest/api/3/myself',
              'rest/api/3/issue/SUP-1',
              'rest/servicedeskapi/request',
            ),
            weight: part === '*' ? 4 : 0,
          },
          { arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS), weight: 4 },
          {
            arbitrary: fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s.toWellFormed())),
            weight: 1,
          },
          { arbitrary: fc.constant('rest/api/3/../../../admin'), weight: part === '*' ? 2 : 0 },
        )
      : fc.constant(part);
  };
  return fc.tuple(...parts.map(segment)).map((segments) => segments.join('/'));
}

function queryArbitrary(route: FuzzRoute): fc.Arbitrary<string> {
  const names = [...route.queryNames, 'limit', 'cursor', 'zz'];
  const value = fc.constantFrom(
    '%00',
    '%ff',
    '..',
    '.',
    '%2e%2e',
    'SUP',
    '%ed%a0%80x',
    '-1',
    '1e999',
    'x'.repeat(3000),
    '%0a',
    '',
    '__proto__',
    '%ed%a0%80',
  );
  return fc
    .array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 3 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}` : ''));
}

function authChoices(pattern: string): Auth[] {
  if (pattern.startsWith('/forge/')) return ['forge', 'none', 'garbage'];
  if (pattern.startsWith('/console')) return ['session', 'none'];
  if (pattern.startsWith('/_admin/')) return ['admin', 'none', 'garbage'];
  return ['key', 'none', 'garbage'];
}

/** `runs` seeded cases for one route. */
export function casesFor(route: FuzzRoute, runs: number, seed: number, ids: FuzzIds): FuzzCase[] {
  const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
  const arbitrary = fc.record({
    path: pathArbitrary(route.pattern, ids),
    query: queryArbitrary(route),
    auth: fc.constantFrom(...authChoices(route.pattern)),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    body: withBody ? bodyArbitrary(route) : fc.constant(undefined),
  });
  return fc.sample(arbitrary, { seed, numRuns: runs }).map((drawn) => {
    const headers: Record<string, string> = {};
    const contentType = drawn.body?.contentType ?? drawn.contentType;
    if (contentType && drawn.body) headers['content-type'] = contentType;
    const body = drawn.body ? (drawn.body.bytes ?? encoder.encode(drawn.body.text ?? '')) : undefined;
    return {
      route,
      method: route.method,
      path: `${drawn.path}${drawn.query}`,
      auth: drawn.auth,
      headers,
      body,
      label: `${route.method} ${drawn.path.slice(0, 80)}${drawn.query.slice(0, 40)} [${drawn.auth}, ${drawn.contentType || 'no type'}${drawn.body ? `, ${drawn.body.label}` : ''}]`,
    };
  });
}
