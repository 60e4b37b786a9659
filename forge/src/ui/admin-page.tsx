/** @jsxImportSource react */
// Entry of the `jira:adminPage` UI Kit resource (manifest key `admin-page`).
import { invokeRemote } from '@forge/bridge';
import ForgeReconciler from '@forge/react';
import { createSyncBackendClient } from './backend-client';
import { SyncAdminPage } from './admin-page-view';

ForgeReconciler.render(<SyncAdminPage client={createSyncBackendClient(invokeRemote)} />);
