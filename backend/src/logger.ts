import pino, { type Logger } from 'pino';
import { currentRequestId } from './http/request-context';

/** Field names whose values never reach a log line, wherever they appear. */
const SECRET_PATHS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'apiKey',
  'code_verifier',
  'x-forge-oauth-system',
];

/**
 * Drizzle's DrizzleQueryError holds `query` and `params` and says them in its message; PostgreSQL's own
 * message may quote a value too. Of such an error only its kind, SQLSTATE and table/constraint are logged.
 */
export function withoutQueryParameters(error: unknown): unknown {
  if (!(error instanceof Error) || !('params' in error || 'query' in error)) return error;
  const cause = error.cause as { code?: string; table?: string; constraint?: string } | undefined;
  return {
    type: error.name,
    message: 'database query failed',
    code: cause?.code,
    table: cause?.table,
    constraint: cause?.constraint,
  };
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const paths = SECRET_PATHS.flatMap((name) => [name, `*.${name}`, `*.*.${name}`, `headers["${name}"]`]);
  return pino(
    {
      level: options.level,
      redact: { paths, censor: '[redacted]' },
      serializers: {
        err: (error: unknown) => {
          const safe = withoutQueryParameters(error);
          return safe instanceof Error ? pino.stdSerializers.err(safe) : safe;
        },
      },
      base: undefined,
      // Every line written while serving a request (or running a job) names it.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    options.destination,
  );
}

export type { Logger };
