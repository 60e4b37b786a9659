/**
 * Answers of 1 KB and more (JSON, pages, scripts, the API document) are gzipped for clients that accept it. Our
 * answers are whole strings by the time they leave the handler, so their size is known before deciding; the
 * proxy's answers pass through as Jira sent them (the hot path never comes here, the routed proxy is skipped).
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { isProxyPath } from './limits';

export const COMPRESSION_THRESHOLD_BYTES = 1024;
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript|xml)|[^;]+\+json|image\/svg\+xml)/i;
export const gzipped: (raw: Buffer) => Promise<Buffer> = promisify(gzip);

/** Whether Accept-Encoding takes gzip (by name or `*`, with a quality above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((entry) => {
    const [name, ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return (name === 'gzip' || name === '*') && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

export const compressAnswers = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const answer = c.res;
  if (c.req.method === 'HEAD' || isProxyPath(c.req.path) || !answer.body) return;
  if (answer.headers.has('content-encoding') || [204, 206, 304].includes(answer.status)) return;
  if (!COMPRESSIBLE.test(answer.headers.get('content-type') ?? '')) return;
  if (!/\baccept-encoding\b/i.test(answer.headers.get('vary') ?? ''))
    answer.headers.append('vary', 'Accept-Encoding');
  if (!acceptsGzip(c.req.header('accept-encoding'))) return;
  const raw = Buffer.from(await answer.arrayBuffer());
  const body = raw.length < COMPRESSION_THRESHOLD_BYTES ? raw : await gzipped(raw);
  answer.headers.delete('content-length');
  c.res = new Response(new Uint8Array(body), { status: answer.status, headers: answer.headers });
  if (body !== raw) c.res.headers.set('content-encoding', 'gzip');
});
