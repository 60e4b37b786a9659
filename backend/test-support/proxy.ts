/** Tests only: a scriptable stand-in for api.atlassian.com, and raw HTTP requests that keep `..` intact. */
import http from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv, Services } from '../src/context';
import { proxyRoutes } from '../src/proxy/routes';
import type { ProxyOptions } from '../src/proxy/service';
import { listen } from './context';

export interface SeenRequest {
  method: string;
  /** Path and query as they arrived. */
  target: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeUpstream {
  url: string;
  seen: SeenRequest[];
  /** How the next requests are answered; the default echoes the request as JSON. */
  respond(handler: (c: Context, seen: SeenRequest) => Response | Promise<Response>): void;
  close(): Promise<void>;
}

/** The default answer: the request as the upstream saw it. */
export const echoRequest = (c: Context, seen: SeenRequest) => c.json(seen);

export async function startFakeUpstream(): Promise<FakeUpstream> {
  let handler: (c: Context, seen: SeenRequest) => Response | Promise<Response> = echoRequest;
  const seen: SeenRequest[] = [];
  const app = new OpenAPIHono();
  app.all('*', async (c) => {
    const incoming = (c.env as { incoming: http.IncomingMessage }).incoming;
    const request: SeenRequest = {
      method: c.req.method,
      target: incoming.url ?? '',
      headers: Object.fromEntries(Object.entries(incoming.headers).map(([k, v]) => [k, String(v)])),
      body: c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text(),
    };
    seen.push(request);
    return handler(c, request);
  });
  const server = await listen(app.fetch);
  return {
    url: server.url,
    seen,
    respond(next) {
      handler = next;
    },
    close: server.close,
  };
}

/** The proxy routes alone over real HTTP, with test-sized timeouts and an injectable sleep. */
export function proxyTestApp(services: Services, options: ProxyOptions) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(async (c, next) => {
    c.set('services', services);
    await next();
  });
  app.route('/', proxyRoutes(options));
  return app;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request whose path goes out byte for byte (fetch would resolve `..` and `%2e%2e` first). */
export function rawRequest(
  baseUrl: string,
  target: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
    agent?: http.Agent;
  } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname,
        port,
        path: target,
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: init.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}
