/**
 * The one way the backend talks HTTP to Atlassian: timeouts on every call, polite retries of idempotent
 * requests that Atlassian asks us to retry (429/503 with Retry-After), within a bounded wait, and one resend of
 * a harmless request whose connection dropped before any answer.
 *
 * `atlassianRequest` is the core: undici's `request` on a keep-alive pool, plain header objects in and out and
 * the answer's body as a Node stream, so the proxy can pipe it on without converting anything. `atlassianFetch`
 * wraps it for everyone else and answers a WHATWG Response. Like fetch with `redirect: 'manual'`, redirects are
 * returned, not followed; no compression is asked for, so bodies pass through as Atlassian sent them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher, errors } from 'undici';

export interface AtlassianRequestOptions {
  /**
   * How long to wait for the answer's head, and then at most between two chunks of its body. undici's own
   * coarse timers enforce it, so a call costs no AbortSignal and no timer of its own.
   */
  timeoutMs?: number;
  /** Total time we are willing to wait across Retry-After answers before passing the answer on. */
  maxRetryWaitMs?: number;
  /** Retry even non-idempotent methods (the caller guarantees idempotency, e.g. with a key). */
  forceRetryable?: boolean;

  sleep?: (ms: number) => Promise<void>;
  /** Sees every answer's status and headers (retried ones too), e.g. to track the rate-limit budget. */
  onAnswer?: (status: number, headers: AnswerHeaders) => void;
  /** Told how long each attempt took until Atlassian's answer began (status null: no answer), e.g. for metrics. */
  observe?: (durationMs: number, status: number | null) => void;
}

export type AtlassianFetchOptions = AtlassianRequestOptions;

/** Header names are lower case; repeated headers are arrays. */
export type AnswerHeaders = IncomingHttpHeaders;

export interface AtlassianAnswer {
  status: number;
  headers: AnswerHeaders;
  /** Already drained for HEAD and null-body statuses. */
  body: Readable;
}

export interface AtlassianRequestInit {
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** A stream can be sent only once, so calls with a stream body are never retried. */
  body?: string | Uint8Array | Readable | null;
}

/** Methods safe to send twice: the ones retried on 429/503 without an idempotency key. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRY_STATUSES = new Set([429, 503]);
/**
 * A connection that closed before any answer: most often a kept-alive connection the far side closed as we reused
 * it. Sent again once, on a new connection, when sending twice is harmless (as Go's HTTP client does).
 */
const DROPPED_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** Jira's POSTs that only read (a JQL query too long for a URL), so as safe to send twice as a GET. */
const READ_ONLY_POST =
  /\/rest\/api\/[23]\/(search|search\/jql|search\/approximate-count|issue\/bulkfetch)(\?|$)/;
/** Statuses whose answers carry no body (a Response with one would throw). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);
const DEFAULT_BACKOFF_MS = 1_000;
const DEFAULT_TIMEOUT_MS = 20_000;
/** Answers up to this size are read at once into one buffer; longer ones (or of unknown length) stream. */
export const MAX_BUFFERED_BODY = 64 * 1024;

export class AtlassianUnavailableError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
    /** True when Atlassian was reached but did not answer (or stopped sending) in time. */
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'AtlassianUnavailableError';
  }
}

/** The wait an answer asks for (Retry-After in seconds or as a date), else exponential backoff. */
export function retryAfterMs(header: string | null | undefined, attempt: number): number {
  const seconds = header === null || header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = header ? Date.parse(header) : Number.NaN;
  if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  return DEFAULT_BACKOFF_MS * 2 ** attempt;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const pool = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });

export function isTimeout(error: unknown): boolean {
  return error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
}

function unavailable(error: unknown): AtlassianUnavailableError {
  const timedOut = isTimeout(error);
  return new AtlassianUnavailableError(
    timedOut ? 'Atlassian did not answer in time.' : 'Atlassian could not be reached.',
    error,
    timedOut,
  );
}

