/**
 * The sandbox's Forge platform: signs invocation tokens, installs the app on sites, delivers lifecycle events,
 * scheduled credential pushes, Jira events and preUninstall calls to the app's remote, and serves JWKS + GraphQL.
 */
import { randomUUID } from 'node:crypto';
import type { ForgePlatform, ForgePlatformContext, JiraChange } from '../contracts';
import { createAppTokens, maxSystemTokenTtlSeconds } from './app-tokens';
import { createDeliverer, type PendingRetry } from './delivery';
import { ForgeControlError } from './errors';
import { createGraphqlHandler } from './graphql';
import {
  type AppIdentity,
  appClaim,
  invocationTokenLifeSeconds,
  registeredClaims,
  siteAri,
} from './invocation-token';
import { defaultManifestPath, type EndpointModule, loadForgeManifest } from './manifest';
import { forgeMessages } from './messages';
import { callRemote } from './remote-call';
import { createForgeRoutes } from './routes';
import { type Scheduler, timerScheduler } from './scheduler';
import { createSigner } from './signing';
import type { DeliveryRecord, DeliveryResult, Installation } from './types';

export type { PendingRetry } from './delivery';
export { ForgeControlError } from './errors';
export { createManualScheduler, type ManualScheduler, type Scheduler } from './scheduler';
export type { DeliveryKind, DeliveryRecord, DeliveryResult, Installation, RetryReason } from './types';

export interface ForgePlatformOptions {
  /** Default: app.id read from manifest.yml. */
  appId?: string;
  /** Default: the repo root manifest.yml. */
  manifestPath?: string;
  /** Default 300_000 (the manifest's `fiveMinute`). */
  credentialPushIntervalMs?: number;
  /** Default 60_000, Forge's fixed redelivery delay for remotes. */
  eventRetryDelayMs?: number;
  /** Default 5_000, Forge's limit for remote event and trigger deliveries. */
  deliveryTimeoutMs?: number;
  /** Default and maximum 4 * 3600. */
  systemTokenTtlSeconds?: number;
  /** Runs pushes, redeliveries and time limits. Default: real timers; tests pass a manual scheduler. */
  scheduler?: Scheduler;
}

export interface InvokeUiRequest {
  cloudId: string;
  moduleKey: string;
  path: string;
  method?: string;
  body?: unknown;
  accountId: string;
  issue?: { id: string; key: string; type?: string; typeId?: string };
  project?: { id: string; key: string; type?: string };
}

export interface ForgeDescription {
  appId: string;
  environmentId: string;
  jwksUrl: string;
  credentialPushIntervalMs: number;
  installations: Array<Installation & { lastPush: DeliveryRecord | null; nextPushAt: number | null }>;
  pendingRetries: PendingRetry[];
  recentDeliveries: DeliveryRecord[];
}

export interface ForgeControls {
  appId: string;
  /** `${ctx.url()}/.well-known/jwks.json` */
  jwksUrl(): string;
  /**
   * Installs the app on a site whose remote `backend` answers at backendUrl (replaces the manifest baseUrl).
   * Fires avi:forge:installed:app to the lifecycle endpoint, then schedules credential pushes every interval.
   * Returns once the install call has been delivered (or failed). Installing again re-uses the installation.
   */
  install(a: { cloudId: string; backendUrl: string; installerAccountId?: string }): Promise<Installation>;
  /** Fires the preUninstall endpoint, stops pushes, retries and events, and revokes the app's tokens there. */
  uninstall(cloudId: string): Promise<void>;
  /** One scheduled-trigger delivery now. */
  pushCredentialsNow(cloudId: string): Promise<DeliveryResult>;
  /** Makes every pending event redelivery now instead of at its due time; returns their results. */
  deliverPending(): Promise<DeliveryResult[]>;
  /** Resolves once no delivery is in flight: Jira events, scheduled pushes and the redeliveries they cause. */
  settled(): Promise<void>;
  /** A UI Kit module calling `invokeRemote` from @forge/bridge through its resolver endpoint. */
  invokeUi(a: InvokeUiRequest): Promise<{ status: number; body: unknown }>;
  /** Signs a FIT; `claims` override iss/aud/iat/nbf/exp/jti (tests forge bad tokens with it). */
  signInvocationToken(
    claims: Record<string, unknown>,
    options?: { expiresInSeconds?: number; header?: { kid?: string } },
  ): Promise<string>;
  installations(): Installation[];
  /** Every delivery attempt, oldest first. */
  deliveries(): DeliveryRecord[];
  describe(): ForgeDescription;
}

/** Forge's time limit for UI invocations of a remote. */
const uiInvocationTimeoutMs = 25_000;
const installedEvent = 'avi:forge:installed:app';

