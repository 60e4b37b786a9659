import { describe, expect, it } from 'vitest';
import type { TokenGrant } from '../contracts';
import type { UserRecord } from '../state';
import { impersonatedCallRefusal } from './impersonation';

const user: UserRecord = {
  accountId: 'acc-alice',
  displayName: 'Alice',
  email: 'alice@acme.example',
  accountType: 'atlassian',
  siteIds: ['cloud-acme'],
  appAccess: true,
  administerSiteIds: [],
  timeZone: 'UTC',
  locale: 'en_US',
  projectPermissions: {},
  groups: [],
};
const grant = (kind: TokenGrant['kind']): TokenGrant =>
  kind === 'user'
    ? { kind, clientId: 'app', accountId: user.accountId, cloudIds: ['cloud-acme'], scopes: [], expiresAt: 1 }
    : { kind, appId: 'forge', accountId: user.accountId, cloudIds: ['cloud-acme'], scopes: [], expiresAt: 1 };
const SEARCH = 'GET /rest/api/3/project/search';

describe('the gateway’s rules for impersonated calls', () => {
  it('lets an impersonated call on when the user may still be acted as', () => {
    expect(impersonatedCallRefusal(grant('impersonation'), user, 'cloud-acme', SEARCH)).toBeNull();
  });

  it.each([
    ['lost access to the app', { appAccess: false }],
    ['left the site', { siteIds: [] }],
    ['is not a person', { accountType: 'app' as const }],
  ])('refuses (401 Unauthorized) a user who %s since the token was issued', (_, change) => {
    expect(
      impersonatedCallRefusal(grant('impersonation'), { ...user, ...change }, 'cloud-acme', SEARCH),
    ).toEqual({ code: 401, message: 'Unauthorized' });
  });

  it('refuses operations that answer only a user’s own sign-in, such as /myself', () => {
    expect(
      impersonatedCallRefusal(grant('impersonation'), user, 'cloud-acme', 'GET /rest/api/3/myself'),
    ).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });
  });

  it.each(['user', 'system'] as const)('leaves %s tokens to the other rules', (kind) => {
    expect(
      impersonatedCallRefusal(
        grant(kind),
        { ...user, appAccess: false },
        'cloud-acme',
        'GET /rest/api/3/myself',
      ),
    ).toBeNull();
  });
});
