/** @jsxImportSource react */
// Entry of the `jira:adminPage` UI Kit resource (manifest key `admin-page`).
import { invokeRemote } from '@forge/bridge';
import ForgeReconciler from '@forge/react';
import { SyncAdminPage } from './admin-page-view';
import { createSyncBackendClient } from './backend-client';

ForgeReconciler.render(<SyncAdminPage client={createSyncBackendClient(invokeRemote)} />);
