/**
 * The request id: taken from an incoming `X-Request-Id` when it is a sane token, generated otherwise, echoed in
 * the response header, written on every log line and in every error body of the request (and of a job run).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const context = new AsyncLocalStorage<{ requestId: string }>();

/** Letters, digits and `._:-`, up to 128 characters: safe in logs and headers, long enough for any tracer's ids. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | undefined): string {
  return header && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Runs `work` with `requestId` as the current request id (log lines and error bodies carry it). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