/** One exchange with Atlassian, retried as allowed; the answer's body is a Node stream the caller must consume. */
export async function atlassianRequest(
  url: string,
  init: AtlassianRequestInit,
  options: AtlassianRequestOptions = {},
): Promise<AtlassianAnswer> {
  const method = init.method;
  const body = init.body ?? null;
  const resendable = !(body instanceof Readable);
  const retryable = (options.forceRetryable || IDEMPOTENT_METHODS.has(method)) && resendable;
  // Not forceRetryable: a 429 proves Jira did nothing, a dropped connection does not.
  let resendOnDrop =
    (IDEMPOTENT_METHODS.has(method) || (method === 'POST' && READ_ONLY_POST.test(url))) && resendable;
  const maxWait = options.maxRetryWaitMs ?? 10_000;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Straight to the pool: undici's top-level request() would parse the URL with \`new URL\` on every call.
  const pathAt = url.indexOf('/', url.indexOf('//') + 2);
  const origin = pathAt === -1 ? url : url.slice(0, pathAt);
  const path = pathAt === -1 ? '/' : url.slice(pathAt);
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    let answer: Dispatcher.ResponseData;
    const started = options.observe ? performance.now() : 0;
    try {
      answer = await pool.request({
        origin,
        path,
        method: method as Dispatcher.HttpMethod,
        headers: init.headers,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      options.observe?.(performance.now() - started, null);
      if (resendOnDrop && DROPPED_CONNECTION_CODES.has((error as { code?: string }).code ?? '')) {
        resendOnDrop = false;
        continue;
      }
      throw unavailable(error);
    }
    const status = answer.statusCode;
    options.observe?.(performance.now() - started, status);
    options.onAnswer?.(status, answer.headers);
    // undici has no notion of a null body: drain it so the connection goes back to the pool.
    if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') answer.body.resume();
    if (!retryable || !RETRY_STATUSES.has(status))
      return { status, headers: answer.headers, body: answer.body };
    const retryAfter = answer.headers['retry-after'];
    const wait = retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, attempt);
    if (waited + wait > maxWait) return { status, headers: answer.headers, body: answer.body };
    // dump() discards the rest quietly (destroy() would raise an unhandled abort error on the stream).
    answer.body.dump().catch(() => {});
    await (options.sleep ?? defaultSleep)(wait);
    waited += wait;
  }
}

/** Reads a whole body (for bodies known to be small). */
export function readAll(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    body.once('error', reject);
  });
}

/** Reads an answer's header as Headers#get would (a repeated header's values joined). */
export function answerHeaderReader(headers: AnswerHeaders): Pick<Headers, 'get'> {
  return {
    get(name: string) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

type RequestBody = RequestInit['body'];

function outgoingBody(body: RequestBody): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ReadableStream) return Readable.fromWeb(body as never);
  throw new TypeError('unsupported request body for Atlassian');
}

function outgoingHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const plain: Record<string, string> = {};
  if (!headers) return plain;
  const entries = headers instanceof Headers || Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) plain[name.toLowerCase()] = value;
  return plain;
}

/**
 * A Node stream as a web stream with backpressure. (`Readable.toWeb` enqueues after a cancel on undici's body
 * stream and throws, e.g. when a retried 429's body is cancelled.)
 */
function webStreamOf(body: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) body.pause();
        });
        body.once('end', () => {
          if (!done) controller.close();
          done = true;
        });
        body.once('error', (error) => {
          if (!done) controller.error(error);
          done = true;
        });
      },
      pull() {
        body.resume();
      },
      cancel() {
        done = true;
        body.destroy();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 8 }),
  );
}

/** `atlassianRequest` for callers that want a WHATWG Response (small bodies arrive buffered, others stream). */
export async function atlassianFetch(
  url: string,
  init: RequestInit & { method?: string },
  options: AtlassianFetchOptions = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const answer = await atlassianRequest(
    url,
    { method, headers: outgoingHeaders(init.headers), body: outgoingBody(init.body) },
    options,
  );
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  if (NULL_BODY_STATUSES.has(answer.status) || method === 'HEAD') {
    return new Response(null, { status: answer.status, headers });
  }
  const length = Number(headers.get('content-length') ?? Number.NaN);
  if (!(length <= MAX_BUFFERED_BODY))
    return new Response(webStreamOf(answer.body), { status: answer.status, headers });
  const whole = await readAll(answer.body).catch((error: unknown) => {
    throw unavailable(error);
  });
  const body = new Uint8Array(whole.buffer as ArrayBuffer, whole.byteOffset, whole.byteLength);
  return new Response(body, { status: answer.status, headers });
}
