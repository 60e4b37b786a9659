import { randomUUID } from 'node:crypto';
import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import type { Services } from '../src/context';
import { SECRET_PURPOSE } from '../src/db/encrypted-columns';
import { jiraConnections } from '../src/db/schema';
import type { JiraConnection } from '../src/model/connection';
import { recordManagedConnection } from '../src/model/workspace-approval';

/**
 * Tests only: a connection row as a finished OAuth flow would leave it, tokens encrypted as in production.
 * A managed connection is recorded as made by a site admin (its workspace approved on the site) unless
 * `siteAdmin: false`, as the spec's flow has it.
 */
export async function insertTestConnection(
  services: Services,
  input: {
    teamId: string;
    cloudId: string;
    accessToken: string;
    method?: 'managed' | 'custom';
    refreshToken?: string | null;
    expiresAt?: Date;
    siteUrl?: string;
    accountId?: string;
    accountName?: string;
    clientId?: string;
    clientSecret?: string;
    siteAdmin?: boolean;
    /** The API key that made the connection (its installer). */
    createdByKeyId?: string;
  },
): Promise<JiraConnection> {
  const { encryptor } = services;
  const now = services.clock.now();
  const method = input.method ?? 'managed';
  const siteUrl = input.siteUrl ?? 'https://acme.atlassian.net';
  const [row] = await services.db
    .insert(jiraConnections)
    .values({
      id: randomUUID(),
      teamId: input.teamId,
      method,
      subdomain: new URL(siteUrl).host.split('.')[0],
      cloudId: input.cloudId,
      siteUrl,
      siteName: new URL(siteUrl).host.split('.')[0],
      accountId: input.accountId ?? 'test-account',
      accountName: input.accountName ?? 'Test User',
      scopes: [...JIRA_OAUTH_SCOPES],
      clientId: method === 'custom' ? (input.clientId ?? 'custom-client') : null,
      clientSecretEncrypted:
        method === 'custom'
          ? encryptor.encrypt(input.clientSecret ?? 'custom-secret', SECRET_PURPOSE.clientSecret)
          : null,
      accessTokenEncrypted: encryptor.encrypt(input.accessToken, SECRET_PURPOSE.accessToken),
      refreshTokenEncrypted: input.refreshToken
        ? encryptor.encrypt(input.refreshToken, SECRET_PURPOSE.refreshToken)
        : null,
      accessTokenExpiresAt: input.expiresAt ?? new Date(now.getTime() + 3600_000),
      consentedAt: now,
      createdByKeyId: input.createdByKeyId ?? null,
    })
    .returning();
  if (method === 'managed') {
    await recordManagedConnection(services.db, now, {
      teamId: row.teamId,
      cloudId: row.cloudId,
      accountId: row.accountId,
      connectedBySiteAdmin: input.siteAdmin ?? true,
    });
  }
  return row;
}
