import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { currentRequestId } from './request-context';

/**
 * The one error body of the API: `{"error": {"code": "snake_case", "message": "...", "requestId": "..."}}`;
 * the request id is the one in the `X-Request-Id` header and on the request's log lines.
 */
export interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

/** An error a route can throw to answer with a given status, code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string): ErrorBody {
  const requestId = currentRequestId();
  return { error: requestId ? { code, message, requestId } : { code, message } };
}

export function respondWithError(c: Context, error: ApiError) {
  return c.json(errorBody(error.code, error.message), error.status);
}

export { HTTPException };
