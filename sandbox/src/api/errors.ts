/** Error bodies in each API's documented shape: Jira's ErrorCollection and JSM's ErrorResponse. */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiContext } from './context';

export function jiraError(
  c: ApiContext,
  status: ContentfulStatusCode,
  errorMessages: string[],
  errors: Record<string, string> = {},
): Response {
  return c.json({ errorMessages, errors }, status);
}

export function jsmError(
  c: ApiContext,
  status: ContentfulStatusCode,
  errorMessage: string,
  i18nKey: string,
  parameters: string[] = [],
): Response {
  return c.json({ errorMessage, i18nErrorMessage: { i18nKey, parameters } }, status);
}

/** Shared texts of the API layer (route-specific texts live beside their routes). */
export const API_MESSAGES = {
  invalidPayload: 'Invalid request payload. Refer to the REST API documentation and try again.',
  rateLimited: 'Rate limit exceeded.',
  notImplemented: (method: string, path: string, operationId?: string) =>
    `The sandbox does not implement ${method} ${path}${operationId ? ` (${operationId})` : ''}.`,
} as const;
