/**
 * Benchmark child: the sandbox (local Atlassian) in its own process, so it never shares an event loop with the
 * backend or the load generator. Prints one JSON line with what the parent needs, then serves until killed.
 */

import { startSandbox } from '@jira-integration/sandbox';
import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';

export interface SandboxInfo {
  url: string;
  pid: number;
  cloudId: string;
  siteUrl: string;
  accountId: string;
  /** A user token of Alice's on the site, valid for four hours. */
  token: string;
  client: { clientId: string; clientSecret: string };
  forgeAppId: string;
  attachment: { id: string; size: number };
}

const MANAGED_CLIENT = { clientId: 'bench-managed-client', clientSecret: 'bench-managed-secret' };

const sandbox = await startSandbox({ port: 0 });
sandbox.setRateLimits(null);
sandbox.registerOAuthClient({
  ...MANAGED_CLIENT,
  callbackUrls: ['http://127.0.0.1/callback'],
  name: 'Bench',
  distribution: 'managed',
});
const site = sandbox.state.sites.get(DEFAULT_SEED.acme);
const user = sandbox.state.users.get(DEFAULT_SEED.alice);
if (!site || !user) throw new Error('the sandbox seed has no acme site or Alice Admin');
const attachment = [...sandbox.state.attachments.values()].sort((a, b) => b.size - a.size)[0];
if (!attachment) throw new Error('the sandbox seed has no attachment');
const token = await sandbox.issueUserToken({
  clientId: MANAGED_CLIENT.clientId,
  accountId: user.accountId,
  cloudIds: [site.cloudId],
  scopes: [...JIRA_OAUTH_SCOPES],
  ttlSeconds: 4 * 3600,
});
const info: SandboxInfo = {
  url: sandbox.url,
  pid: process.pid,
  cloudId: site.cloudId,
  siteUrl: site.url,
  accountId: user.accountId,
  token,
  client: MANAGED_CLIENT,
  forgeAppId: sandbox.forge.appId,
  attachment: { id: attachment.id, size: attachment.size },
};
process.stdout.write(`${JSON.stringify(info)}\n`);
process.on('SIGTERM', () => {
  void sandbox.close().finally(() => process.exit(0));
});