export function createForgePlatform(
  ctx: ForgePlatformContext,
  options: ForgePlatformOptions = {},
): ForgePlatform & ForgeControls {
  const manifest = loadForgeManifest(options.manifestPath ?? defaultManifestPath);
  const pushIntervalMs = options.credentialPushIntervalMs ?? 300_000;
  const scheduler = options.scheduler ?? timerScheduler;
  const systemTokenTtlSeconds = options.systemTokenTtlSeconds ?? maxSystemTokenTtlSeconds;
  if (systemTokenTtlSeconds > maxSystemTokenTtlSeconds)
    throw new RangeError(forgeMessages.systemTokenTooLong);
  const identity: AppIdentity = {
    appId: options.appId ?? manifest.appId,
    appVersion: '1.0.0',
    environmentId: `ari:cloud:ecosystem::environment/${randomUUID()}`,
  };
  const { appId } = identity;

  const signer = createSigner();
  const appTokens = createAppTokens({
    ctx,
    signer,
    appId,
    scopes: manifest.scopes,
    impersonationScopes: manifest.impersonationScopes,
    systemTokenTtlSeconds,
  });
  const installationsByCloud = new Map<string, Installation>();
  const pushTimers = new Map<string, { cancel: () => void; nextPushAt: number }>();
  let uiAbort = new AbortController();

  const signInvocationToken: ForgeControls['signInvocationToken'] = (claims, signOptions) =>
    signer.sign(
      {
        ...registeredClaims(appId, ctx.now(), signOptions?.expiresInSeconds ?? invocationTokenLifeSeconds),
        ...claims,
      },
      signOptions?.header,
    );

  const deliverer = createDeliverer({
    now: () => ctx.now(),
    retryDelayMs: options.eventRetryDelayMs ?? 60_000,
    timeoutMs: options.deliveryTimeoutMs ?? 5_000,
    scheduler,
    invocationToken: (installation, endpointKey) =>
      signInvocationToken({
        app: appClaim(identity, installation, { type: 'core:endpoint', key: endpointKey }),
      }),
    systemToken: (cloudId) => appTokens.systemToken(cloudId),
    isInstalled: (installationId) =>
      [...installationsByCloud.values()].some(
        (installation) => installation.installationId === installationId,
      ),
  });

  function installationOn(cloudId: string): Installation {
    const installation = installationsByCloud.get(cloudId);
    if (!installation) throw new ForgeControlError(forgeMessages.notInstalled(cloudId), 404);
    return installation;
  }

  /** The body Forge sends to scheduled triggers and preUninstall. */
  const contextBody = (cloudId: string, module: EndpointModule) => ({
    context: { cloudId, moduleKey: module.key },
  });

  function pushCredentials(installation: Installation): Promise<DeliveryResult>[] {
    return manifest.scheduledTriggers.map((module) =>
      deliverer.deliver({
        kind: 'scheduled',
        installation,
        moduleKey: module.key,
        endpoint: module.endpoint,
        eventType: null,
        body: contextBody(installation.cloudId, module),
        retry: false, // Forge does not retry scheduled triggers.
      }),
    );
  }

  /** Schedules the next push; each push schedules the one after it. */
  function schedulePushes(installation: Installation) {
    const cancel = scheduler.after(pushIntervalMs, () => {
      schedulePushes(installation);
      pushCredentials(installation);
    });
    pushTimers.set(installation.cloudId, { cancel, nextPushAt: ctx.now() + pushIntervalMs });
  }

  function stopPushes(cloudId?: string) {
    for (const [key, { cancel }] of pushTimers) {
      if (cloudId !== undefined && key !== cloudId) continue;
      cancel();
      pushTimers.delete(key);
    }
  }

  const controls: ForgeControls = {
    appId,
    jwksUrl: () => `${ctx.url()}/.well-known/jwks.json`,

    async install({ cloudId, backendUrl, installerAccountId }) {
      if (!ctx.sites().some((site) => site.cloudId === cloudId)) {
        throw new ForgeControlError(forgeMessages.unknownSite(cloudId), 404);
      }
      const remoteUrl = backendUrl.replace(/\/+$/, '');
      const existing = installationsByCloud.get(cloudId);
      if (existing) {
        // Re-installing keeps the installation; only where the remote answers may have moved.
        existing.backendUrl = remoteUrl;
        return { ...existing };
      }
      const installation: Installation = {
        installationId: `ari:cloud:ecosystem::installation/${randomUUID()}`,
        cloudId,
        backendUrl: remoteUrl,
        apiBaseUrl: `${ctx.url()}/ex/jira/${cloudId}`,
        installerAccountId,
        installedAt: ctx.now(),
      };
      installationsByCloud.set(cloudId, installation);
      const lifecycleTriggers = manifest.triggers.filter((trigger) =>
        trigger.events.includes(installedEvent),
      );
      await Promise.all(
        lifecycleTriggers.map((trigger) =>
          deliverer.deliver({
            kind: 'lifecycle',
            installation,
            moduleKey: trigger.key,
            endpoint: trigger.endpoint,
            eventType: installedEvent,
            body: {
              eventType: installedEvent,
              id: installation.installationId,
              ...(installerAccountId ? { installerAccountId } : {}),
              app: { id: appId, version: identity.appVersion },
              environment: { id: identity.environmentId },
              context: siteAri(cloudId),
            },
            retry: true,
          }),
        ),
      );
      // An uninstall may have happened while the lifecycle call was in flight.
      if (installationsByCloud.get(cloudId) === installation) schedulePushes(installation);
      return { ...installation };
    },

    async uninstall(cloudId) {
      const installation = installationOn(cloudId);
      installationsByCloud.delete(cloudId);
      stopPushes(cloudId);
      deliverer.cancel(installation.installationId);
      // preUninstall is fire-once: Forge ignores its errors.
      await Promise.all(
        manifest.preUninstall.map((module) =>
          deliverer.deliver({
            kind: 'preUninstall',
            installation,
            moduleKey: module.key,
            endpoint: module.endpoint,
            eventType: null,
            body: contextBody(cloudId, module),
            retry: false,
          }),
        ),
      );
      appTokens.revokeSite(cloudId);
    },

    async pushCredentialsNow(cloudId) {
      const [first, ...others] = pushCredentials(installationOn(cloudId));
      if (!first) throw new ForgeControlError(forgeMessages.noScheduledTrigger, 400);
      await Promise.all(others);
      return first;
    },

    deliverPending: () => deliverer.deliverPending(),
    settled: () => deliverer.settled(),

    async invokeUi(request) {
      const installation = installationOn(request.cloudId);
      const module = manifest.uiModules.find((candidate) => candidate.key === request.moduleKey);
      if (!module) throw new ForgeControlError(forgeMessages.notAUiModule(request.moduleKey), 404);
      const site = ctx.sites().find((candidate) => candidate.cloudId === request.cloudId);
      const invocationToken = await signInvocationToken({
        app: appClaim(identity, installation, { type: module.type, key: module.key }),
        context: {
          cloudId: request.cloudId,
          siteUrl: site?.url,
          environmentId: identity.environmentId,
          environmentType: 'DEVELOPMENT',
          moduleKey: module.key,
          localId: `ari:cloud:ecosystem::extension/${appId.split('/').pop()}/${identity.environmentId.split('/').pop()}/static/${module.key}`,
          extension: {
            type: module.type,
            ...(request.issue ? { issue: request.issue } : {}),
            ...(request.project ? { project: request.project } : {}),
          },
        },
        principal: request.accountId,
      });
      const answer = await callRemote({
        url: installation.backendUrl + (request.path.startsWith('/') ? request.path : `/${request.path}`),
        method: (request.method ?? 'POST').toUpperCase(),
        invocationToken,
        systemToken: module.endpoint.appSystemToken
          ? await appTokens.systemToken(request.cloudId)
          : undefined,
        body: request.body,
        timeoutMs: uiInvocationTimeoutMs,
        scheduler,
        signal: uiAbort.signal,
      });
      if (!answer.reached) throw new Error(forgeMessages.uiRemoteFailed(answer.failureReason));
      return { status: answer.status, body: answer.body };
    },

    signInvocationToken,
    installations: () => [...installationsByCloud.values()].map((installation) => ({ ...installation })),
    deliveries: () => deliverer.records(),

    describe() {
      const records = deliverer.records();
      return {
        appId,
        environmentId: identity.environmentId,
        jwksUrl: controls.jwksUrl(),
        credentialPushIntervalMs: pushIntervalMs,
        installations: controls.installations().map((installation) => ({
          ...installation,
          lastPush:
            records.findLast(
              (record) =>
                record.kind === 'scheduled' && record.installationId === installation.installationId,
            ) ?? null,
          nextPushAt: pushTimers.get(installation.cloudId)?.nextPushAt ?? null,
        })),
        pendingRetries: deliverer.pendingRetries(),
        recentDeliveries: records.slice(-50),
      };
    },
  };

  function onJiraChange(change: JiraChange) {
    const installation = installationsByCloud.get(change.cloudId);
    if (!installation) return;
    for (const trigger of manifest.triggers) {
      if (!trigger.events.includes(change.eventType)) continue;
      if (change.byApp && trigger.ignoreSelf) continue;
      void deliverer.deliver({
        kind: 'event',
        installation,
        moduleKey: trigger.key,
        endpoint: trigger.endpoint,
        eventType: change.eventType,
        body: {
          eventType: change.eventType,
          selfGenerated: change.byApp,
          issue: change.issue,
          atlassianId: change.actorAccountId,
          timestamp: change.timestamp,
          ...(change.comment ? { comment: change.comment } : {}),
          ...(change.changelog ? { changelog: change.changelog } : {}),
          context: siteAri(change.cloudId),
        },
        retry: true,
      });
    }
  }

  function abortUiCalls() {
    uiAbort.abort();
    uiAbort = new AbortController();
  }

  return {
    ...controls,
    routes: createForgeRoutes({
      controls,
      jwks: () => signer.jwks(),
      graphql: createGraphqlHandler(ctx, appTokens),
    }),
    onJiraChange,
    async close() {
      stopPushes();
      abortUiCalls();
      await deliverer.stop();
    },
    reset() {
      stopPushes();
      abortUiCalls();
      void deliverer.stop();
      deliverer.clearRecords();
      installationsByCloud.clear();
      appTokens.revokeAll();
    },
  };
}
