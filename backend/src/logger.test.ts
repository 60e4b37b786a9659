import { describe, expect, it } from 'vitest';
import { CapturedLogs } from '../test-support/context';
import { createLogger } from './logger';

describe('logger', () => {
  it('redacts secrets wherever they sit in a log object', () => {
    const logs = new CapturedLogs();
    const logger = createLogger({ level: 'info', destination: logs.stream });
    logger.info(
      {
        clientSecret: 'ATOA-top-secret',
        connection: { accessToken: 'at-123', refreshToken: 'rt-456' },
        req: { headers: { authorization: 'Bearer jik_abc', cookie: 'console_session=xyz' } },
        token: 'forge-system-token',
      },
      'something happened',
    );
    const text = logs.text();
    for (const secret of [
      'ATOA-top-secret',
      'at-123',
      'rt-456',
      'jik_abc',
      'console_session=xyz',
      'forge-system-token',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('something happened');
  });
});
