import { connectMessages } from '@jira-integration/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors';
import { validateCustomApp, validateManagedSubdomain } from './validation';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('subdomain rules', () => {
  it('requires a value', () => {
    expect(messageOf(() => validateManagedSubdomain(''))).toBe('Jira subdomain is required');
    expect(messageOf(() => validateManagedSubdomain('   '))).toBe('Jira subdomain is required');
  });

  it.each([
    '-acme',
    'acme-',
    'ac me',
    ' acme',
    'acme_corp',
    'acmé',
    'a.b',
    'ACME',
    'Acme-Corp2',
    'acme.atlassian.net',
    'https://acme.atlassian.net/jira/your-work',
    'a'.repeat(64),
  ])('rejects %j without rewriting it', (value) => {
    expect(messageOf(() => validateManagedSubdomain(value))).toBe(
      'Please enter a valid subdomain (letters, numbers, and hyphens only)',
    );
  });

  it.each(['acme', 'acme-corp2', 'a', '9', 'a'.repeat(63)])('accepts %j as typed', (value) => {
    expect(validateManagedSubdomain(value)).toBe(value);
  });

  it('accepts exactly letters, digits and inner hyphens', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (value) => {
        const valid = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value);
        const outcome = messageOf(() => validateManagedSubdomain(value));
        if (valid) expect(outcome).toBe('no error');
        else if (value.trim()) expect(outcome).toBe(connectMessages.subdomainInvalid);
        else expect(outcome).toBe(connectMessages.subdomainRequired);
      }),
    );
  });
});

describe('custom app rules', () => {
  const complete = { subdomain: 'acme', clientId: 'client-1', clientSecret: 'ATOA-secret' };

  it.each(['clientId', 'clientSecret', 'subdomain'] as const)('requires %s', (field) => {
    for (const empty of [undefined, '', '  ']) {
      expect(messageOf(() => validateCustomApp({ ...complete, [field]: empty }))).toBe(
        `Failed to initiate custom Jira app: ${field} is required`,
      );
    }
  });

  it('validates the subdomain the same way as the managed flow', () => {
    expect(messageOf(() => validateCustomApp({ ...complete, subdomain: 'acme-' }))).toBe(
      'Please enter a valid subdomain (letters, numbers, and hyphens only)',
    );
  });

  it('keeps the optional display name when given', () => {
    expect(validateCustomApp({ ...complete, displayName: ' My Company Jira ' })).toEqual({
      ...complete,
      displayName: 'My Company Jira',
    });
  });
});
