/**
 * One proxied call: check the path, pick the identity, forward method, query, chosen headers and the body
 * (streamed), and hand Jira's answer back as a stream. Nothing here reads a whole body into memory, except small
 * bodies of requests that may be retried (a stream can be sent only once).
 */
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import {
  AtlassianUnavailableError,
  atlassianFetch,
  IDEMPOTENT_METHODS,
  MAX_BUFFERED_BODY,
  NULL_BODY_STATUSES,
} from '../atlassian/http';
import { rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { type ProxyCallRecord, recordProxyCall } from './audit';
import { chooseCredentials } from './credentials';
import { forwardedRequestHeaders, returnedResponseHeaders } from './headers';
import { resolveProxyTarget } from './path';

export interface ProxyOptions {
  /** Upper bound for the whole exchange with Jira, body included. */
  timeoutMs?: number;
  /** Total wait across Retry-After answers before a 429/503 is passed through. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ProxyRequest {
  method: string;
  /** The request target as it arrived (path and query, still percent-encoded). */
  rawTarget: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /** Reads the whole body; used only for small bodies that may need to be sent twice. */
  readBody(): Promise<ArrayBuffer>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRY_WAIT_MS = 10_000;
/** Bodies up to this size are kept so a retried PUT/DELETE (or keyed POST) can send them again. */
const MAX_REPLAYABLE_BODY = 1024 * 1024;

export async function proxyJiraCall(
  services: Services,
  connection: JiraConnection,
  request: ProxyRequest,
  options: ProxyOptions = {},
): Promise<Response> {
  const started = performance.now();
  const method = request.method.toUpperCase();
  const record: ProxyCallRecord = {
    teamId: connection.teamId,
    connectionId: connection.id,
    method,
    path: auditPath(request.rawTarget),
    queryKeys: queryKeys(request.rawTarget),
    mode: 'user',
    status: 0,
    durationMs: 0,
  };
  try {
    const target = resolveProxyTarget(request.rawTarget);
    record.path = target.path;
    const credentials = await chooseCredentials(services, connection, request.headers);
    record.mode = credentials.mode;
    if (credentials.asJiraUser) record.asJiraUser = credentials.asJiraUser;

    const idempotencyKey = request.headers.has('idempotency-key');
    const retryable = idempotencyKey || IDEMPOTENT_METHODS.has(method);
    let maxRetryWaitMs = options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    let body: ArrayBuffer | ReadableStream<Uint8Array> | null = null;
    if (method !== 'GET' && method !== 'HEAD' && request.body) {
      const length = Number(request.headers.get('content-length') ?? Number.NaN);
      if (retryable && length <= MAX_REPLAYABLE_BODY) {
        body = await request.readBody();
      } else {
        body = request.body;
        // A streamed body cannot be sent twice.
        maxRetryWaitMs = -1;
      }
    }
    const budget = rateLimitBudget(services);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let upstream: Response;
    try {
      upstream = await atlassianFetch(
        `${credentials.baseUrl}/${target.path}${target.search}`,
        {
          method,
          headers: forwardedRequestHeaders(request.headers, credentials.token),
          body,
          redirect: 'manual',
          ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit,
        {
          timeoutMs,
          maxRetryWaitMs,
          forceRetryable: idempotencyKey,
          sleep: options.sleep,
          onResponse: (response) => budget.observe(credentials.identity, response),
        },
      );
    } catch (error) {
      if (!(error instanceof AtlassianUnavailableError)) throw error;
      const timedOut = error.cause instanceof DOMException && error.cause.name === 'TimeoutError';
      throw timedOut
        ? new ApiError('jira_timeout', proxyMessages.upstreamTimeout(Math.round(timeoutMs / 100) / 10))
        : new ApiError('jira_unreachable', proxyMessages.upstreamUnreachable);
    }
    record.status = upstream.status;
    const headers = returnedResponseHeaders(upstream.headers);
    headers.set('x-jira-auth-mode', credentials.mode);
    return new Response(NULL_BODY_STATUSES.has(upstream.status) ? null : await smallBodyOrStream(upstream), {
      status: upstream.status,
      statusText: upstream.statusText,
      headers,
    });
  } catch (error) {
    record.status = error instanceof ApiError ? error.status : 500;
    throw error;
  } finally {
    // Time until Jira's answer began (or the call failed); the body then streams at the caller's pace.
    record.durationMs = Math.round((performance.now() - started) * 10) / 10;
    recordProxyCall(services, record);
  }
}

/**
 * Answers the Atlassian client already holds in one buffer go out in one socket write, head and body together
 * (a measurable cost per call when they leave apart); anything else streams through untouched.
 */
async function smallBodyOrStream(
  upstream: Response,
): Promise<ArrayBuffer | ReadableStream<Uint8Array> | null> {
  const length = Number(upstream.headers.get('content-length') ?? Number.NaN);
  if (length <= MAX_BUFFERED_BODY) return upstream.arrayBuffer();
  return upstream.body;
}

function auditPath(rawTarget: string): string {
  const queryAt = rawTarget.indexOf('?');
  const path = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const proxyAt = path.indexOf('/proxy/');
  return (proxyAt === -1 ? path : path.slice(proxyAt + '/proxy/'.length)).slice(0, 300);
}

function queryKeys(rawTarget: string): string[] {
  const queryAt = rawTarget.indexOf('?');
  if (queryAt === -1) return [];
  return [...new Set(new URLSearchParams(rawTarget.slice(queryAt + 1)).keys())];
}
