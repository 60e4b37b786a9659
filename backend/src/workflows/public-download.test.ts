import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPublicFile, MAX_REDIRECTS, pinnedAgent } from './public-download';

const refused = (url: string, reason: string) => ({
  code: 'attachment_source_refused',
  message: workflowMessages.attachmentSourceRefused(url, reason),
});

let server: Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/file.txt') return res.end('hello');
    if (req.url === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    }
    if (req.url === '/to-file-scheme') {
      res.writeHead(301, { location: 'file:///etc/passwd' });
      return res.end();
    }
    if (req.url === '/to-file') {
      res.writeHead(307, { location: '/file.txt' });
      return res.end();
    }
    if (req.url === '/bad-location') {
      res.writeHead(302, { location: 'http://[' });
      return res.end();
    }
    if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (req.url === '/declared-huge') {
      res.writeHead(200, { 'content-length': '11' });
      return res.end('12345678901');
    }
    // /silent: never answers (the test's short wait ends it).
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Our test server counts as allowed: what it redirects to is checked as in production. */
const allowed = { maxBytes: 10, allowedHosts: ['127.0.0.1'] };

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { code?: string; message?: string } | undefined;
  return error && { code: error.code, message: error.message };
}

describe('downloadPublicFile', () => {
  it.each([
    ['http://127.0.0.1/x', '127.0.0.1'],
    ['http://10.0.0.5/x', '10.0.0.5'],
    ['http://172.20.1.1/x', '172.20.1.1'],
    ['http://192.168.0.10/x', '192.168.0.10'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://0.0.0.0:8080/x', '0.0.0.0'],
    ['http://[::1]/x', '::1'],
    ['http://[::ffff:127.0.0.1]/x', '::ffff:7f00:1'],
    ['http://[fd00::1]/x', 'fd00::1'],
    ['http://[fe80::1]/x', 'fe80::1'],
    ['http://2130706433/x', '127.0.0.1'],
  ])('refuses %s: an internal address', async (url, host) => {
    expect(await failure(downloadPublicFile(url, { maxBytes: 10 }))).toEqual(
      refused(url, workflowMessages.internalAddress(host)),
    );
  });

  it('refuses a name when any of its addresses is internal', async () => {
    const resolve = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const url = 'https://files.example.com/report.pdf';
    expect(await failure(downloadPublicFile(url, { maxBytes: 10, resolve }))).toEqual(
      refused(url, workflowMessages.resolvesToInternalAddress('files.example.com', '10.0.0.7')),
    );
  });

  it('refuses localhost, which resolves to loopback', async () => {
    const url = `http://localhost:${port}/file.txt`;
    const [first] = await lookup('localhost', { all: true, verbatim: true });
    expect(await failure(downloadPublicFile(url, { maxBytes: 10 }))).toEqual(
      refused(url, workflowMessages.resolvesToInternalAddress('localhost', first.address)),
    );
  });

  it('never shows a user name or password the URL carries', async () => {
    const failed = await failure(
      downloadPublicFile('http://robot:s3cret@10.0.0.5/x', { maxBytes: 10, allowedHosts: [] }),
    );
    expect(failed?.message).toBe(
      `Downloading http://10.0.0.5/x was refused: ${workflowMessages.internalAddress('10.0.0.5')}`,
    );
  });

  it('refuses schemes other than http and https', async () => {
    for (const url of ['ftp://files.example.com/x', 'file:///etc/passwd', 'gopher://127.0.0.1:70/_']) {
      expect(await failure(downloadPublicFile(url, { maxBytes: 10 }))).toEqual(
        refused(url, workflowMessages.unsupportedScheme(new URL(url).protocol)),
      );
    }
  });

  it('refuses a redirect to an internal address or another scheme; follows one to a good place', async () => {
    expect(await failure(downloadPublicFile(`${base}/to-metadata`, allowed))).toEqual(
      refused(
        `${base}/to-metadata`,
        workflowMessages.redirectsTo(
          'http://169.254.169.254/latest/meta-data/',
          workflowMessages.internalAddress('169.254.169.254'),
        ),
      ),
    );
    expect(await failure(downloadPublicFile(`${base}/to-file-scheme`, allowed))).toEqual(
      refused(
        `${base}/to-file-scheme`,
        workflowMessages.redirectsTo('file:///etc/passwd', workflowMessages.unsupportedScheme('file:')),
      ),
    );
    const followed = await downloadPublicFile(`${base}/to-file`, allowed);
    expect(await new Response(followed.body).text()).toBe('hello');
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    expect(await failure(downloadPublicFile(`${base}/loop`, allowed))).toEqual({
      code: 'attachment_source_failed',
      message: workflowMessages.attachmentTooManyRedirects(`${base}/loop`, MAX_REDIRECTS),
    });
  });

  it('fails on a redirect to no URL at all', async () => {
    expect(await failure(downloadPublicFile(`${base}/bad-location`, allowed))).toEqual({
      code: 'attachment_source_failed',
      message: workflowMessages.attachmentSourceFailed(`${base}/bad-location`, 302),
    });
  });

  it('refuses a file that says it is over the limit before reading it', async () => {
    expect(await failure(downloadPublicFile(`${base}/declared-huge`, allowed))).toEqual({
      code: 'attachment_too_large',
      message: workflowMessages.attachmentTooLarge(10),
    });
  });

  it('gives up on a source that never answers', async () => {
    expect(await failure(downloadPublicFile(`${base}/silent`, { ...allowed, waitMs: 50 }))).toEqual({
      code: 'attachment_source_failed',
      message: workflowMessages.attachmentSourceTimedOut(`${base}/silent`),
    });
  });

  it('resolves a name once per hop and connects only to the addresses it checked', async () => {
    const looked: string[] = [];
    const resolve = async (hostname: string) => {
      looked.push(hostname);
      return [{ address: '198.51.100.1', family: 4 }];
    };
    // 198.51.100.0/24 is documentation space, so it is refused before any connection.
    await failure(downloadPublicFile('https://files.example.com/x', { maxBytes: 10, resolve }));
    expect(looked).toEqual(['files.example.com']);

    // The socket's peer is checked again: a pinned address that turns out internal is refused.
    const agent = pinnedAgent([{ address: '127.0.0.1', family: 4 }], 5_000);
    const error = await request(`http://files.example.com:${port}/file.txt`, { dispatcher: agent }).then(
      () => undefined,
      (caught: Error) => caught.message,
    );
    expect(error).toBe(workflowMessages.internalAddress('127.0.0.1'));
    await agent.destroy();
  });
});
