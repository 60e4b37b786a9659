/**
 * One proxied call, on Node's streams from the incoming request to the answer: authenticate the API key, find
 * the connection, check the path, pick the identity, forward method, query, chosen headers and the body
 * (streamed), and pipe Jira's answer back. Nothing is converted to web-standard objects, and nothing reads a
 * whole body into memory, except small bodies: requests that may be retried (a stream can be sent only once),
 * and answers of known small length (sent in one socket write, head and body together).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { connectMessages, genericMessages } from '@jira-integration/shared';
import { proxyMessages } from '@jira-integration/shared/proxy-messages';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { admitAtlassianCall, observeAtlassianBudget } from '../atlassian/fair-share';
import {
  type AtlassianAnswer,
  AtlassianUnavailableError,
  answerHeaderReader,
  atlassianRequest,
  IDEMPOTENT_METHODS,
  isTimeout,
  MAX_BUFFERED_BODY,
  NULL_BODY_STATUSES,
  readAll,
} from '../atlassian/http';
import { rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { refusedValue } from '../db/client';
import { clientAddressFrom } from '../http/client-address';
import { ApiError, errorBody } from '../http/errors';
import { namesNothing, targetProblem } from '../http/limits';
import { requestIdFrom, withRequestId } from '../http/request-context';
import { withAttachmentRedirectOff } from './attachment-download';
import { type ProxyCallRecord, recordProxyCall } from './audit';
import { chooseCredentials } from './credentials';
import { upstreamUrl } from './forms-host';
import { forwardedRequestHeaders, PROXY_SECURITY_HEADERS, returnedResponseHeaders } from './headers';
import { callerOfApiKey, findConnectionCached, LimitRefusal } from './hot-cache';
import { impersonatedCallRefusal } from './impersonation-refusal';
import { resolveProxyTarget } from './path';

export interface ProxyOptions {
  /** How long Jira may take to start answering, and then to send each next chunk of its answer. */
  timeoutMs?: number;
  /** Total wait across Retry-After answers before a 429/503 is passed through. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRY_WAIT_MS = 10_000;
/** Bodies up to this size are kept so a retried PUT/DELETE (or keyed POST) can send them again. */
const MAX_REPLAYABLE_BODY = 1024 * 1024;
const PROXY_TARGET = /^\/v1\/jira\/connections\/([^/?#]+)\/proxy\//;

/** True for request targets the proxy answers (the server hands them over before any routing). */
export function isProxyTarget(url: string): boolean {
  return url.startsWith('/v1/jira/connections/') && PROXY_TARGET.test(url);
}

const PROXY_ROUTE = '/v1/jira/connections/:id/proxy/*';

/**
 * The server's hot path for proxied calls: what the app's middleware gives routed requests (a request id in the
 * header, error body and log lines; request metrics, here until the last byte), without routing.
 */
export function serveProxyHotPath(services: Services, req: IncomingMessage, res: ServerResponse): void {
  const incoming = req.headers['x-request-id'];
  const requestId = requestIdFrom(Array.isArray(incoming) ? incoming[0] : incoming);
  const started = performance.now();
  res.setHeader('x-request-id', requestId);
  res.once('finish', () => {
    const seconds = (performance.now() - started) / 1000;
    services.state.metrics.recordRequest(req.method ?? 'GET', PROXY_ROUTE, res.statusCode, seconds);
  });
  void withRequestId(requestId, () => serveProxyCall(services, req, res));
}

/** Answers one proxied call on `res`. Never throws: every failure becomes an error answer (or a reset stream). */
export async function serveProxyCall(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  options: ProxyOptions = {},
): Promise<void> {
  const started = performance.now();
  let record: ProxyCallRecord | undefined;
  try {
    const rawTarget = req.url ?? '';
    // The request-shape gate's target check, here because the hot path skips the app's middleware.
    const queryAt = rawTarget.indexOf('?');
    const pathname = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
    const targetRefusal = targetProblem(pathname, queryAt === -1 ? '' : rawTarget.slice(queryAt), true);
    if (targetRefusal) throw new ApiError('invalid_request', targetRefusal);
    // An id no connection can have is not looked up.
    if (namesNothing(pathname, true))
      throw new ApiError('connection_not_found', connectMessages.connectionNotFound);
    const caller = await callerOfApiKey(
      services,
      req.headers.authorization,
      clientAddressFrom(
        req.socket.remoteAddress,
        req.headers['x-forwarded-for'],
        services.config.trustedProxies,
      ),
    );
    const connection = await findConnectionCached(services, caller.teamId, connectionIdOf(rawTarget));
    const method = (req.method ?? 'GET').toUpperCase();
    record = {
      teamId: connection.teamId,
      actor: caller.actor,
      connectionId: connection.id,
      method,
      path: auditPath(rawTarget),
      queryKeys: queryKeys(rawTarget),
      mode: 'user',
      status: 0,
      durationMs: 0,
    };
    const target = resolveProxyTarget(rawTarget);
    record.path = target.path;
    const credentials = await chooseCredentials(services, connection, req.headers);
    record.mode = credentials.mode;
    if (credentials.asJiraUser) record.asJiraUser = credentials.asJiraUser;

    const idempotencyKey = req.headers['idempotency-key'] !== undefined;
    const retryable = idempotencyKey || IDEMPOTENT_METHODS.has(method);
    // This team's fair share of the site's Atlassian budget, once it runs low (atlassian/fair-share.ts).
    const site = { identity: credentials.identity, cloudId: connection.cloudId, site: connection.siteUrl };
    const admission = admitAtlassianCall(services, site, { kind: 'team', teamId: caller.teamId });
    if (!admission.admitted) throw new LimitRefusal('site_budget_low', admission);
    const body = method === 'GET' || method === 'HEAD' ? null : await outgoingBody(req, retryable);
    const budget = rateLimitBudget(services);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let answer: AtlassianAnswer;
    try {
      answer = await atlassianRequest(
        upstreamUrl(
          credentials.baseUrl,
          target.path,
          withAttachmentRedirectOff(method, target.path, target.search),
        ),
        { method, headers: forwardedRequestHeaders(req.headers, credentials.token), body },
        {
          timeoutMs,
          maxRetryWaitMs: options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS,
          forceRetryable: idempotencyKey,
          sleep: options.sleep,
          onAnswer: (status, headers) => {
            const answered = { status, headers: answerHeaderReader(headers) };
            budget.observe(credentials.identity, answered);
            observeAtlassianBudget(services, site, answered);
          },
          observe: services.state.metrics.atlassianObserver('proxy'),
        },
      );
    } catch (error) {
      if (!(error instanceof AtlassianUnavailableError)) throw error;
      throw error.timedOut
        ? new ApiError('jira_timeout', proxyMessages.upstreamTimeout(Math.round(timeoutMs / 100) / 10))
        : new ApiError('jira_unreachable', proxyMessages.upstreamUnreachable);
    }
    record.status = answer.status;
    // Atlassian's 401 still goes to the caller as it is (never retried here), once the connection's status
    // says whether the token itself was refused.
    if (answer.status === 401) await credentials.onRefused?.(`${method} ${target.path}`);
    const refusal = impersonatedCallRefusal(
      credentials.mode,
      answer.status,
      credentials.asJiraUser,
      target.path,
    );
    if (refusal) {
      answer.body.resume(); // drained, so the connection goes back to the pool
      throw refusal;
    }
    const headers = returnedResponseHeaders(answer.headers, target.path, credentials.mode);
    const bodyless = NULL_BODY_STATUSES.has(answer.status) || method === 'HEAD';
    const small = !bodyless && Number(answer.headers['content-length'] ?? Number.NaN) <= MAX_BUFFERED_BODY;
    // Read a small answer before the audit row is taken, so a body that never arrives is recorded as a 504.
    const smallBody = small ? await readAll(answer.body).catch(timeoutAsApiError(timeoutMs)) : undefined;
    await finishRecord(services, record, started);
    record = undefined;
    res.writeHead(answer.status, headers);
    if (bodyless) res.end();
    else if (smallBody) res.end(smallBody);
    // pipeline destroys both ends if either fails: a client that leaves stops the download from Jira.
    else pipeline(answer.body, res, () => {});
  } catch (error) {
    const failure = asApiError(services, error);
    if (record) {
      record.status = failure.status;
      await finishRecord(services, record, started);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(failure.status, {
      'content-type': 'application/json',
      ...PROXY_SECURITY_HEADERS,
      ...(failure instanceof LimitRefusal ? { 'retry-after': String(failure.retryAfterSeconds) } : {}),
    });
    res.end(JSON.stringify(errorBody(failure.code, failure.message)));
  }
}

/** Time until Jira's answer began (or the call failed); the body then streams at the caller's pace. */
function finishRecord(
  services: Services,
  record: ProxyCallRecord,
  started: number,
): Promise<void> | undefined {
  record.durationMs = Math.round((performance.now() - started) * 10) / 10;
  return recordProxyCall(services, record);
}

function timeoutAsApiError(timeoutMs: number) {
  return (error: unknown): never => {
    if (isTimeout(error)) {
      throw new ApiError('jira_timeout', proxyMessages.upstreamTimeout(Math.round(timeoutMs / 100) / 10));
    }
    throw new ApiError('jira_unreachable', proxyMessages.upstreamUnreachable);
  };
}

function asApiError(services: Services, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const refused = refusedValue(error);
  if (refused)
    return new ApiError('invalid_request', limitMessages.unstorableValue(refused.column ?? 'path'));
  services.logger.error({ err: error }, 'unhandled error in the Jira proxy');
  return new ApiError('internal_error', genericMessages.internal);
}

/**
 * The request body to send on: none, the whole of a small one that may have to be sent again, or the incoming
 * stream itself (then the call is never retried).
 */
async function outgoingBody(
  req: IncomingMessage,
  retryable: boolean,
): Promise<Buffer | IncomingMessage | null> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) return null;
  if (!retryable || chunked || Number(declared) > MAX_REPLAYABLE_BODY) return req;
  return readAll(req).catch(() => {
    throw new ApiError('invalid_request', proxyMessages.bodyUnreadable);
  });
}

function connectionIdOf(rawTarget: string): string {
  const id = PROXY_TARGET.exec(rawTarget)?.[1] ?? '';
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
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
