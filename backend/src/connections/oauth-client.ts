import type { Services } from '../context';
import { SECRET_PURPOSE } from '../db/encrypted-columns';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** The platform's own Atlassian app (Sign in with Jira); throws when it is not configured. */
export function managedOAuthClient(services: Services): OAuthClient {
  const app = services.config.atlassian;
  if (!app) throw new Error('the managed Atlassian app is not configured');
  return { clientId: app.clientId, clientSecret: app.clientSecret };
}

/**
 * The OAuth client a connection, or an OAuth attempt on its way to becoming one, talks to Atlassian with:
 * the platform's app for managed, the team's own app (secret decrypted) for custom.
 */
export function oauthClientOf(
  services: Services,
  row: { method: 'managed' | 'custom'; clientId: string | null; clientSecretEncrypted: string | null },
  stored: 'connection' | 'attempt',
): OAuthClient {
  if (row.method === 'managed') return managedOAuthClient(services);
  const purpose = stored === 'connection' ? SECRET_PURPOSE.clientSecret : SECRET_PURPOSE.stateClientSecret;
  return {
    clientId: row.clientId!,
    clientSecret: services.encryptor.decrypt(row.clientSecretEncrypted!, purpose),
  };
}
