import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { describe, expect, it } from 'vitest';
import { upstreamUrl } from './forms-host';

const base = 'https://api.atlassian.com/ex/jira/site-1';

describe('upstreamUrl', () => {
  it('sends forms/ paths to the Forms host of the connection’s site', () => {
    expect(upstreamUrl(base, 'forms/issue/ENG-1/form', '?x=1')).toBe(
      'https://api.atlassian.com/jira/forms/cloud/site-1/issue/ENG-1/form?x=1',
    );
    expect(upstreamUrl(base, 'forms/cloud/site-1/project/ENG/form', '')).toBe(
      'https://api.atlassian.com/jira/forms/cloud/site-1/project/ENG/form',
    );
  });

  it('refuses a forms path naming another site, and leaves other paths on the site base', () => {
    expect(() => upstreamUrl(base, 'forms/cloud/site-2/issue/ENG-1/form', '')).toThrow(
      proxyMessages.formsOtherSite,
    );
    expect(upstreamUrl(base, 'rest/api/3/myself', '')).toBe(`${base}/rest/api/3/myself`);
  });
});
