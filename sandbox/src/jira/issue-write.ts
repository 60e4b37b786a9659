/**
 * Changes to issues made through the API (create, edit, transition, comment, delete), with Jira's field
 * validation, a changelog for updates, and a notification to the Forge part after each change.
 */
import { type Adf, adfProblem, adfToText, isAdfEmpty } from '../adf';
import type { ApiActor, ApiServices } from '../api/context';
import { isRecord } from '../api/context';
import type { JiraChange } from '../contracts';
import type { CommentRecord, IssueRecord, ProjectRecord, SandboxState } from '../state';
import { projectCustomFields, renderIssueFields } from './fields';
import { JIRA_MESSAGES } from './messages';
import { renderComment } from './render';

export type FieldErrors = Record<string, string>;

/** Fields the API may set; everything else is "not on the appropriate screen". */
const SETTABLE = new Set([
  'summary',
  'description',
  'priority',
  'assignee',
  'reporter',
  'labels',
  'duedate',
  'issuetype',
  'components',
  'fixVersions',
  'versions',
  'environment',
  'parent',
]);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function refId(value: unknown): { id?: string; name?: string; accountId?: string | null } | null {
  return isRecord(value) ? (value as { id?: string; name?: string; accountId?: string | null }) : null;
}

/**
 * Applies `fields` to `issue` (mutating it) and returns Jira's per-field errors; on errors the caller must
 * discard the issue copy. `update` operations are folded into `fields` beforehand by `foldUpdate`.
 */
