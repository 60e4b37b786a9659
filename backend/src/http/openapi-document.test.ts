import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test-support/context';

interface Doc {
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<
    string,
    Record<
      string,
      {
        tags?: string[];
        parameters?: Array<{ name: string; in: string }>;
        operationId?: string;
        security?: Array<Record<string, string[]>>;
      }
    >
  >;
}

describe('the published API reference', () => {
  let t: TestContext;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestContext({ env: { PUBLIC_URL: 'https://jira.example.com' } });
    doc = (await (await t.app.request('/openapi.json')).json()) as Doc;
  });
  afterAll(() => t.close());

  it('names every operation (client generators name methods by it) and says what credentials each takes', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, ...operation })),
    );
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.filter((operation) => !operation.security).map((o) => `${o.method} ${o.path}`)).toEqual(
      [],
    );
    const find = (method: string, path: string) =>
      operations.find((o) => o.method === method && o.path === path);
    expect(find('post', '/v1/tickets/{id}/comments')?.operationId).toBe('postV1TicketsByIdComments');
    expect(find('get', '/v1/jira/oauth/callback-url')?.security).toEqual([]);
    expect(find('get', '/v1/tickets')?.security).toEqual([{ teamApiKey: [] }]);
  });

  it('names the public URL as its server', () => {
    expect(doc.servers).toEqual([{ url: 'https://jira.example.com' }]);
  });

  it('tags every operation once, lists the team routes first and the internal Forge endpoints last', () => {
    const paths = Object.keys(doc.paths);
    expect(paths[0]).toMatch(/^\/v1\/team/);
    const firstForge = paths.findIndex((path) => path.startsWith('/forge/'));
    expect(firstForge).toBeGreaterThan(0);
    expect(paths.slice(firstForge).every((path) => path.startsWith('/forge/'))).toBe(true);
    const tagNames = doc.tags.map((tag) => tag.name);
    expect(tagNames[0]).toBe('Team');
    expect(tagNames.at(-1)).toBe('Forge app (internal)');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const operation of Object.values(item)) {
        expect(operation.tags, path).toHaveLength(1);
        expect(tagNames, path).toContain(operation.tags![0]);
      }
    }
    expect(doc.paths['/v1/audit'].get.tags).toEqual(['Team']);
    expect(doc.paths['/v1/jira/connections'].get.tags).toEqual(['Connections']);
  });

  it('offers the proxy’s two opt-in headers as parameters, so the reference page can send them', () => {
    const proxy = Object.entries(doc.paths).filter(([path]) => path.includes('/proxy/'));
    expect(proxy.length).toBeGreaterThan(0);
    for (const [path, item] of proxy) {
      for (const operation of Object.values(item)) {
        const headers = (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'header')
          .map((parameter) => parameter.name.toLowerCase());
        expect(headers, path).toEqual(expect.arrayContaining(['x-use-connect-auth', 'x-as-jira-user']));
        expect(operation.tags).toEqual(['Jira proxy']);
      }
    }
  });

  it('serves /docs without web fonts, cloud buttons or anything from another origin', async () => {
    const html = await (await t.app.request('/docs')).text();
    expect(html).toContain('/docs/assets/scalar.js');
    expect(html).toMatch(/"withDefaultFonts":\s*false/);
    expect(html).toMatch(/"hideClientButton":\s*true/);
    expect(html).not.toMatch(/fonts\.(scalar\.com|googleapis|gstatic)/);
    expect(html).not.toContain('cdn.jsdelivr.net');
  });
});
