/**
 * Behind a load balancer every connection comes from the balancer: without TRUSTED_PROXIES the per-address
 * limit on failed API keys would lock every client out together once one guessed. With it, the balancer's
 * X-Forwarded-For names the client; from any other peer the header is ignored, so a client cannot pick its own
 * address (on the routed app and the proxy's hot path alike).
 */
import { FAILED_KEY_LIMIT } from '@jira-integration/backend/auth/rate-limits';
import { clientAddressFrom } from '@jira-integration/backend/http/client-address';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../support/backend';

describe('the client address', () => {
  it('is the peer unless the peer is a trusted proxy; then the first untrusted hop from the right', () => {
    const trusted = ['10.0.0.5', '10.0.0.6'];
    expect(clientAddressFrom('203.0.113.9', '198.51.100.1', trusted)).toBe('203.0.113.9');
    expect(clientAddressFrom('10.0.0.5', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressFrom('::ffff:10.0.0.5', 'spoofed, 198.51.100.1, 10.0.0.6', trusted)).toBe(
      '198.51.100.1',
    );
    expect(clientAddressFrom('10.0.0.5', undefined, trusted)).toBe('10.0.0.5');
    expect(clientAddressFrom('10.0.0.5', '198.51.100.1', [])).toBe('10.0.0.5');
    expect(clientAddressFrom(undefined, '198.51.100.1', trusted)).toBe('unknown');
  });
});

describe('failed API keys counted per client behind a trusted proxy', () => {
  let backend: TestBackend;
  beforeAll(async () => {
    // The test's own requests come from 127.0.0.1: here, the balancer.
    backend = await startTestBackend({ env: { TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(() => backend.close());

  const guess = (path: string, client: string) =>
    fetch(`${backend.url}${path}`, {
      headers: { authorization: 'Bearer jik_guess', 'x-forwarded-for': client },
    });

  it('one guessing client is limited; another client behind the same balancer is not', async () => {
    for (let n = 1; n <= FAILED_KEY_LIMIT; n += 1)
      expect((await guess('/v1/jira/connections', '198.51.100.1')).status).toBe(401);
    expect((await guess('/v1/jira/connections', '198.51.100.1')).status).toBe(429);
    // The proxy's hot path sees the same client.
    expect((await guess('/v1/jira/connections/x/proxy/rest/api/3/myself', '198.51.100.1')).status).toBe(429);
    expect((await guess('/v1/jira/connections', '198.51.100.2')).status).toBe(401);
    const proxied = await guess('/v1/jira/connections/x/proxy/rest/api/3/myself', '198.51.100.2');
    expect(proxied.status).toBe(401);
  });
});
