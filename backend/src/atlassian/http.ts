/**
 * The one way the backend talks HTTP to Atlassian: timeouts on every call, and polite retries of
 * idempotent requests that Atlassian asks us to retry (429/503 with Retry-After), within a bounded wait.
 */
export interface AtlassianFetchOptions {
  timeoutMs?: number;
  /** Total time we are willing to wait across Retry-After answers before passing the answer on. */
  maxRetryWaitMs?: number;
  /** Retry even non-idempotent methods (the caller guarantees idempotency, e.g. with a key). */
  forceRetryable?: boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Sees every answer's status and headers (retried ones too), e.g. to track the rate-limit budget. */
  onResponse?: (response: Response) => void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRY_STATUSES = new Set([429, 503]);
const DEFAULT_BACKOFF_MS = 1_000;

export class AtlassianUnavailableError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'AtlassianUnavailableError';
  }
}

export function retryAfterMs(response: Response, attempt: number): number {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = header ? Date.parse(header) : Number.NaN;
  if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  return DEFAULT_BACKOFF_MS * 2 ** attempt;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function atlassianFetch(
  url: string,
  init: RequestInit & { method?: string },
  options: AtlassianFetchOptions = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const retryable = options.forceRetryable || IDEMPOTENT.has(method);
  const maxWait = options.maxRetryWaitMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        method,
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new AtlassianUnavailableError(
        timedOut ? 'Atlassian did not answer in time.' : 'Atlassian could not be reached.',
        error,
      );
    }
    options.onResponse?.(response);
    if (!retryable || !RETRY_STATUSES.has(response.status)) return response;
    const wait = retryAfterMs(response, attempt);
    if (waited + wait > maxWait) return response;
    await response.body?.cancel();
    await sleep(wait);
    waited += wait;
  }
}
