import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { currentRequestId } from './request-context';

/**
 * Every error code the API answers with, and its HTTP status: the closed set named in the OpenAPI error
 * schema. A new failure gets a code here first.
 */
export const ERROR_CODES = {
  // Any route
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  invalid_characters: 400,
  field_too_long: 400,
  team_rate_limited: 429,
  too_many_failed_keys: 429,
  idempotency_key_reused: 409,
  idempotency_key_in_progress: 409,
  // Keys
  api_key_not_found: 404,
  last_api_key: 409,
  // Connections
  subdomain_required: 400,
  subdomain_invalid: 400,
  clientId_required: 400,
  clientSecret_required: 400,
  authorization_denied: 400,
  invalid_oauth_state: 400,
  site_not_found: 400,
  no_sites: 400,
  multiple_sites: 400,
  connection_not_found: 404,
  reconnect_required: 409,
  connection_exists: 409,
  ticket_syncing_unavailable: 409,
  oauth_client_rejected: 400,
  oauth_start_failed: 500,
  oauth_callback_failed: 502,
  jira_myself_failed: 502,
  sign_in_required: 401,
  // Forge
  invalid_invocation_token: 401,
  invalid_system_token: 400,
  missing_system_token: 400,
  invalid_event: 400,
  missing_issue_context: 400,
  forge_site_mismatch: 403,
  forge_not_installed: 404,
  not_upgraded: 409,
  forge_credentials_stale: 409,
  site_not_connected: 409,
  not_jira_admin: 403,
  workspace_not_found: 404,
  // Proxy
  invalid_proxy_path: 400,
  path_not_allowed: 400,
  invalid_auth_headers: 400,
  impersonation_refused: 403,
  impersonation_failed: 502,
  impersonated_call_refused: 401,
  jira_unreachable: 502,
  jira_timeout: 504,
  // Tickets and sync
  invalid_sync_config: 400,
  sync_not_ready: 409,
  // Atlassian budget (atlassian/fair-share.ts)
  site_budget_low: 429,
  // Reliability: a lost database connection, a token refresh Atlassian or another process holds up
  database_unavailable: 503,
  token_refresh_unavailable: 503,
  token_refresh_busy: 503,
  // Workflows and the JSM catalog
  workflow_not_found: 404,
  run_not_found: 404,
  ingestion_not_found: 404,
  invalid_input: 400,
  wrong_connection: 400,
  approval_forbidden: 403,
  workflow_paused: 409,
  workflow_retired: 409,
  not_awaiting_approval: 409,
  approval_expired: 409,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error body of the API: `{"error": {"code": "snake_case", "message": "...", "requestId": "..."}}`;
 * the request id is the one in the `X-Request-Id` header and on the request's log lines.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string };
}

/** An error a route or service can throw; its code decides the status. */
export class ApiError extends Error {
  readonly status: (typeof ERROR_CODES)[ErrorCode];
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_CODES[code];
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  const requestId = currentRequestId();
  return { error: requestId ? { code, message, requestId } : { code, message } };
}

/** The answer for an error, from routes and middleware alike. */
export function errorResponse(c: Context, code: ErrorCode, message: string) {
  return c.json(errorBody(code, message), ERROR_CODES[code]);
}

/** The code for a status Hono itself raised (HTTPException), e.g. a body over a limit. */
export function errorCodeForStatus(status: number): ErrorCode {
  const generic: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
  };
  return generic[status] ?? 'internal_error';
}
