import { z } from '@hono/zod-openapi';
import { ERROR_CODES, type ErrorCode } from './errors';

/** The error answer, naming every code the API uses (see ERROR_CODES for each one's status). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
    }),
  })
  .openapi('Error', {
    example: { error: { code: 'unauthorized', message: 'A valid team API key is required.' } },
  });

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; the message says which field and why',
  401: 'Missing or unknown team API key',
  403: 'Not allowed',
  404: 'Not found (or owned by another team)',
  409: 'Conflict with the current state',
  429: 'Rate limited',
  502: 'Atlassian answered with an error',
};

/** The documented error answers of a route, all in the one error shape. */
export function errorResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  ) as Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
}

/** A JSON answer of a route. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** A route's `{id}` path parameter (the request-shape gate has already refused ids of no possible shape). */
export const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
