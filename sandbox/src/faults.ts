/** The fault switch: makes matching requests fail, hang, crawl or drop, so clients' resilience can be tested. */

import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';

export interface Fault {
  match?: { method?: string; pathIncludes?: string };
  /** status: answer `status`; timeout: never answer; slow: answer after `delayMs`; reset: destroy the socket. */
  kind: 'status' | 'timeout' | 'slow' | 'reset';
  status?: number;
  delayMs?: number;
  /** How many matching requests are hit; unset = all until cleared. */
  times?: number;
  /** Sent as Retry-After with a `status` fault. */
  retryAfterSeconds?: number;
}

const STATUS_TEXT: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export class FaultInjector {
  private fault: Fault | null = null;
  private remaining = Number.POSITIVE_INFINITY;
  private readonly timers = new Set<NodeJS.Timeout>();

  set(fault: Fault | null): void {
    this.fault = fault;
    this.remaining = fault?.times ?? Number.POSITIVE_INFINITY;
  }

  current(): Fault | null {
    return this.fault;
  }

  /** The fault to apply to this request, if any; each hit uses up one of `times`. */
  take(method: string, path: string): Fault | null {
    const fault = this.fault;
    if (!fault || this.remaining <= 0) return null;
    if (fault.match?.method && fault.match.method.toUpperCase() !== method.toUpperCase()) return null;
    if (fault.match?.pathIncludes && !path.includes(fault.match.pathIncludes)) return null;
    this.remaining--;
    if (this.remaining <= 0) this.fault = null;
    return fault;
  }

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stops pending slow answers so the server can close at once. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  middleware(): MiddlewareHandler<{ Bindings: HttpBindings }> {
    return async (c, next) => {
      const fault = this.take(c.req.method, new URL(c.req.url).pathname);
      if (!fault) return next();
      const socket = c.env.incoming.socket;
      const socketClosed = () =>
        new Promise<Response>((resolve) => {
          if (socket.destroyed) resolve(new Response(null));
          else socket.once('close', () => resolve(new Response(null)));
        });
      switch (fault.kind) {
        case 'slow':
          await this.delay(fault.delayMs ?? 1000);
          return next();
        case 'timeout':
          // Hold the request open until the client gives up or the server closes its connections.
          return socketClosed();
        case 'reset':
          socket.destroy();
          return socketClosed();
        case 'status': {
          const status = fault.status ?? 503;
          if (fault.retryAfterSeconds !== undefined) c.header('Retry-After', String(fault.retryAfterSeconds));
          return c.json({ code: status, message: STATUS_TEXT[status] ?? 'Injected fault' }, status as 500);
        }
      }
    };
  }
}