export function applyFields(
  state: SandboxState,
  project: ProjectRecord,
  issue: IssueRecord,
  fields: Record<string, unknown>,
): FieldErrors {
  const errors: FieldErrors = {};
  const customFields = new Map(projectCustomFields(state, project).map((f) => [f.id, f]));
  for (const [fieldId, value] of Object.entries(fields)) {
    if (fieldId === 'project') continue;
    const custom = customFields.get(fieldId);
    if (!SETTABLE.has(fieldId) && !custom) {
      errors[fieldId] = JIRA_MESSAGES.fieldNotSettable(fieldId);
      continue;
    }
    if (custom) {
      if (value === null) {
        delete issue.customFields[fieldId];
      } else if (custom.type === 'select' || custom.type === 'radio') {
        const ref = refId(value);
        const option = custom.options?.find((o) =>
          ref?.id !== undefined ? o.id === String(ref.id) : o.value === (ref as { value?: unknown })?.value,
        );
        if (!option) {
          errors[fieldId] =
            ref?.id !== undefined
              ? JIRA_MESSAGES.invalidOptionId(String(ref.id))
              : JIRA_MESSAGES.invalidOptionValue(String((ref as { value?: unknown })?.value));
        } else issue.customFields[fieldId] = { id: option.id, value: option.value };
      } else if (custom.type === 'date') {
        if (typeof value !== 'string' || !DATE.test(value))
          errors[fieldId] = JIRA_MESSAGES.invalidDate(String(value));
        else issue.customFields[fieldId] = value;
      } else if (typeof value !== 'string') {
        errors[fieldId] = JIRA_MESSAGES.invalidValue(custom.name);
      } else issue.customFields[fieldId] = value;
      continue;
    }
    switch (fieldId) {
      case 'summary':
        if (typeof value !== 'string' || value.trim().length === 0)
          errors.summary = JIRA_MESSAGES.summaryRequired;
        else if (value.length > 255) errors.summary = JIRA_MESSAGES.summaryTooLong;
        else issue.summary = value;
        break;
      case 'description':
        if (value === null) issue.description = null;
        else if (adfProblem(value) !== null) errors.description = JIRA_MESSAGES.notAdf;
        else issue.description = value as Adf;
        break;
      case 'priority': {
        const ref = refId(value);
        const priority = [...state.priorities.values()].find((p) =>
          ref?.id !== undefined ? p.id === String(ref.id) : p.name === ref?.name,
        );
        if (!priority) errors.priority = JIRA_MESSAGES.invalidValue('priority');
        else issue.priorityId = priority.id;
        break;
      }
      case 'assignee':
      case 'reporter': {
        const ref = refId(value);
        if (fieldId === 'assignee' && (value === null || ref?.accountId === null)) {
          issue.assigneeId = null;
          break;
        }
        const accountId = ref?.accountId;
        const user = typeof accountId === 'string' ? state.users.get(accountId) : undefined;
        if (!user?.siteIds.includes(project.cloudId)) errors[fieldId] = JIRA_MESSAGES.invalidValue(fieldId);
        else if (fieldId === 'assignee') issue.assigneeId = user.accountId;
        else issue.reporterId = user.accountId;
        break;
      }
      case 'labels': {
        if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) {
          errors.labels = JIRA_MESSAGES.invalidValue('labels');
          break;
        }
        const spaced = (value as string[]).find((l) => /\s/.test(l));
        if (spaced !== undefined) errors.labels = JIRA_MESSAGES.labelWithSpace(spaced);
        else issue.labels = [...new Set(value as string[])];
        break;
      }
      case 'duedate':
        if (value === null) issue.duedate = null;
        else if (typeof value !== 'string' || !DATE.test(value))
          errors.duedate = JIRA_MESSAGES.invalidDate(String(value));
        else issue.duedate = value;
        break;
      case 'environment':
        if (value === null) issue.environment = null;
        else if (adfProblem(value) !== null) errors.environment = JIRA_MESSAGES.notAdf;
        else issue.environment = value as Adf;
        break;
      case 'components':
      case 'fixVersions':
      case 'versions': {
        const pool =
          fieldId === 'components'
            ? [...state.components.values()].filter((c) => c.projectId === project.id)
            : [...state.versions.values()].filter((v) => v.projectId === project.id);
        const refs = Array.isArray(value) ? value.map(refId) : null;
        const ids = refs?.map(
          (r) =>
            pool.find((item) => (r?.id !== undefined ? item.id === String(r.id) : item.name === r?.name))?.id,
        );
        if (!ids || ids.some((id) => id === undefined)) {
          errors[fieldId] = JIRA_MESSAGES.invalidReference(fieldId);
          break;
        }
        const unique = [...new Set(ids as string[])];
        if (fieldId === 'components') issue.componentIds = unique;
        else if (fieldId === 'fixVersions') issue.fixVersionIds = unique;
        else issue.versionIds = unique;
        break;
      }
      case 'parent': {
        const ref = refId(value) as { id?: string; key?: string } | null;
        const parentId = ref
          ? (state.issueKeys.get(String(ref.key ?? '').toUpperCase()) ?? ref.id)
          : undefined;
        const parent = parentId ? state.issues.get(String(parentId)) : undefined;
        if (value === null) issue.parentId = null;
        else if (!parent || parent.projectId !== project.id || parent.id === issue.id)
          errors.parent = JIRA_MESSAGES.invalidParent;
        else issue.parentId = parent.id;
        break;
      }
      case 'issuetype': {
        const ref = refId(value);
        const typeId = project.issueTypeIds.find((id) =>
          ref?.id !== undefined ? id === String(ref.id) : state.issueTypes.get(id)?.name === ref?.name,
        );
        if (!typeId) errors.issuetype = JIRA_MESSAGES.issueTypeNotFound;
        else issue.issueTypeId = typeId;
        break;
      }
    }
  }
  return errors;
}

