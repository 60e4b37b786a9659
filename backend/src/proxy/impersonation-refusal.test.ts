import { describe, expect, it } from 'vitest';
import { impersonatedCallRefusal } from './impersonation-refusal';

describe('an impersonated call Jira refuses', () => {
  it('says who the call was made as, where, and what to try instead', () => {
    const refusal = impersonatedCallRefusal('impersonation', 401, 'acct-42', 'rest/api/3/myself');
    expect(refusal?.code).toBe('impersonated_call_refused');
    expect(refusal?.status).toBe(401);
    expect(refusal?.message).toBe(
      "Jira refused this call made as Jira user acct-42 (HTTP 401 on /rest/api/3/myself): it does not accept the Forge app's impersonation token here. Some endpoints, such as /rest/api/3/myself, only answer a user's own sign-in: send the call without X-As-Jira-User, or check that the user still has access to the site and the app.",
    );
  });

  it.each([
    ['user', 401, undefined],
    ['service_account', 401, undefined],
    ['impersonation', 403, 'acct-42'],
    ['impersonation', 200, 'acct-42'],
  ] as const)('passes Jira’s answer through for mode %s, status %i', (mode, status, user) => {
    expect(impersonatedCallRefusal(mode, status, user, 'rest/api/3/myself')).toBeUndefined();
  });
});
