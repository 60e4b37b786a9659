/**
 * Every encrypted column, once: where it is, and the purpose its ciphertexts are bound to (see
 * crypto/encryption.ts). Writers encrypt with SECRET_PURPOSE, key rotation re-encrypts ENCRYPTED_COLUMNS, and a
 * test checks the list against the schema. A new secret column gets a line here.
 */
export const ENCRYPTED = {
  accessToken: {
    table: 'jira_connections',
    key: 'id',
    column: 'access_token_encrypted',
    purpose: 'jira_connections.access_token',
  },
  refreshToken: {
    table: 'jira_connections',
    key: 'id',
    column: 'refresh_token_encrypted',
    purpose: 'jira_connections.refresh_token',
  },
  clientSecret: {
    table: 'jira_connections',
    key: 'id',
    column: 'client_secret_encrypted',
    purpose: 'jira_connections.client_secret',
  },
  stateClientSecret: {
    table: 'oauth_states',
    key: 'state_hash',
    column: 'client_secret_encrypted',
    purpose: 'oauth_states.client_secret',
  },
  codeVerifier: {
    table: 'oauth_states',
    key: 'state_hash',
    column: 'code_verifier_encrypted',
    purpose: 'oauth_states.code_verifier',
  },
  systemToken: {
    table: 'forge_installations',
    key: 'cloud_id',
    column: 'system_token_encrypted',
    purpose: 'forge_installations.system_token',
  },
} as const;

export type EncryptedColumn = (typeof ENCRYPTED)[keyof typeof ENCRYPTED];

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = Object.values(ENCRYPTED);

/** Purposes bound into ciphertexts, by secret. */
export const SECRET_PURPOSE = Object.fromEntries(
  Object.entries(ENCRYPTED).map(([name, { purpose }]) => [name, purpose]),
) as { [Name in keyof typeof ENCRYPTED]: (typeof ENCRYPTED)[Name]['purpose'] };