/** Folds Jira's `update` verbs into plain field values; `comment` adds are returned apart. */
export function foldUpdate(
  currentLabels: readonly string[],
  fields: Record<string, unknown>,
  update: unknown,
  currentRefs: Record<string, Array<{ id: string }>> = {},
): { fields: Record<string, unknown>; comments: unknown[]; errors: FieldErrors } {
  const merged = { ...fields };
  const comments: unknown[] = [];
  const errors: FieldErrors = {};
  if (!isRecord(update)) return { fields: merged, comments, errors };
  for (const [fieldId, operations] of Object.entries(update)) {
    if (!Array.isArray(operations)) {
      errors[fieldId] = JIRA_MESSAGES.invalidValue(fieldId);
      continue;
    }
    for (const operation of operations) {
      if (!isRecord(operation)) continue;
      for (const [verb, value] of Object.entries(operation)) {
        if (fieldId === 'comment' && verb === 'add') comments.push(isRecord(value) ? value.body : undefined);
        else if (verb === 'set') merged[fieldId] = value;
        else if (
          (fieldId === 'components' || fieldId === 'fixVersions' || fieldId === 'versions') &&
          (verb === 'add' || verb === 'remove')
        ) {
          const current = (merged[fieldId] as unknown[] | undefined) ?? currentRefs[fieldId] ?? [];
          const same = (a: unknown, b: unknown) =>
            isRecord(a) &&
            isRecord(b) &&
            ((a.id !== undefined && a.id === b.id) || (a.name !== undefined && a.name === b.name));
          merged[fieldId] =
            verb === 'add' ? [...current, value] : current.filter((item) => !same(item, value));
        } else if (fieldId === 'labels' && (verb === 'add' || verb === 'remove')) {
          const current = (merged.labels as string[] | undefined) ?? currentLabels;
          merged.labels =
            verb === 'add' ? [...current, String(value)] : current.filter((label) => label !== String(value));
        } else errors[fieldId] = JIRA_MESSAGES.unsupportedOperation(fieldId, verb);
      }
    }
  }
  return { fields: merged, comments, errors };
}

type Snapshot = Record<string, { id: string | null; text: string | null; custom: boolean }>;

function snapshot(state: SandboxState, issue: IssueRecord): Snapshot {
  const userName = (id: string | null) => (id ? (state.users.get(id)?.displayName ?? id) : null);
  const shot: Snapshot = {
    summary: { id: null, text: issue.summary, custom: false },
    description: { id: null, text: adfToText(issue.description), custom: false },
    status: { id: issue.statusId, text: state.statuses.get(issue.statusId)?.name ?? null, custom: false },
    priority: {
      id: issue.priorityId,
      text: state.priorities.get(issue.priorityId)?.name ?? null,
      custom: false,
    },
    assignee: { id: issue.assigneeId, text: userName(issue.assigneeId), custom: false },
    reporter: { id: issue.reporterId, text: userName(issue.reporterId), custom: false },
    labels: { id: null, text: issue.labels.join(' '), custom: false },
    duedate: { id: issue.duedate, text: issue.duedate, custom: false },
    environment: { id: null, text: adfToText(issue.environment), custom: false },
    parent: {
      id: issue.parentId,
      text: issue.parentId ? (state.issues.get(issue.parentId)?.key ?? null) : null,
      custom: false,
    },
    components: {
      id: issue.componentIds.join(',') || null,
      text: issue.componentIds.map((id) => state.components.get(id)?.name ?? id).join(', ') || null,
      custom: false,
    },
    fixVersions: {
      id: issue.fixVersionIds.join(',') || null,
      text: issue.fixVersionIds.map((id) => state.versions.get(id)?.name ?? id).join(', ') || null,
      custom: false,
    },
    versions: {
      id: issue.versionIds.join(',') || null,
      text: issue.versionIds.map((id) => state.versions.get(id)?.name ?? id).join(', ') || null,
      custom: false,
    },
    issuetype: {
      id: issue.issueTypeId,
      text: state.issueTypes.get(issue.issueTypeId)?.name ?? null,
      custom: false,
    },
  };
  for (const [fieldId, value] of Object.entries(issue.customFields)) {
    const option = isRecord(value) ? (value as { id: string; value: string }) : null;
    shot[fieldId] = option
      ? { id: option.id, text: option.value, custom: true }
      : { id: null, text: String(value), custom: true };
  }
  return shot;
}

let changelogCounter = 10000;

