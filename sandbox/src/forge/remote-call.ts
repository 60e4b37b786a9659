/** One HTTP call from "Forge" to the app's remote, with Forge's headers and time limit. */
import { randomBytes } from 'node:crypto';
import type { Scheduler } from './scheduler';
import type { RetryReason } from './types';

export type RemoteAnswer =
  | { reached: true; status: number; body: unknown }
  | {
      reached: false;
      failureReason: Extract<RetryReason, 'TIMEOUT_ERROR' | 'INVALID_REMOTE_INVOCATION_ERROR'>;
    };

export async function callRemote(a: {
  url: string;
  method: string;
  invocationToken: string;
  systemToken?: string;
  body?: unknown;
  timeoutMs: number;
  /** Runs the time limit. */
  scheduler: Scheduler;
  /** Aborts the call when the platform closes. */
  signal: AbortSignal;
}): Promise<RemoteAnswer> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${a.invocationToken}`,
    'x-b3-traceid': randomBytes(16).toString('hex'),
    'x-b3-spanid': randomBytes(8).toString('hex'),
  };
  if (a.systemToken) headers['x-forge-oauth-system'] = a.systemToken;
  const hasBody = a.body !== undefined && a.method !== 'GET' && a.method !== 'HEAD';
  if (hasBody) headers['content-type'] = 'application/json';

  const timeout = new AbortController();
  const cancelTimeout = a.scheduler.after(a.timeoutMs, () => timeout.abort());
  try {
    // Forge treats 3xx as an error, so redirects are not followed.
    const response = await fetch(a.url, {
      method: a.method,
      headers,
      body: hasBody ? JSON.stringify(a.body) : undefined,
      redirect: 'manual',
      signal: AbortSignal.any([timeout.signal, a.signal]),
    });
    const text = await response.text();
    return { reached: true, status: response.status, body: parseBody(text) };
  } catch {
    return {
      reached: false,
      failureReason: timeout.signal.aborted ? 'TIMEOUT_ERROR' : 'INVALID_REMOTE_INVOCATION_ERROR',
    };
  } finally {
    cancelTimeout();
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
