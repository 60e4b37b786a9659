import { describe, expect, it } from 'vitest';
import { withAttachmentRedirectOff } from './attachment-download';

describe('withAttachmentRedirectOff', () => {
  it('asks Jira for the bytes of an attachment download the caller left to the default', () => {
    expect(withAttachmentRedirectOff('GET', 'rest/api/3/attachment/content/10500', '')).toBe(
      '?redirect=false',
    );
    expect(withAttachmentRedirectOff('GET', 'rest/api/2/attachment/thumbnail/7', '?width=10')).toBe(
      '?width=10&redirect=false',
    );
  });

  it('keeps the caller’s own choice and leaves every other call alone', () => {
    expect(withAttachmentRedirectOff('GET', 'rest/api/3/attachment/content/1', '?redirect=true')).toBe(
      '?redirect=true',
    );
    expect(withAttachmentRedirectOff('DELETE', 'rest/api/3/attachment/content/1', '')).toBe('');
    expect(withAttachmentRedirectOff('GET', 'rest/api/3/attachment/1', '')).toBe('');
    expect(withAttachmentRedirectOff('GET', 'rest/api/3/attachment/content/1/x', '')).toBe('');
  });
});
