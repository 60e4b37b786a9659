/**
 * Trigger deliveries to the remote, with Forge's retry policy for events: a failed attempt (non-2xx, 3xx,
 * timeout) is redelivered after a fixed delay, at most 4 times, wrapped as `{ payload: {..., retryContext} }`.
 */
import { randomUUID } from 'node:crypto';
import { callRemote } from './remote-call';
import type { Scheduler } from './scheduler';
import type { DeliveryKind, DeliveryRecord, DeliveryResult, Installation, RetryReason } from './types';

/** Forge redelivers a failed event at most 4 times. */
export const maxRetries = 4;
/** Keeps the log bounded for a long-running sandbox. */
const maxRecords = 1000;

export interface DeliveryRequest {
  kind: DeliveryKind;
  installation: Installation;
  moduleKey: string;
  endpoint: { key: string; path?: string; appSystemToken: boolean };
  eventType: string | null;
  body: Record<string, unknown>;
  /** Triggers are retried; scheduled triggers and preUninstall are not. */
  retry: boolean;
}

export interface PendingRetry {
  deliveryId: string;
  cloudId: string;
  installationId: string;
  moduleKey: string;
  eventType: string | null;
  retryCount: number;
  retryReason: RetryReason;
  dueAt: number;
}

export interface Deliverer {
  /** Makes the first attempt and returns its result; retries run later on the scheduler. */
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  /** Makes every pending retry now instead of at its due time, and returns their results. */
  deliverPending(): Promise<DeliveryResult[]>;
  /** Resolves once no delivery is in flight (including fire-and-forget events and the retries they cause). */
  settled(): Promise<void>;
  records(): DeliveryRecord[];
  pendingRetries(): PendingRetry[];
  /** Drops the pending retries of an installation (uninstall). */
  cancel(installationId: string): void;
  /** Aborts in-flight calls and drops pending retries; later deliveries work again. */
  stop(): Promise<void>;
  clearRecords(): void;
}

export function createDeliverer(a: {
  now(): number;
  retryDelayMs: number;
  timeoutMs: number;
  scheduler: Scheduler;
  invocationToken(installation: Installation, endpointKey: string): Promise<string>;
  systemToken(cloudId: string): Promise<string>;
  /** A retry is only made while its installation still exists. */
  isInstalled(installationId: string): boolean;
}): Deliverer {
  const records: DeliveryRecord[] = [];
  const pending = new Map<
    string,
    { retry: PendingRetry; cancel: () => void; run: () => Promise<DeliveryResult> }
  >();
  const inFlight = new Set<Promise<unknown>>();
  let abort = new AbortController();

  async function attempt(
    request: DeliveryRequest,
    deliveryId: string,
    retryCount: number,
    retryReason?: RetryReason,
  ): Promise<DeliveryResult> {
    const { installation, endpoint } = request;
    const { signal } = abort;
    const body = retryReason
      ? { payload: { ...request.body, retryContext: { retryCount, retryReason, retryData: null } } }
      : request.body;
    const invocationToken = await a.invocationToken(installation, endpoint.key);
    const systemToken = endpoint.appSystemToken ? await a.systemToken(installation.cloudId) : undefined;
    const started = performance.now();
    const answer = await callRemote({
      url: installation.backendUrl + (endpoint.path ?? ''),
      method: 'POST',
      invocationToken,
      systemToken,
      body,
      timeoutMs: a.timeoutMs,
      scheduler: a.scheduler,
      signal,
    });
    const durationMs = performance.now() - started;
    const result: DeliveryResult = !answer.reached
      ? { ok: false, status: null, failureReason: answer.failureReason }
      : answer.status >= 200 && answer.status < 300
        ? { ok: true, status: answer.status }
        : {
            ok: false,
            status: answer.status,
            failureReason:
              answer.status === 401 ? 'INVALID_FORGE_INVOCATION_TOKEN' : 'INVALID_REMOTE_INVOCATION_ERROR',
          };
    // An attempt cut short by stop/reset is not a delivery outcome.
    if (signal.aborted) return result;
    records.push({
      ...result,
      deliveryId,
      kind: request.kind,
      cloudId: installation.cloudId,
      installationId: installation.installationId,
      moduleKey: request.moduleKey,
      endpointKey: endpoint.key,
      path: endpoint.path ?? '',
      eventType: request.eventType,
      attempt: retryCount + 1,
      at: a.now(),
      durationMs,
    });
    if (records.length > maxRecords) records.splice(0, records.length - maxRecords);
    if (result.failureReason && request.retry && retryCount < maxRetries) {
      scheduleRetry(request, deliveryId, retryCount + 1, result.failureReason);
    }
    return result;
  }

  function scheduleRetry(
    request: DeliveryRequest,
    deliveryId: string,
    retryCount: number,
    reason: RetryReason,
  ) {
    if (!a.isInstalled(request.installation.installationId)) return;
    const run = () => {
      pending.delete(deliveryId);
      return track(attempt(request, deliveryId, retryCount, reason));
    };
    const cancel = a.scheduler.after(a.retryDelayMs, () => void run());
    pending.set(deliveryId, {
      cancel,
      run,
      retry: {
        deliveryId,
        cloudId: request.installation.cloudId,
        installationId: request.installation.installationId,
        moduleKey: request.moduleKey,
        eventType: request.eventType,
        retryCount,
        retryReason: reason,
        dueAt: a.now() + a.retryDelayMs,
      },
    });
  }

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    // Callers of fire-and-forget deliveries never see the rejection; a signing failure is a sandbox bug.
    work
      .catch((error: unknown) => console.error('forge delivery failed', error))
      .finally(() => inFlight.delete(work));
    return work;
  }

  return {
    deliver: (request) => track(attempt(request, randomUUID(), 0)),
    records: () => [...records],
    deliverPending() {
      const due = [...pending.values()];
      return Promise.all(
        due.map(({ cancel, run }) => {
          cancel();
          return run();
        }),
      );
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    pendingRetries: () => [...pending.values()].map(({ retry }) => retry),
    cancel(installationId) {
      for (const [deliveryId, { retry, cancel }] of pending) {
        if (retry.installationId !== installationId) continue;
        cancel();
        pending.delete(deliveryId);
      }
    },
    async stop() {
      for (const { cancel } of pending.values()) cancel();
      pending.clear();
      const stopping = abort;
      abort = new AbortController();
      stopping.abort();
      await Promise.allSettled([...inFlight]);
    },
    clearRecords() {
      records.length = 0;
    },
  };
}
