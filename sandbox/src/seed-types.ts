/**
 * The seed format (sandbox/seed/default.json is one). References between records use ids or keys:
 * sites by cloudId or name, users by accountId, projects by key, issue types/statuses/priorities by id.
 */
import type { Adf } from './adf';

export type ProjectPermission =
  | 'BROWSE_PROJECTS'
  | 'CREATE_ISSUES'
  | 'EDIT_ISSUES'
  | 'TRANSITION_ISSUES'
  | 'DELETE_ISSUES'
  | 'ADD_COMMENTS';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface SeedSite {
  cloudId: string;
  /** Short name, e.g. `acme`; also what accessible-resources shows. */
  name: string;
  url: string;
  avatarUrl?: string;
}

export interface SeedUser {
  accountId: string;
  displayName: string;
  email?: string;
  /** `app` for a Forge app's bot user. Default `atlassian`. */
  accountType?: 'atlassian' | 'app';
  /** Sites (cloudId or name) the user can use. */
  sites: string[];
  /** False: the Forge app may not impersonate this user. Default true. */
  appAccess?: boolean;
  /** Sites (cloudId or name) where the user holds the global "Administer Jira" permission. */
  administers?: string[];
  timeZone?: string;
  locale?: string;
  /** Per project key, the permissions the user has. Projects not listed: every permission. */
  projectPermissions?: Record<string, ProjectPermission[]>;
  /** Jira groups; `site-admins` or `jira-administrators` grant the global ADMINISTER permission. */
  groups?: string[];
}

export interface SeedIssueType {
  id: string;
  name: string;
  description?: string;
  subtask?: boolean;
  hierarchyLevel?: number;
}

export interface SeedStatus {
  id: string;
  name: string;
  description?: string;
  category: StatusCategoryKey;
}

export interface SeedPriority {
  id: string;
  name: string;
  description?: string;
  statusColor: string;
  isDefault?: boolean;
}

export interface SeedCustomFieldOption {
  id: string;
  value: string;
}

export interface SeedCustomField {
  id: string;
  name: string;
  /** `select`/`radio` hold one option; `text`/`textarea` a string; `date` yyyy-MM-dd. */
  type: 'select' | 'radio' | 'text' | 'textarea' | 'date';
  options?: SeedCustomFieldOption[];
}

export interface SeedTransition {
  id: string;
  name: string;
  /** Target status id. */
  to: string;
  /** Status ids it starts from; absent = a global transition (from any status but its target). */
  from?: string[];
}

export interface SeedWorkflow {
  /** The first status is where new issues start. */
  statuses: string[];
  transitions: SeedTransition[];
}

export interface SeedRequestTypeField {
  /** A Jira field id: `summary`, `description`, `duedate` or a custom field id. */
  fieldId: string;
  /** The label the portal shows (defaults to the field's name). */
  label?: string;
  description?: string;
  required: boolean;
}

export interface SeedRequestType {
  id: string;
  name: string;
  description: string;
  helpText?: string;
  issueTypeId: string;
  fields: SeedRequestTypeField[];
}

export interface SeedServiceDesk {
  id: string;
  requestTypes: SeedRequestType[];
}

export interface SeedProject {
  id: string;
  key: string;
  name: string;
  site: string;
  projectTypeKey: 'software' | 'service_desk' | 'business';
  leadAccountId: string;
  description?: string;
  issueTypeIds: string[];
  workflow: SeedWorkflow;
  serviceDesk?: SeedServiceDesk;
  components?: Array<{ id: string; name: string; description?: string; leadAccountId?: string }>;
  versions?: Array<{
    id: string;
    name: string;
    description?: string;
    released?: boolean;
    releaseDate?: string;
  }>;
}

export interface SeedComment {
  author: string;
  /** Plain text (one paragraph per line) or an ADF document. */
  body: string | Adf;
  created: string;
  /** JSM: false makes it an internal comment. Default true. */
  public?: boolean;
}

export interface SeedAttachment {
  id: string;
  filename: string;
  mimeType: string;
  /** Bytes; the content is generated on demand, never stored. */
  size: number;
  author: string;
  created: string;
}

export interface SeedIssue {
  id: string;
  key: string;
  issueTypeId: string;
  summary: string;
  description?: string | Adf;
  statusId: string;
  priorityId: string;
  assignee?: string;
  reporter: string;
  labels?: string[];
  duedate?: string;
  created: string;
  updated: string;
  /** Custom field values, stored as Jira returns them (options as `{id, value}`). */
  customFields?: Record<string, unknown>;
  requestTypeId?: string;
  comments?: SeedComment[];
  properties?: Record<string, unknown>;
  attachments?: SeedAttachment[];
  /** Account ids watching the issue (the reporter always watches). */
  watchers?: string[];
  componentIds?: string[];
  fixVersionIds?: string[];
  /** Issue keys this issue `blocks` (link type Blocks, this issue outward). */
  blocks?: string[];
  /** JSM: an approval waiting for these approvers. */
  approvers?: string[];
  /** JSM: request participants. */
  participants?: string[];
}

export interface SeedOAuthClient {
  clientId: string;
  clientSecret: string;
  callbackUrls: string[];
  name?: string;
  distribution?: 'managed' | 'custom';
}

export interface SandboxSeed {
  sites: SeedSite[];
  users: SeedUser[];
  issueTypes: SeedIssueType[];
  statuses: SeedStatus[];
  priorities: SeedPriority[];
  customFields: SeedCustomField[];
  projects: SeedProject[];
  issues: SeedIssue[];
  oauthClients?: SeedOAuthClient[];
  /** JSM customer organizations, with the service desks they belong to. */
  organizations?: Array<{ id: string; name: string; members: string[]; serviceDeskIds: string[] }>;
}
