/**
 * A promise rejection nobody handled (a library's unawaited call, a forgotten `void`) must not end a process
 * that is serving requests and running jobs: it is logged and counted (`process_unhandled_rejections_total`),
 * and the process goes on. Every request and job has its own error handling; this is the net under it.
 */
import type { Logger } from './logger';

interface ProcessEvents {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export function guardUnhandledRejections(
  target: ProcessEvents,
  logger: Pick<Logger, 'error'>,
  counter: { inc(): void },
): () => void {
  const onRejection = (reason: unknown) => {
    counter.inc();
    logger.error({ err: reason }, 'unhandled promise rejection; the process keeps serving');
  };
  target.on('unhandledRejection', onRejection);
  return () => target.off('unhandledRejection', onRejection);
}
