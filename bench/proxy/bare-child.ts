/**
 * Benchmark child: the baseline, a bare Node pass-through. An `http` server that sends every request on to the
 * sandbox's site through an undici Pool with the same injected Authorization header, and pipes the answer back.
 * No auth, no path checks, no audit: what any Node proxy costs before it does anything of its own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import type { SandboxInfo } from '../support/sandbox-child';

export interface BareInfo {
  url: string;
  pid: number;
}

const sandbox = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as SandboxInfo;
const pool = new Pool(sandbox.url, { keepAliveTimeout: 30_000 });
const prefix = `/ex/jira/${sandbox.cloudId}`;
const authorization = `Bearer ${sandbox.token}`;

const server = http.createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.request(
    {
      path: `${prefix}${req.url}`,
      method: req.method as 'GET',
      headers: { accept: req.headers.accept ?? 'application/json', authorization },
      body: hasBody ? req : null,
    },
    (error, answer) => {
      if (error) {
        res.writeHead(502).end();
        return;
      }
      res.writeHead(answer.statusCode, answer.headers);
      pipeline(answer.body, res, () => {});
    },
  );
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const info: BareInfo = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pid: process.pid,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
