/** @jsxImportSource react */
// Entry of the `jira:issuePanel` UI Kit resource (manifest key `issue-panel`).
import { invokeRemote } from '@forge/bridge';
import ForgeReconciler from '@forge/react';
import { createSyncBackendClient } from './backend-client';
import { IssueSyncPanel } from './issue-panel-view';

ForgeReconciler.render(<IssueSyncPanel client={createSyncBackendClient(invokeRemote)} />);
