/** Jira REST v3 representations of the sandbox's records, with `self` URLs on the site's host. */
import type {
  AttachmentRecord,
  CommentRecord,
  CustomFieldRecord,
  IssueTypeRecord,
  PriorityRecord,
  ProjectRecord,
  SandboxState,
  SiteRecord,
  StatusRecord,
  UserRecord,
} from '../state';

/** Jira's timestamp format: `2026-11-02T09:15:00.000+0000`. */
export function jiraDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function avatarUrls(base: string): Record<'16x16' | '24x24' | '32x32' | '48x48', string> {
  return {
    '16x16': `${base}?size=16`,
    '24x24': `${base}?size=24`,
    '32x32': `${base}?size=32`,
    '48x48': `${base}?size=48`,
  };
}

function userAvatar(user: UserRecord): string {
  const initials = user.displayName
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/${initials || 'U'}-0.png`;
}

/** The `User` schema (also fits `UserDetails`). */
export function renderUser(site: SiteRecord, user: UserRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    accountType: user.accountType,
    ...(user.email && user.accountType !== 'app' ? { emailAddress: user.email } : {}),
    avatarUrls: avatarUrls(userAvatar(user)),
    displayName: user.displayName,
    active: true,
    timeZone: user.timeZone,
    locale: user.locale,
  };
}

/** `UserDetails` has no `locale`. */
export function renderUserDetails(site: SiteRecord, user: UserRecord) {
  const { locale: _locale, ...details } = renderUser(site, user);
  return details;
}

const CATEGORIES = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
} as const;

export function renderStatusCategory(site: SiteRecord, key: StatusRecord['category']) {
  const category = CATEGORIES[key];
  return { self: `${site.apiUrl}/rest/api/3/statuscategory/${category.id}`, ...category };
}

export function renderStatus(site: SiteRecord, status: StatusRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/status/${status.id}`,
    description: status.description,
    iconUrl: `${site.url}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: renderStatusCategory(site, status.category),
  };
}

export function renderPriority(site: SiteRecord, priority: PriorityRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/priority/${priority.id}`,
    statusColor: priority.statusColor,
    description: priority.description,
    iconUrl: `${site.url}/images/icons/priorities/${priority.name.toLowerCase()}.svg`,
    name: priority.name,
    id: priority.id,
    isDefault: priority.isDefault,
  };
}

/** Short form used inside issue fields. */
export function renderPriorityRef(site: SiteRecord, priority: PriorityRecord) {
  const { self, iconUrl, name, id } = renderPriority(site, priority);
  return { self, iconUrl, name, id };
}

export function renderIssueType(site: SiteRecord, type: IssueTypeRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/issuetype/${type.id}`,
    id: type.id,
    description: type.description,
    iconUrl: `${site.apiUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${type.id}?size=medium`,
    name: type.name,
    subtask: type.subtask,
    avatarId: Number(type.id),
    hierarchyLevel: type.hierarchyLevel,
  };
}

export function projectAvatarUrls(site: SiteRecord, project: ProjectRecord) {
  return avatarUrls(`${site.apiUrl}/rest/api/3/universal_avatar/view/type/project/avatar/${project.id}`);
}

/** Short form used inside issue fields. */
export function renderProjectRef(site: SiteRecord, project: ProjectRecord) {
  return {
    self: `${site.apiUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: project.projectTypeKey,
    simplified: false,
    avatarUrls: projectAvatarUrls(site, project),
  };
}

export function renderProject(
  state: SandboxState,
  site: SiteRecord,
  project: ProjectRecord,
  expand: ReadonlySet<string>,
) {
  const lead = state.users.get(project.leadAccountId);
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    ...renderProjectRef(site, project),
    style: 'classic' as const,
    isPrivate: false,
    properties: {},
    ...(expand.has('description') ? { description: project.description } : {}),
    ...(expand.has('lead') && lead ? { lead: renderUser(site, lead) } : {}),
    ...(expand.has('issueTypes')
      ? {
          issueTypes: project.issueTypeIds.flatMap((id) => {
            const type = state.issueTypes.get(id);
            return type ? [renderIssueType(site, type)] : [];
          }),
        }
      : {}),
    ...(expand.has('url') ? { url: `${site.url}/browse/${project.key}` } : {}),
  };
}

export function renderComment(state: SandboxState, site: SiteRecord, comment: CommentRecord) {
  const issue = state.issues.get(comment.issueId);
  const author = state.users.get(comment.authorId);
  const authorJson = author ? renderUserDetails(site, author) : undefined;
  return {
    self: `${site.apiUrl}/rest/api/3/issue/${issue?.id ?? comment.issueId}/comment/${comment.id}`,
    id: comment.id,
    ...(authorJson ? { author: authorJson, updateAuthor: authorJson } : {}),
    body: comment.body,
    created: jiraDateTime(comment.created),
    updated: jiraDateTime(comment.updated),
    jsdPublic: comment.jsdPublic,
  };
}

export function renderAttachment(state: SandboxState, site: SiteRecord, attachment: AttachmentRecord) {
  const author = state.users.get(attachment.authorId);
  return {
    self: `${site.apiUrl}/rest/api/3/attachment/${attachment.id}`,
    id: attachment.id,
    filename: attachment.filename,
    ...(author ? { author: renderUserDetails(site, author) } : {}),
    created: jiraDateTime(attachment.created),
    size: attachment.size,
    mimeType: attachment.mimeType,
    content: `${site.apiUrl}/rest/api/3/attachment/content/${attachment.id}`,
  };
}

/** A custom field's value as Jira shows it: options gain their `self`. */
export function renderCustomFieldValue(site: SiteRecord, field: CustomFieldRecord, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if ((field.type === 'select' || field.type === 'radio') && typeof value === 'object') {
    const option = value as { id: string; value: string };
    return {
      self: `${site.apiUrl}/rest/api/3/customFieldOption/${option.id}`,
      value: option.value,
      id: option.id,
    };
  }
  return value;
}
