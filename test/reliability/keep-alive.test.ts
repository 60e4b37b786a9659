/**
 * Idle connections are kept longer than a load balancer in front keeps its own (60 s is AWS's default), by the
 * backend and by the sandbox that plays Atlassian: with Node's 5 s, a pool reusing a connection as the server
 * closes it sees a reset or a 502. Asserted: what each server tells its clients in `Keep-Alive`.
 */
import http from 'node:http';
import { startSandbox } from '@jira-integration/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../support/backend';

const keepAliveOf = (url: string) =>
  new Promise<string | undefined>((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true });
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.once('end', () => {
          agent.destroy();
          resolve(response.headers['keep-alive'] as string | undefined);
        });
      })
      .once('error', reject);
  });

describe('idle connections outlive a load balancer’s', () => {
  let backend: TestBackend;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    backend = await startTestBackend();
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await backend?.close();
    await sandbox?.close();
  });

  it('the backend keeps them 65 s', async () => {
    expect(await keepAliveOf(`${backend.url}/healthz`)).toBe('timeout=65');
  });

  it('the sandbox keeps them 65 s', async () => {
    expect(await keepAliveOf(`${sandbox.url}/_sandbox/stats`)).toBe('timeout=65');
  });
});
