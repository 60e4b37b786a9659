/** Public shapes of the sandbox's Forge platform (installations and trigger deliveries). */

/** One app installation on one site. A reinstall after an uninstall gets a new installationId. */
export interface Installation {
  installationId: string;
  cloudId: string;
  /** Where the remote `backend` answers for this installation (replaces the manifest baseUrl). */
  backendUrl: string;
  /** `app.apiBaseUrl` of the invocation tokens: `${sandboxUrl}/ex/jira/${cloudId}`. */
  apiBaseUrl: string;
  installerAccountId?: string;
  installedAt: number;
}

/** Why Forge redelivers an event to a remote (sent as `retryContext.retryReason`). */
export type RetryReason =
  | 'INVALID_REMOTE_INVOCATION_ERROR'
  | 'TIMEOUT_ERROR'
  | 'INVALID_FORGE_INVOCATION_TOKEN';

/** What kind of module a delivery serves. */
export type DeliveryKind = 'lifecycle' | 'event' | 'scheduled' | 'preUninstall';

/** Outcome of one HTTP attempt against the remote. */
export interface DeliveryResult {
  ok: boolean;
  /** HTTP status, or null when the remote timed out or could not be reached. */
  status: number | null;
  failureReason?: RetryReason;
}

/** One delivery attempt, as shown on the sandbox admin page and asserted in tests. */
export interface DeliveryRecord extends DeliveryResult {
  /** Shared by the first attempt and its retries. */
  deliveryId: string;
  kind: DeliveryKind;
  cloudId: string;
  installationId: string;
  /** The trigger, scheduled trigger or preUninstall module key. */
  moduleKey: string;
  endpointKey: string;
  path: string;
  /** `avi:*` event type for triggers; null for scheduled triggers and preUninstall. */
  eventType: string | null;
  /** 1 for the first attempt, 2..5 for the retries. */
  attempt: number;
  at: number;
  /** How long the remote took to answer (or to fail), as Forge's timer sees it. */
  durationMs: number;
}
