import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { connectMessages, METHOD_LABELS, OAUTH_STATE_TTL_MS } from '@jira-integration/shared';
import { and, eq, gt, isNull, lte, ne } from 'drizzle-orm';
import { readJiraJson } from '../atlassian/content';
import { atlassianFetch } from '../atlassian/http';
import { hasAdministerJira, jiraBaseUrl } from '../atlassian/jira';
import {
  type AccessibleResource,
  buildAuthorizeUrl,
  exchangeAuthorizationCode,
  listAccessibleResources,
  OAuthError,
} from '../atlassian/oauth';
import { writeAudit } from '../audit/log';
import type { Services } from '../context';
import { SECRET_PURPOSE } from '../db/encrypted-columns';
import { jiraConnections, oauthStates } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { findInstallation, upgradeIfForgeCredentialsFresh } from '../model/forge-upgrade';
import { recordManagedConnection } from '../model/workspace-approval';
import { managedOAuthClient, oauthClientOf } from './oauth-client';
import type { CustomAppInput } from './validation';
import { validateCustomApp, validateManagedSubdomain } from './validation';

export type { JiraConnection } from '../model/connection';

export function callbackUrl(services: Services): string {
  return `${services.config.publicUrl}/v1/jira/oauth/callback`;
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

async function beginAuthorization(
  services: Services,
  attempt: Omit<
    typeof oauthStates.$inferInsert,
    'stateHash' | 'codeVerifierEncrypted' | 'redirectUri' | 'createdAt'
  >,
  clientId: string,
): Promise<{ authorizeUrl: string; browserBinding: string }> {
  const { encryptor } = services;
  const state = randomBytes(24).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  // Set as a cookie in the browser that started the flow; the callback completes only there (or for the team).
  const browserBinding = randomBytes(24).toString('base64url');
  const redirectUri = callbackUrl(services);
  await services.db.insert(oauthStates).values({
    ...attempt,
    stateHash: hashState(state),
    codeVerifierEncrypted: encryptor.encrypt(codeVerifier, SECRET_PURPOSE.codeVerifier),
    redirectUri,
    browserBindingHash: hashState(browserBinding),
    createdAt: services.clock.now(),
  });
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return {
    browserBinding,
    authorizeUrl: buildAuthorizeUrl({
      authUrl: services.config.atlassianAuthUrl,
      clientId,
      redirectUri,
      state,
      codeChallenge,
    }),
  };
}

/** What the team already has on a site, worded for the admin who is about to replace it. */
function connectionExistsError(existing: JiraConnection): ApiError {
  return new SiteChoiceError(
    'connection_exists',
    connectMessages.connectionExists(
      new URL(existing.siteUrl).host,
      METHOD_LABELS[existing.method],
      existing.accountName ?? existing.accountId,
    ),
    existing.subdomain ? { subdomain: existing.subdomain } : {},
  );
}

/** Refuses to start over a site the team already connected, unless the caller asked to replace it. */
async function refuseSilentReplace(services: Services, teamId: string, subdomain: string | undefined) {
  if (!subdomain) return; // the site is only known after consent: the callback checks then
  const [existing] = await services.db
    .select()
    .from(jiraConnections)
    .where(and(eq(jiraConnections.teamId, teamId), eq(jiraConnections.subdomain, subdomain)));
  if (existing) throw connectionExistsError(existing);
}

/** Sign in with Jira: the platform's own Atlassian app. */
export async function startManagedConnection(
  services: Services,
  teamId: string,
  input: { subdomain?: string; replace?: boolean },
  createdByKeyId?: string,
) {
  const subdomain = validateManagedSubdomain(input.subdomain);
  const replaceExisting = input.replace === true;
  if (!replaceExisting) await refuseSilentReplace(services, teamId, subdomain);
  try {
    const app = managedOAuthClient(services);
    return await beginAuthorization(
      services,
      { teamId, method: 'managed', subdomain, replaceExisting, createdByKeyId },
      app.clientId,
    );
  } catch (error) {
    services.logger.error({ err: error, teamId }, 'managed Jira OAuth start failed');
    throw new ApiError('oauth_start_failed', connectMessages.managedStartFailed);
  }
}

/** Bring your own Atlassian OAuth app: the secret is encrypted before it is stored, even for 10 minutes. */
export async function startCustomConnection(
  services: Services,
  teamId: string,
  input: CustomAppInput & { replace?: boolean },
  createdByKeyId?: string,
) {
  const app = validateCustomApp(input);
  const replaceExisting = input.replace === true;
  if (!replaceExisting) await refuseSilentReplace(services, teamId, app.subdomain);
  try {
    return await beginAuthorization(
      services,
      {
        teamId,
        createdByKeyId,
        method: 'custom',
        subdomain: app.subdomain,
        replaceExisting,
        displayName: app.displayName,
        clientId: app.clientId,
        clientSecretEncrypted: services.encryptor.encrypt(app.clientSecret, SECRET_PURPOSE.stateClientSecret),
      },
      app.clientId,
    );
  } catch (error) {
    services.logger.error({ err: error, teamId }, 'custom Jira OAuth start failed');
    throw new ApiError('oauth_start_failed', `${connectMessages.customStartFailedPrefix}: unexpected error`);
  }
}

function liveState(state: string, now: Date) {
  return and(
    eq(oauthStates.stateHash, hashState(state)),
    isNull(oauthStates.usedAt),
    gt(oauthStates.createdAt, new Date(now.getTime() - OAUTH_STATE_TTL_MS)),
  );
}

/**
 * Who may finish an unused, unexpired state, without using it: its team, and the browser holding the
 * binding cookie set when it started. Undefined for unknown, used and expired states.
 */
export async function pendingAuthorization(
  services: Services,
  state: string,
): Promise<{ teamId: string; bindsBrowser(binding: string | undefined): boolean } | undefined> {
  const [row] = await services.db
    .select({ teamId: oauthStates.teamId, bindingHash: oauthStates.browserBindingHash })
    .from(oauthStates)
    .where(liveState(state, services.clock.now()));
  if (!row) return undefined;
  return {
    teamId: row.teamId,
    bindsBrowser: (binding) => Boolean(binding && row.bindingHash && hashState(binding) === row.bindingHash),
  };
}

/** Takes the state if it is unused, younger than 10 minutes and the given team's. */
async function consumeState(services: Services, state: string, teamId: string) {
  const now = services.clock.now();
  const [row] = await services.db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(and(liveState(state, now), eq(oauthStates.teamId, teamId)))
    .returning();
  if (!row) throw new ApiError('invalid_oauth_state', connectMessages.invalidOrExpiredState);
  return row;
}

/** Removes OAuth states past their 10 minutes (used or not): the periodic prune job. */
export async function pruneExpiredStates(services: Services): Promise<number> {
  const oldest = new Date(services.clock.now().getTime() - OAUTH_STATE_TTL_MS);
  const removed = await services.db
    .delete(oauthStates)
    .where(lte(oauthStates.createdAt, oldest))
    .returning({ stateHash: oauthStates.stateHash });
  return removed.length;
}

/** A site-choice failure, with the validated detail the console needs to word it (callback.ts). */
export class SiteChoiceError extends ApiError {
  constructor(
    code: 'site_not_found' | 'no_sites' | 'multiple_sites' | 'connection_exists',
    message: string,
    readonly detail: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

function chooseSite(resources: AccessibleResource[], subdomain: string | null): AccessibleResource {
  if (subdomain) {
    const host = `${subdomain}.atlassian.net`;
    const site = resources.find((resource) => {
      try {
        return new URL(resource.url).host.toLowerCase() === host;
      } catch {
        return false;
      }
    });
    if (!site) {
      throw new SiteChoiceError('site_not_found', connectMessages.siteNotFound(subdomain), { subdomain });
    }
    return site;
  }
  if (resources.length === 1) return resources[0];
  if (resources.length === 0) throw new SiteChoiceError('no_sites', connectMessages.noSitesAuthorized);
  throw new SiteChoiceError('multiple_sites', connectMessages.multipleSites(resources.length), {
    count: String(resources.length),
  });
}

/** Atlassian's token endpoint refusing the client itself (not the code): wrong client id or secret. */
function isClientRejection(error: unknown): boolean {
  return (
    error instanceof OAuthError &&
    (error.status === 401 || ['invalid_client', 'unauthorized_client', 'access_denied'].includes(error.error))
  );
}

async function fetchMyself(services: Services, cloudId: string, accessToken: string) {
  const response = await atlassianFetch(`${jiraBaseUrl(services, cloudId)}/rest/api/3/myself`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  if (!response.ok) {
    throw new ApiError(
      'jira_myself_failed',
      `Jira answered ${response.status} when looking up the connecting user`,
    );
  }
  const me = await readJiraJson<{ accountId: string; displayName?: string }>(response);
  return { accountId: me.accountId, displayName: me.displayName ?? null };
}

/**
 * Finishes either flow for the team that proved it started it (routes.ts): code → tokens → the site
 * matching the subdomain → the connecting user → one connection row per (team, site), replacing tokens on
 * reconnect.
 */
export async function completeAuthorization(
  services: Services,
  params: { code: string; state: string; teamId: string; actor?: string },
): Promise<JiraConnection> {
  const attempt = await consumeState(services, params.state, params.teamId);
  const { encryptor } = services;
  const client = oauthClientOf(services, attempt, 'attempt');
  const tokens = await exchangeAuthorizationCode({
    authUrl: services.config.atlassianAuthUrl,
    ...client,
    code: params.code,
    redirectUri: attempt.redirectUri,
    codeVerifier: encryptor.decrypt(attempt.codeVerifierEncrypted, SECRET_PURPOSE.codeVerifier),
  }).catch((error: unknown) => {
    // A team's own app with a wrong id or secret: say so, and where to find the right ones.
    if (attempt.method === 'custom' && isClientRejection(error)) {
      throw new ApiError('oauth_client_rejected', connectMessages.oauthClientRejected);
    }
    throw error;
  });
  const site = chooseSite(
    await listAccessibleResources(services.config.atlassianApiUrl, tokens.accessToken),
    attempt.subdomain,
  );
  if (!attempt.replaceExisting) {
    const [existing] = await services.db
      .select()
      .from(jiraConnections)
      .where(and(eq(jiraConnections.teamId, attempt.teamId), eq(jiraConnections.cloudId, site.id)));
    if (existing) throw connectionExistsError(existing);
  }
  const me = await fetchMyself(services, site.id, tokens.accessToken);
  const now = services.clock.now();
  const values = {
    method: attempt.method,
    displayName: attempt.displayName,
    subdomain: new URL(site.url).host.split('.')[0],
    siteUrl: site.url,
    siteName: site.name,
    accountId: me.accountId,
    accountName: me.displayName,
    scopes: tokens.scopes.length ? tokens.scopes : site.scopes,
    clientId: attempt.method === 'custom' ? client.clientId : null,
    clientSecretEncrypted:
      attempt.method === 'custom'
        ? encryptor.encrypt(client.clientSecret, SECRET_PURPOSE.clientSecret)
        : null,
    accessTokenEncrypted: encryptor.encrypt(tokens.accessToken, SECRET_PURPOSE.accessToken),
    refreshTokenEncrypted: tokens.refreshToken
      ? encryptor.encrypt(tokens.refreshToken, SECRET_PURPOSE.refreshToken)
      : null,
    accessTokenExpiresAt: new Date(now.getTime() + tokens.expiresInSeconds * 1000),
    status: 'active' as const,
    statusReason: null,
    // A bring-your-own connection is never upgraded by the Forge app; a managed one is re-evaluated on connect.
    forgeUpgradedAt: null,
    consentedAt: now,
    // Whoever (re)connects the site is its installer from now on (they approve `installer-approval` runs).
    createdByKeyId: attempt.createdByKeyId,
    updatedAt: now,
  };
  // A site admin's managed connection approves the team's workspace on the site; anyone else's waits for
  // a Jira admin (workspaces/service.ts). Asked before the transaction: no connection is held across a call.
  const connectedBySiteAdmin =
    attempt.method === 'managed' &&
    (await hasAdministerJira(jiraBaseUrl(services, site.id), tokens.accessToken));
  // The connection, its upgrade by the Forge app (when its site's credentials are fresh) and their audit rows
  // are written in one transaction. The upgrade runs in a savepoint: if it fails, the connection is still made
  // and the Forge app's next credential push (at most five minutes away) upgrades it.
  return services.db.transaction(async (tx) => {
    const upgradeFailed = (error: unknown) => {
      services.logger.warn({ err: error, cloudId: site.id }, 'upgrade on connect failed; next push retries');
      return false;
    };
    // Before the connection row: the same lock order as a credential push, which locks the site first.
    const siteLocked =
      attempt.method === 'managed' &&
      (await tx
        .transaction((savepoint) => findInstallation(savepoint, site.id, { lock: 'share' }))
        .then(() => true, upgradeFailed));
    const [row] = await tx
      .insert(jiraConnections)
      .values({ id: randomUUID(), teamId: attempt.teamId, cloudId: site.id, ...values })
      .onConflictDoUpdate({ target: [jiraConnections.teamId, jiraConnections.cloudId], set: values })
      .returning();
    await writeAudit(tx, {
      teamId: attempt.teamId,
      action: 'jira.connection.connected',
      target: row.id,
      actor: params.actor,
      detail: { method: row.method, cloudId: row.cloudId, siteUrl: row.siteUrl },
    });
    if (row.method === 'managed') {
      await recordManagedConnection(tx, now, {
        teamId: row.teamId,
        cloudId: row.cloudId,
        accountId: row.accountId,
        connectedBySiteAdmin,
      });
    }
    if (!siteLocked) return row;
    return tx
      .transaction((savepoint) => upgradeIfForgeCredentialsFresh(services, row, savepoint))
      .catch((error: unknown) => {
        upgradeFailed(error);
        return row;
      });
  });
}

export async function findConnection(
  services: Services,
  teamId: string,
  id: string,
): Promise<JiraConnection> {
  const [row] = await services.db
    .select()
    .from(jiraConnections)
    .where(and(eq(jiraConnections.id, id), eq(jiraConnections.teamId, teamId)));
  // Another team's connection is indistinguishable from a missing one.
  if (!row) throw new ApiError('connection_not_found', connectMessages.connectionNotFound);
  return row;
}

export async function listConnections(services: Services, teamId: string): Promise<JiraConnection[]> {
  return services.db
    .select()
    .from(jiraConnections)
    .where(eq(jiraConnections.teamId, teamId))
    .orderBy(jiraConnections.createdAt);
}

export async function deleteConnection(
  services: Services,
  teamId: string,
  id: string,
  actor?: string,
): Promise<void> {
  const connection = await findConnection(services, teamId, id);
  await services.db.transaction(async (tx) => {
    await tx.delete(jiraConnections).where(eq(jiraConnections.id, connection.id));
    await writeAudit(tx, {
      teamId,
      action: 'jira.connection.deleted',
      target: id,
      actor,
      // The row is gone: the history names the site from here.
      detail: { cloudId: connection.cloudId, siteUrl: connection.siteUrl, method: connection.method },
    });
  });
}

/** Sets Ticket Syncing; `changed` says whether this call flipped it (one caller wins a concurrent flip). */
export async function setTicketSyncing(
  services: Services,
  teamId: string,
  id: string,
  enabled: boolean,
  actor?: string,
) {
  const current = await findConnection(services, teamId, id);
  // The Forge app never upgrades a bring-your-own connection, so syncing could never run on it.
  if (enabled && current.method === 'custom') {
    throw new ApiError('ticket_syncing_unavailable', connectMessages.ticketSyncingNeedsManaged);
  }
  return services.db.transaction(async (tx) => {
    const [flipped] = await tx
      .update(jiraConnections)
      .set({ ticketSyncing: enabled, updatedAt: services.clock.now() })
      .where(and(eq(jiraConnections.id, id), ne(jiraConnections.ticketSyncing, enabled)))
      .returning();
    const row = flipped ?? current;
    await writeAudit(tx, {
      teamId,
      action: 'jira.connection.ticket_syncing_changed',
      target: id,
      actor,
      detail: { enabled },
    });
    return { connection: row, changed: Boolean(flipped) };
  });
}

/** What the connect modal pre-fills on reconnect. Never the secret. */
export function reconnectPrefill(connection: JiraConnection) {
  return connection.method === 'managed'
    ? { method: 'managed' as const, subdomain: connection.subdomain ?? '' }
    : {
        method: 'custom' as const,
        subdomain: connection.subdomain ?? '',
        displayName: connection.displayName ?? '',
        clientId: connection.clientId ?? '',
      };
}

/** The public view of a connection: no token, no secret. */
export function presentConnection(connection: JiraConnection) {
  return {
    id: connection.id,
    method: connection.method,
    displayName: connection.displayName,
    subdomain: connection.subdomain,
    siteUrl: connection.siteUrl,
    siteName: connection.siteName,
    cloudId: connection.cloudId,
    connectedAs: { accountId: connection.accountId, displayName: connection.accountName },
    scopes: connection.scopes,
    clientId: connection.clientId,
    status: connection.status,
    statusReason: connection.statusReason,
    ticketSyncing: connection.ticketSyncing,
    forgeUpgradedAt: connection.forgeUpgradedAt?.toISOString() ?? null,
    accessTokenExpiresAt: connection.accessTokenExpiresAt.toISOString(),
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
