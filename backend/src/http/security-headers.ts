/**
 * Headers every answer of ours carries (the proxy sets its own for Jira's answers): no framing (clickjacking),
 * no MIME sniffing, and no URL (the callback's code and state) leaking to other sites through Referer.
 * `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null` on our own form posts,
 * which the console's same-origin check must refuse.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';

const HEADERS: Record<string, string> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(HEADERS)) {
    if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  }
  const csp = c.res.headers.get('content-security-policy');
  if (!csp) c.res.headers.set('content-security-policy', "frame-ancestors 'none'");
  else if (!csp.includes('frame-ancestors'))
    c.res.headers.set('content-security-policy', `${csp}; frame-ancestors 'none'`);
});
