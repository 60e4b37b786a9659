import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlassianUnavailableError, atlassianFetch } from './http';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, seen: Seen) => void;

let server: http.Server;
let base: string;
let handler: Handler = (_request, response) => response.end();
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(entry);
      handler(request, response, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const answer = (next: Handler) => {
  handler = next;
  seen.length = 0;
};

describe('atlassianFetch', () => {
  it('sends method, headers and each kind of body, and answers a Response', async () => {
    answer((_request, response, entry) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ method: entry.method, body: entry.body.toString() }));
    });
    const bodies: Array<[RequestInit['body'], string]> = [
      ['text', 'text'],
      [new TextEncoder().encode('bytes'), 'bytes'],
      [new TextEncoder().encode('buffer').buffer as ArrayBuffer, 'buffer'],
      [
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('stre'));
            controller.enqueue(new TextEncoder().encode('amed'));
            controller.close();
          },
        }),
        'streamed',
      ],
    ];
    for (const [body, text] of bodies) {
      const response = await atlassianFetch(`${base}/rest/api/3/issue`, {
        method: 'post',
        headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
        body,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ method: 'POST', body: text });
    }
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer t');
    // Nothing asks Atlassian for compression: bodies pass through as sent.
    expect(seen.at(-1)?.headers['accept-encoding']).toBeUndefined();
  });

  it('streams a long answer byte for byte and keeps repeated headers', async () => {
    const long = Buffer.alloc(3 * 1024 * 1024, 'x');
    long.write('end', long.length - 3);
    answer((_request, response) => {
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.end(long);
    });
    const response = await atlassianFetch(`${base}/attachment`, {});
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(Buffer.from(await response.arrayBuffer()).equals(long)).toBe(true);
  });

  it('returns compressed bodies as sent, with their encoding', async () => {
    const gz = gzipSync('{"compressed":true}');
    answer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length });
      response.end(gz);
    });
    const response = await atlassianFetch(`${base}/gz`, {});
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await response.arrayBuffer()).equals(gz)).toBe(true);
  });

  it('returns redirects instead of following them, and no body for 204 and HEAD', async () => {
    answer((request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
      else if (request.method === 'HEAD') response.writeHead(200, { 'content-length': 10 }).end();
      else response.writeHead(204).end();
    });
    const moved = await atlassianFetch(`${base}/moved`, {});
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(seen.map((entry) => entry.url)).toEqual(['/moved']);
    expect((await atlassianFetch(`${base}/gone`, { method: 'DELETE' })).body).toBeNull();
    expect((await atlassianFetch(`${base}/head`, { method: 'HEAD' })).body).toBeNull();
  });

  it('retries a GET that Atlassian rate-limits, honouring Retry-After, but never a POST', async () => {
    let calls = 0;
    answer((_request, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(429, { 'retry-after': '2' }).end('slow down');
      else response.end('ok');
    });
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const got = await atlassianFetch(`${base}/search`, {}, { sleep });
    expect([got.status, await got.text(), waits]).toEqual([200, 'ok', [2000]]);

    calls = 0;
    const posted = await atlassianFetch(`${base}/issue`, { method: 'POST', body: '{}' }, { sleep });
    expect(posted.status).toBe(429);
    expect(calls).toBe(1);
  });

  it('sends a call again once when the connection drops before any answer, if sending twice is harmless', async () => {
    let calls = 0;
    // The first call of each pair finds its connection closed under it, as a kept-alive one the far side dropped.
    answer((request, response) => {
      calls += 1;
      if (calls % 2 === 1) request.socket.destroy();
      else response.end('ok');
    });
    const got = await atlassianFetch(`${base}/issue/1`, {});
    expect([got.status, await got.text(), calls]).toEqual([200, 'ok', 2]);
    const searched = await atlassianFetch(`${base}/ex/jira/c1/rest/api/3/search/jql`, {
      method: 'POST',
      body: '{}',
    });
    expect([searched.status, calls]).toEqual([200, 4]);

    // A create may have happened: never sent twice, even by a caller that retries its 429s.
    calls = 0;
    const created = await atlassianFetch(
      `${base}/ex/jira/c1/rest/api/3/issue`,
      { method: 'POST', body: '{}' },
      { forceRetryable: true },
    ).catch((error) => error);
    expect(created).toBeInstanceOf(AtlassianUnavailableError);
    expect(created.message).toBe('Atlassian could not be reached.');
    expect(calls).toBe(1);

    // Only once: a connection that drops every time is an outage.
    answer((request) => {
      calls += 1;
      request.socket.destroy();
    });
    calls = 0;
    await expect(atlassianFetch(`${base}/issue/2`, {})).rejects.toBeInstanceOf(AtlassianUnavailableError);
    expect(calls).toBe(2);
  });

  it('times out before the answer and during a slow body, and says when Atlassian cannot be reached', async () => {
    answer(() => {});
    const before = await atlassianFetch(`${base}/hang`, {}, { timeoutMs: 100 }).catch((error) => error);
    expect(before).toBeInstanceOf(AtlassianUnavailableError);
    expect(before.message).toBe('Atlassian did not answer in time.');
    expect(before.timedOut).toBe(true);

    answer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(Buffer.alloc(1024));
    });
    // The headers must beat the limit even on a loaded machine; the body never ends, so the limit always fires.
    const slow = await atlassianFetch(`${base}/slow-body`, {}, { timeoutMs: 2_000 });
    expect(slow.status).toBe(200);
    await expect(slow.arrayBuffer()).rejects.toThrow();

    const unreachable = await atlassianFetch('http://127.0.0.1:1/nothing', {}).catch((error) => error);
    expect(unreachable).toBeInstanceOf(AtlassianUnavailableError);
    expect(unreachable.message).toBe('Atlassian could not be reached.');
  });

  it("tells the observer each attempt's time to the answer and its status, or null when nothing answered", async () => {
    let calls = 0;
    answer((_request, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(503, { 'retry-after': '0' }).end();
      else response.end('ok');
    });
    const seenAttempts: Array<number | null> = [];
    const observe = (durationMs: number, status: number | null) => {
      expect(durationMs).toBeGreaterThanOrEqual(0);
      seenAttempts.push(status);
    };
    await atlassianFetch(`${base}/observed`, {}, { observe, sleep: async () => {} });
    await atlassianFetch('http://127.0.0.1:1/nothing', {}, { observe }).catch(() => undefined);
    expect(seenAttempts).toEqual([503, 200, null]);
  });
});