/** Jira's changelog entry for the fields that differ between two snapshots. */
function changelog(state: SandboxState, before: Snapshot, after: Snapshot) {
  const items = [];
  for (const fieldId of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[fieldId];
    const to = after[fieldId];
    if (from?.id === to?.id && from?.text === to?.text) continue;
    const custom = from?.custom ?? to?.custom ?? false;
    items.push({
      field: custom ? (state.customFields.get(fieldId)?.name ?? fieldId) : fieldId,
      fieldtype: custom ? 'custom' : 'jira',
      fieldId,
      from: from?.id ?? null,
      fromString: from?.text ?? null,
      to: to?.id ?? null,
      toString: to?.text ?? null,
    });
  }
  return { id: String(changelogCounter++), items };
}

function notify(
  services: ApiServices,
  actor: ApiActor,
  eventType: JiraChange['eventType'],
  issue: IssueRecord,
  extra: Pick<JiraChange, 'comment' | 'changelog'> = {},
): void {
  services.notifyChange({
    eventType,
    cloudId: issue.cloudId,
    issue: {
      id: issue.id,
      key: issue.key,
      fields: renderIssueFields(services.state, actor.site, issue, (f) => f.id !== 'comment'),
    },
    ...extra,
    actorAccountId: actor.user.accountId,
    byApp: actor.byApp,
    timestamp: services.now(),
  });
}

export function createIssue(
  services: ApiServices,
  actor: ApiActor,
  project: ProjectRecord,
  issueTypeId: string,
  fields: Record<string, unknown>,
  properties: Array<{ key: string; value: unknown }>,
  extra: { requestTypeId?: string } = {},
): { issue: IssueRecord } | { errors: FieldErrors } {
  const { state, now } = services;
  const at = now();
  const defaultPriority =
    [...state.priorities.values()].find((p) => p.isDefault) ?? [...state.priorities.values()][0];
  const draft: IssueRecord = {
    id: String(state.counters.issueId),
    key: `${project.key}-${project.nextIssueNumber}`,
    cloudId: project.cloudId,
    projectId: project.id,
    issueTypeId,
    summary: '',
    description: null,
    statusId: project.workflow.statuses[0],
    priorityId: defaultPriority.id,
    assigneeId: null,
    reporterId: actor.user.accountId,
    creatorId: actor.user.accountId,
    labels: [],
    duedate: null,
    created: at,
    updated: at,
    statusChanged: at,
    resolutionDate: null,
    customFields: {},
    requestTypeId: extra.requestTypeId ?? null,
    commentIds: [],
    attachmentIds: [],
    properties: new Map(properties.map((p) => [p.key, p.value])),
    watcherIds: [actor.user.accountId],
    voterIds: [],
    worklogIds: [],
    histories: [],
    remoteLinks: [],
    componentIds: [],
    fixVersionIds: [],
    versionIds: [],
    environment: null,
    parentId: null,
    participantIds: [],
    approvals: [],
    statusHistory: [{ statusId: project.workflow.statuses[0], at }],
  };
  const { issuetype: _type, ...rest } = fields;
  const errors = applyFields(state, project, draft, rest);
  if (typeof fields.summary !== 'string' || fields.summary.trim().length === 0) {
    errors.summary = JIRA_MESSAGES.summaryRequired;
  }
  if (Object.keys(errors).length > 0) return { errors };
  state.counters.issueId++;
  project.nextIssueNumber++;
  state.issues.set(draft.id, draft);
  state.issueKeys.set(draft.key, draft.id);
  notify(services, actor, 'avi:jira:created:issue', draft);
  return { issue: draft };
}

