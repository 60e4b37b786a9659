import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../test-support/context';
import { ConfigError, loadConfig } from './config';

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('production mode (NODE_ENV=production)', () => {
  const safe = {
    NODE_ENV: 'production',
    ATLASSIAN_CLIENT_ID: 'client',
    ATLASSIAN_CLIENT_SECRET: 'secret',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    DATABASE_URL: 'postgres://db.internal/jira',
    PUBLIC_URL: 'https://jira.example.com',
    HOST: '0.0.0.0',
    METRICS_TOKEN: 'metrics-token',
  };
  const without = (...names: Array<keyof typeof safe>) =>
    Object.fromEntries(Object.entries(safe).filter(([name]) => !names.includes(name as keyof typeof safe)));

  it('starts with every safe setting, and says it is production', () => {
    const config = loadConfig(safe);
    expect(config.production).toBe(true);
    expect(loadConfig({}).production).toBe(false);
  });

  it('refuses to start without each one, naming the variable and what to set', () => {
    expect(problemsOf(without('ATLASSIAN_CLIENT_ID', 'ATLASSIAN_CLIENT_SECRET'))).toEqual([
      "ATLASSIAN_CLIENT_ID: set the platform's Atlassian OAuth 2.0 app in production (the sandbox never stands in)",
      "ATLASSIAN_CLIENT_SECRET: set the platform's Atlassian OAuth 2.0 app in production (the sandbox never stands in)",
    ]);
    expect(problemsOf(without('ENCRYPTION_KEYS'))).toEqual([
      'ENCRYPTION_KEYS: set the token encryption keys in production ("keyId:base64 of 32 random bytes", e.g. k1:$(openssl rand -base64 32)); none is generated',
    ]);
    expect(problemsOf(without('DATABASE_URL'))).toEqual([
      'DATABASE_URL: set a postgres:// connection string in production (or EMBEDDED_DATABASE=on to run on PGlite in DATA_DIR, one process only)',
    ]);
    expect(problemsOf({ ...safe, PUBLIC_URL: 'http://jira.example.com' })).toEqual([
      `PUBLIC_URL: set the https:// address users and Atlassian reach the backend at in production (OAuth callbacks and Forge's remote need TLS) (got "http://jira.example.com")`,
    ]);
    expect(problemsOf(without('METRICS_TOKEN'))).toEqual([
      'METRICS_TOKEN: set a bearer token for /metrics in production when HOST (0.0.0.0) is not a loopback address',
    ]);
  });

  it('takes PGlite only when asked for, and an open /metrics only on loopback', () => {
    expect(loadConfig({ ...without('DATABASE_URL'), EMBEDDED_DATABASE: 'on' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ ...without('METRICS_TOKEN'), HOST: '127.0.0.1' }).metricsToken).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('runs on the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.data');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.atlassian).toBeUndefined();
    expect(config.productName).toBe('Serval');
    // Add Attachment downloads from public addresses only unless hosts are allowed.
    expect(config.workflowFetchAllowedHosts).toEqual([]);
  });

  it('reads WORKFLOW_FETCH_ALLOWED_HOSTS as a comma-separated list of host names', () => {
    expect(
      loadConfig({ WORKFLOW_FETCH_ALLOWED_HOSTS: ' LocalHost, 127.0.0.1,,[::1] ' }).workflowFetchAllowedHosts,
    ).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it('names each bad variable with the value it got', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([
      'PORT: Invalid input: expected number, received NaN (got "eighty")',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be a port between 1 and 65535 (got "70000")']);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// connection string (got "mysql://x")',
    ]);
    expect(problemsOf({ PUBLIC_URL: 'not a url' })).toEqual([
      'PUBLIC_URL: must be an absolute URL such as https://example.com (got "not a url")',
    ]);
  });

  it('parses ENCRYPTION_KEYS, and names a bad ring without repeating the secret', () => {
    const valid = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ ENCRYPTION_KEYS: `new:${valid},old:${valid}` });
    expect(config.encryptionKeys?.map((key) => key.id)).toEqual(['new', 'old']);
    expect(config.encryptionKeys?.[0].key).toEqual(Buffer.alloc(32, 7));
    expect(problemsOf({ ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toEqual([
      'ENCRYPTION_KEYS: key "k1" must be 32 bytes (base64), got 5',
    ]);
    expect(problemsOf({ ENCRYPTION_KEYS: 'nocolon' })).toEqual([
      'ENCRYPTION_KEYS: entry 1 must look like "keyId:base64key"',
    ]);
  });

  it('lists every problem at once, in a readable block', () => {
    try {
      loadConfig({ PORT: '0', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        /^Invalid configuration:\n {2}- PORT: .*\n {2}- LOG_LEVEL: /,
      );
    }
  });

  it('requires the Atlassian client id and secret together', () => {
    expect(problemsOf({ ATLASSIAN_CLIENT_ID: 'abc' })).toEqual([
      'ATLASSIAN_CLIENT_SECRET: set ATLASSIAN_CLIENT_ID and ATLASSIAN_CLIENT_SECRET together (or neither, to use the sandbox)',
    ]);
    const config = loadConfig({ ATLASSIAN_CLIENT_ID: 'abc', ATLASSIAN_CLIENT_SECRET: 'shh' });
    expect(config.atlassian).toMatchObject({ clientId: 'abc', authUrl: 'https://auth.atlassian.com' });
  });
});

describe('configuration once loaded', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('is read-only, in the services and as loaded', () => {
    expect(Object.isFrozen(t.services.config)).toBe(true);
    const loaded = loadConfig({ ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 'secret' });
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.atlassian)).toBe(true);
    expect(() => {
      (t.services.config as { publicUrl: string }).publicUrl = 'https://elsewhere.example';
    }).toThrow(TypeError);
  });
});
