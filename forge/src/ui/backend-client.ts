/**
 * Calls the backend's `/forge/ui/*` routes through Forge Remote and turns every outcome into a value the UI
 * can show: a parsed answer, or a message. Nothing here throws, so a backend failure never crashes a panel.
 */
import {
  type AdminOverview,
  adminOverviewSchema,
  FORGE_UI_PATHS,
  forgeUiErrorBodySchema,
  type IssueSyncStatus,
  issueSyncStatusSchema,
  type SiteWorkspace,
  siteWorkspaceSchema,
  type WorkspaceDecision,
} from '@jira-integration/shared/forge-ui';
import type { z } from 'zod';
import { backendCallMessages } from './messages';

/** The part of `@forge/bridge` `invokeRemote` this client uses (injected so tests can pass a fake). */
export type InvokeRemote = (input: {
  path: string;
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
}) => Promise<{ status?: unknown; body?: unknown }>;

export type BackendResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface SyncBackendClient {
  fetchIssueStatus(): Promise<BackendResult<IssueSyncStatus>>;
  retryIssueSync(): Promise<BackendResult<IssueSyncStatus>>;
  fetchAdminOverview(): Promise<BackendResult<AdminOverview>>;
  /** A Jira admin approves or revokes a workspace's use of the app on this site. */
  decideWorkspace(decision: WorkspaceDecision): Promise<BackendResult<SiteWorkspace>>;
}

export function createSyncBackendClient(invokeRemote: InvokeRemote): SyncBackendClient {
  async function call<T>(
    path: string,
    method: 'GET' | 'POST',
    schema: z.ZodType<T>,
    body?: Record<string, unknown>,
  ): Promise<BackendResult<T>> {
    let response: { status?: unknown; body?: unknown };
    try {
      // The backend reads the issue, site and user from the signed invocation token: a body says only what to do.
      response = await invokeRemote(body ? { path, method, body } : { path, method });
    } catch {
      return { ok: false, message: backendCallMessages.unreachable };
    }
    return interpretResponse(response, schema);
  }

  return {
    fetchIssueStatus: () => call(FORGE_UI_PATHS.issueStatus, 'GET', issueSyncStatusSchema),
    retryIssueSync: () => call(FORGE_UI_PATHS.retryIssueSync, 'POST', issueSyncStatusSchema),
    fetchAdminOverview: () => call(FORGE_UI_PATHS.adminOverview, 'GET', adminOverviewSchema),
    decideWorkspace: (decision) =>
      call(FORGE_UI_PATHS.workspaceDecision, 'POST', siteWorkspaceSchema, { ...decision }),
  };
}

function interpretResponse<T>(
  response: { status?: unknown; body?: unknown },
  schema: z.ZodType<T>,
): BackendResult<T> {
  // The bridge answers failed invocations with an error object that has no HTTP status.
  if (typeof response?.status !== 'number') return { ok: false, message: backendCallMessages.unreachable };
  if (response.status >= 200 && response.status < 300) {
    const parsed = schema.safeParse(response.body);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, message: backendCallMessages.unexpectedAnswer };
  }
  const errorBody = forgeUiErrorBodySchema.safeParse(response.body);
  return {
    ok: false,
    message: errorBody.success
      ? errorBody.data.error.message
      : backendCallMessages.httpStatus(response.status),
  };
}