/** Edits fields (and adds `update.comment` entries); the issue is only changed when everything is valid. */
export function editIssue(
  services: ApiServices,
  actor: ApiActor,
  project: ProjectRecord,
  issue: IssueRecord,
  fields: Record<string, unknown>,
  update: unknown,
  statusId?: string,
): { errors: FieldErrors } | { ok: true } {
  const { state } = services;
  const folded = foldUpdate(issue.labels, fields, update, {
    components: issue.componentIds.map((id) => ({ id })),
    fixVersions: issue.fixVersionIds.map((id) => ({ id })),
    versions: issue.versionIds.map((id) => ({ id })),
  });
  const draft: IssueRecord = {
    ...issue,
    customFields: { ...issue.customFields },
    labels: [...issue.labels],
    componentIds: [...issue.componentIds],
    fixVersionIds: [...issue.fixVersionIds],
    versionIds: [...issue.versionIds],
  };
  const errors = { ...folded.errors, ...applyFields(state, project, draft, folded.fields) };
  const commentBodies = folded.comments.map((body) => ({ body, problem: commentProblem(body) }));
  const badComment = commentBodies.find((c) => c.problem !== null);
  if (badComment?.problem) errors.comment = badComment.problem;
  if (Object.keys(errors).length > 0) return { errors };

  const before = snapshot(state, issue);
  const at = services.now();
  if (statusId !== undefined && statusId !== issue.statusId) {
    draft.statusId = statusId;
    draft.statusChanged = at;
    draft.resolutionDate = state.statuses.get(statusId)?.category === 'done' ? at : null;
    draft.statusHistory = [...issue.statusHistory, { statusId, at }];
  }
  const log = changelog(state, before, snapshot(state, draft));
  if (log.items.length > 0) {
    draft.updated = at;
    draft.histories = [
      ...issue.histories,
      { id: log.id, authorId: actor.user.accountId, created: at, items: log.items },
    ];
    Object.assign(issue, draft);
    notify(services, actor, 'avi:jira:updated:issue', issue, { changelog: log });
  }
  for (const { body } of commentBodies) addComment(services, actor, issue, body as Adf, true);
  return { ok: true };
}

/**
 * True when a request carries an ADF document that breaks the schema (unknown node or mark, missing required
 * attribute): Jira refuses the whole request with `{"errorMessages":["INVALID_INPUT"],"errors":{}}`, while a value
 * that is no document at all gets the field's own message. Looks at `fields`, `update` values and comment bodies.
 */
export function hasSchemaInvalidAdf(...values: unknown[]): boolean {
  const seen: unknown[] = [];
  const collect = (value: unknown, depth: number): void => {
    if (!isRecord(value) || depth > 4) {
      if (Array.isArray(value) && depth <= 4) for (const item of value) collect(item, depth + 1);
      return;
    }
    if (value.type === 'doc') seen.push(value);
    else for (const child of Object.values(value)) collect(child, depth + 1);
  };
  for (const value of values) collect(value, 0);
  return seen.some((doc) => adfProblem(doc)?.kind === 'invalid');
}

/** Jira's complaint about a comment body, or null when it is a non-empty valid ADF document. */
export function commentProblem(body: unknown): string | null {
  if (body === undefined || body === null) return JIRA_MESSAGES.commentEmpty;
  if (adfProblem(body) !== null) return JIRA_MESSAGES.commentInvalid;
  if (isAdfEmpty(body as Adf)) return JIRA_MESSAGES.commentEmpty;
  return null;
}

export function addComment(
  services: ApiServices,
  actor: ApiActor,
  issue: IssueRecord,
  body: Adf,
  jsdPublic: boolean,
): CommentRecord {
  const { state } = services;
  const at = services.now();
  const comment: CommentRecord = {
    id: String(state.counters.commentId++),
    issueId: issue.id,
    authorId: actor.user.accountId,
    body,
    created: at,
    updated: at,
    jsdPublic,
    updateAuthorId: actor.user.accountId,
    properties: new Map(),
  };
  state.comments.set(comment.id, comment);
  issue.commentIds.push(comment.id);
  issue.updated = at;
  notify(services, actor, 'avi:jira:commented:issue', issue, {
    comment: renderComment(state, actor.site, comment),
  });
  return comment;
}

export function deleteIssue(services: ApiServices, actor: ApiActor, issue: IssueRecord): void {
  const { state } = services;
  notify(services, actor, 'avi:jira:deleted:issue', issue);
  for (const id of issue.commentIds) state.comments.delete(id);
  for (const id of issue.attachmentIds) state.attachments.delete(id);
  state.issues.delete(issue.id);
  state.issueKeys.delete(issue.key);
}
