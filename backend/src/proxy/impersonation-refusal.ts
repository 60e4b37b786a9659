/**
 * An impersonated call (X-As-Jira-User) that Jira answers 401 would otherwise pass through as Jira's bare
 * "Unauthorized", which reads like a bad API key. Says instead what was refused and what to try.
 */
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { ApiError } from '../http/errors';
import type { ProxyMode } from './audit';

export function impersonatedCallRefusal(
  mode: ProxyMode,
  status: number,
  asJiraUser: string | undefined,
  path: string,
): ApiError | undefined {
  if (mode !== 'impersonation' || status !== 401 || !asJiraUser) return undefined;
  return new ApiError('impersonated_call_refused', proxyMessages.impersonatedCallRefused(asJiraUser, path));
}
