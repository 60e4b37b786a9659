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

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const paths = SECRET_PATHS.flatMap((name) => [name, `*.${name}`, `*.*.${name}`, `headers["${name}"]`]);
  return pino(
    {
      level: options.level,
      redact: { paths, censor: '[redacted]' },
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
