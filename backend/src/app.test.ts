import { gunzipSync } from 'node:zlib';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../test-support/context';
import { ERROR_CODES, errorCodeForStatus } from './http/errors';

describe('the API description and service endpoints', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('gzips answers above 1 KB for clients that accept it, the reference script once per process', async () => {
    const plain = await t.request('/openapi.json', { key: null });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const document = Buffer.from(await plain.arrayBuffer());
    const zipped = await t.request('/openapi.json', { key: null, headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const wire = Buffer.from(await zipped.arrayBuffer());
    expect(wire.length).toBeLessThan(document.length / 3);
    expect(gunzipSync(wire).equals(document)).toBe(true);
    const script = await t.request('/docs/assets/scalar.js', {
      key: null,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(script.headers.get('content-encoding')).toBe('gzip');
    expect(script.headers.get('vary')).toContain('Accept-Encoding');
    const scriptWire = Buffer.from(await script.arrayBuffer());
    const scriptRaw = Buffer.from(
      await (await t.request('/docs/assets/scalar.js', { key: null })).arrayBuffer(),
    );
    expect(gunzipSync(scriptWire).equals(scriptRaw)).toBe(true);
    expect(scriptWire.length).toBeLessThan(scriptRaw.length / 2);
    // Small answers go as they are.
    const small = await t.request('/healthz', { key: null, headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('GET /healthz answers ok with the database kind', async () => {
    const response = await t.request('/healthz', { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'pglite' });
  });

  it('GET /openapi.json documents the team API and the Forge endpoints with their own auth', async () => {
    const response = await t.request('/openapi.json', { key: null });
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: object }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'forgeInvocationToken',
      'teamApiKey',
    ]);
    for (const [path, method] of [
      ['/v1/team', 'get'],
      ['/v1/jira/connections', 'get'],
      ['/v1/jira/connections/managed/start', 'post'],
    ] as const) {
      expect(document.paths[path]?.[method]?.security).toEqual([{ teamApiKey: [] }]);
    }
    for (const [path, method] of [
      ['/forge/credentials', 'post'],
      ['/forge/lifecycle', 'post'],
      ['/forge/events', 'post'],
      ['/forge/uninstall', 'post'],
      [FORGE_UI_PATHS.issueStatus, 'get'],
      [FORGE_UI_PATHS.retryIssueSync, 'post'],
      [FORGE_UI_PATHS.adminOverview, 'get'],
    ] as const) {
      const operation = document.paths[path]?.[method];
      expect(operation?.security, `${method} ${path}`).toEqual([{ forgeInvocationToken: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toContain('401');
    }
  });

  it('GET /docs serves the reference page with its script from this origin', async () => {
    const page = await t.request('/docs', { key: null });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/docs/assets/scalar.js');
    const script = await t.request('/docs/assets/scalar.js', { key: null });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('names every error code in the OpenAPI error schema, and answers each with its own status', async () => {
    const document = (await (await t.request('/openapi.json', { key: null })).json()) as {
      components: {
        schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } };
      };
    };
    expect(document.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(
      Object.keys(ERROR_CODES).sort(),
    );
    const unauthorized = await t.request('/v1/jira/connections', { key: 'jik_not-a-key' });
    expect(unauthorized.status).toBe(ERROR_CODES.unauthorized);
    expect(((await unauthorized.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const missing = await t.request('/v1/nothing-here');
    expect(missing.status).toBe(ERROR_CODES.not_found);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(errorCodeForStatus(413)).toBe('payload_too_large');
    expect(errorCodeForStatus(418)).toBe('internal_error');
  });
});

describe('Accept-Encoding', () => {
  it('takes gzip by name or wildcard with a quality above 0', async () => {
    const { acceptsGzip } = await import('./http/compression');
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
