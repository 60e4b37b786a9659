/**
 * Property tests: the subdomain validator (the only user input that becomes a host name) and the proxy's path
 * guard (the only user input that becomes an upstream path), each over 10,000 generated inputs built from the
 * pieces attacks are made of.
 */
import { ApiError } from '@jira-integration/backend/http/errors';
import { resolveProxyTarget } from '@jira-integration/backend/proxy/path';
import { isValidSubdomain, subdomainProblem } from '@jira-integration/shared';
import { PROXY_ALLOWED_PREFIXES, proxyMessages } from '@jira-integration/shared/proxy-messages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const RUNS = 10_000;

describe('subdomain validator (shared/jira.ts)', () => {
  const characters = fc.constantFrom(
    ...'abcxyzABZ0189-'.split(''),
    '.',
    '_',
    ' ',
    '/',
    '@',
    ':',
    '#',
    '?',
    '%',
    '\u0000',
    '\n',
    'é',
    'ı',
    'K', // Kelvin sign: lower-cases to an ASCII k
  );
  const candidates = fc.oneof(
    fc.string({ unit: characters, minLength: 0, maxLength: 80 }),
    fc.string({ unit: fc.constantFrom(...'abc019-'.split('')), minLength: 60, maxLength: 66 }),
  );

  it('accepts exactly the DNS labels of 1 to 63 lower-case letters, digits and inner hyphens', () => {
    fc.assert(
      fc.property(candidates, (value) => {
        const label = /^[a-z0-9-]+$/.test(value) && !value.startsWith('-') && !value.endsWith('-');
        expect(isValidSubdomain(value)).toBe(label && value.length >= 1 && value.length <= 63);
      }),
      { numRuns: RUNS },
    );
  });

  it('a valid subdomain always names a host under atlassian.net, and nothing else', () => {
    fc.assert(
      fc.property(candidates, (value) => {
        if (subdomainProblem(value) !== undefined) return;
        expect(isValidSubdomain(value)).toBe(true);
        const url = new URL(`https://${value}.atlassian.net/`);
        expect(url.hostname).toBe(`${value}.atlassian.net`);
        expect(url.pathname).toBe('/');
        expect(url.username + url.password + url.port).toBe('');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('proxy path guard (backend/src/proxy/path.ts)', () => {
  const pieces = fc.constantFrom(
    'rest/api/3/',
    'rest/agile/1.0/',
    'rest/servicedeskapi/',
    'forms/',
    'issue',
    'ENG-1',
    'myself',
    '/',
    '//',
    '.',
    '..',
    '%2e',
    '%2E%2e',
    '%252e',
    '%2f',
    '%2F',
    '%252f',
    '%5c',
    '\\',
    '%00',
    '%0a',
    '%',
    '%zz',
    ';',
    '@',
    'http:',
    'https://evil.example',
    '?',
    '#',
    '&',
    '=',
    'ex/jira/other-cloud/',
    '..%2f',
    '.%2e/',
  );
  const targets = fc
    .array(pieces, { minLength: 0, maxLength: 12 })
    .map((parts) => `/v1/jira/connections/conn-1/proxy/${parts.join('')}`);
  const base = 'https://api.atlassian.example/ex/jira/cloud-1/';

  it('whatever the input, what it forwards stays on the site, under an allowed API, with no dot segment', () => {
    fc.assert(
      fc.property(targets, (target) => {
        let resolved: ReturnType<typeof resolveProxyTarget>;
        try {
          resolved = resolveProxyTarget(target);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(400);
          return;
        }
        const url = new URL(`${resolved.path}${resolved.search}`, base);
        expect(url.origin).toBe('https://api.atlassian.example');
        expect(url.pathname.startsWith('/ex/jira/cloud-1/')).toBe(true);
        const rest = decodeURIComponent(url.pathname.slice('/ex/jira/cloud-1/'.length));
        expect(PROXY_ALLOWED_PREFIXES.some((prefix) => rest.startsWith(prefix))).toBe(true);
        expect(url.pathname.split('/')).not.toContain('..');
        expect(rest.split('/')).not.toContain('..');
      }),
      { numRuns: RUNS },
    );
  });

  // Found by the property above: a raw '#' cut the forwarded URL's path at `..`, one level above the API.
  it.each(['rest/api/3/..#', 'rest/api/3/issue#/../../admin', 'rest/api/3/myself?x=1#..'])(
    'refuses %s (a fragment)',
    (path) => {
      expect(() => resolveProxyTarget(`/v1/jira/connections/conn-1/proxy/${path}`)).toThrow(
        proxyMessages.fragment,
      );
    },
  );

  it('allowed, plain paths pass unchanged', () => {
    const plain = fc.tuple(
      fc.constantFrom(...PROXY_ALLOWED_PREFIXES),
      fc.array(fc.string({ unit: fc.constantFrom(...'abcXYZ019-_'.split('')), minLength: 1, maxLength: 8 }), {
        maxLength: 4,
      }),
    );
    fc.assert(
      fc.property(plain, ([prefix, segments]) => {
        const path = `${prefix}${segments.join('/')}`;
        expect(resolveProxyTarget(`/v1/jira/connections/c/proxy/${path}`)).toEqual({ path, search: '' });
      }),
      { numRuns: RUNS },
    );
  });
});
