/**
 * Jira Forms is not served under the site's `/ex/jira/{cloudId}` base but at
 * `https://api.atlassian.com/jira/forms/cloud/{cloudId}/…`. A proxied `forms/…` path goes there: callers write
 * `forms/issue/ENG-1/form` (or the full `forms/cloud/{cloudId}/issue/ENG-1/form`, where the cloudId must be the
 * connection's own site). Every other path keeps the site base.
 */
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { ApiError } from '../http/errors';

const SITE_BASE = /^(.*)\/ex\/jira\/([^/]+)$/;

export function upstreamUrl(baseUrl: string, path: string, search: string): string {
  const site = SITE_BASE.exec(baseUrl);
  if (!path.startsWith('forms/') || !site) return `${baseUrl}/${path}${search}`;
  const [, origin, cloudId] = site;
  let rest = path.slice('forms/'.length);
  if (rest.startsWith('cloud/')) {
    if (!rest.startsWith(`cloud/${cloudId}/`))
      throw new ApiError('path_not_allowed', proxyMessages.formsOtherSite);
    rest = rest.slice(`cloud/${cloudId}/`.length);
  }
  return `${origin}/jira/forms/cloud/${cloudId}/${rest}${search}`;
}
