/** Create-screen metadata: which fields an issue type takes in a project, with allowed values. */
import type { ProjectRecord, SandboxState, SiteRecord } from '../state';
import { customFieldDefinition, projectCustomFields, SYSTEM_FIELDS } from './fields';
import { renderIssueType, renderPriorityRef, renderProjectRef } from './render';
import { renderComponentRef, renderVersion } from './render-parts';

interface FieldMeta {
  required: boolean;
  operations: string[];
  allowedValues?: unknown[];
  autoCompleteUrl?: string;
  hasDefaultValue?: boolean;
  defaultValue?: unknown;
}

/** `FieldCreateMetadata` entries (each also a valid `FieldMetadata` once `fieldId` is dropped). */
export function createMetaFields(
  state: SandboxState,
  site: SiteRecord,
  project: ProjectRecord,
  issueTypeId: string,
) {
  const type = state.issueTypes.get(issueTypeId);
  const priorities = [...state.priorities.values()];
  const defaultPriority = priorities.find((p) => p.isDefault);
  const versions = [...state.versions.values()]
    .filter((v) => v.projectId === project.id)
    .map((v) => renderVersion(site, v));
  const userSearch = `${site.apiUrl}/rest/api/3/user/assignable/search?project=${project.key}&query=`;
  const system: Record<string, FieldMeta> = {
    summary: { required: true, operations: ['set'] },
    issuetype: { required: true, operations: [], allowedValues: type ? [renderIssueType(site, type)] : [] },
    project: { required: true, operations: ['set'], allowedValues: [renderProjectRef(site, project)] },
    description: { required: false, operations: ['set'] },
    priority: {
      required: false,
      operations: ['set'],
      allowedValues: priorities.map((p) => renderPriorityRef(site, p)),
      ...(defaultPriority
        ? { hasDefaultValue: true, defaultValue: renderPriorityRef(site, defaultPriority) }
        : { hasDefaultValue: false }),
    },
    assignee: { required: false, operations: ['set'], autoCompleteUrl: userSearch, hasDefaultValue: false },
    reporter: { required: true, operations: ['set'], autoCompleteUrl: userSearch, hasDefaultValue: true },
    labels: {
      required: false,
      operations: ['add', 'set', 'remove'],
      autoCompleteUrl: `${site.apiUrl}/rest/api/1.0/labels/suggest?query=`,
    },
    duedate: { required: false, operations: ['set'] },
    environment: { required: false, operations: ['set'] },
    components: {
      required: false,
      operations: ['add', 'set', 'remove'],
      allowedValues: [...state.components.values()]
        .filter((c) => c.projectId === project.id)
        .map((c) => renderComponentRef(site, c)),
    },
    fixVersions: { required: false, operations: ['set', 'add', 'remove'], allowedValues: versions },
    versions: { required: false, operations: ['set', 'add', 'remove'], allowedValues: versions },
  };
  const systemEntries = SYSTEM_FIELDS.filter((f) => f.id in system).map((f) => ({
    fieldId: f.id,
    key: f.id,
    name: f.name,
    schema: f.schema,
    hasDefaultValue: false,
    ...system[f.id],
  }));
  const customEntries = projectCustomFields(state, project).map((field) => {
    const definition = customFieldDefinition(field);
    return {
      fieldId: field.id,
      key: field.id,
      name: field.name,
      schema: definition.schema,
      required: false,
      operations: ['set'],
      hasDefaultValue: false,
      ...(field.options
        ? {
            allowedValues: field.options.map((o) => ({
              self: `${site.apiUrl}/rest/api/3/customFieldOption/${o.id}`,
              value: o.value,
              id: o.id,
            })),
          }
        : {}),
    };
  });
  return [...systemEntries, ...customEntries];
}

/** `IssueTypeIssueCreateMetadata`, optionally with its fields keyed by id (the deprecated createmeta). */
export function createMetaIssueType(
  state: SandboxState,
  site: SiteRecord,
  project: ProjectRecord,
  issueTypeId: string,
  withFields: boolean,
) {
  const type = state.issueTypes.get(issueTypeId);
  if (!type) return null;
  return {
    ...renderIssueType(site, type),
    expand: 'fields',
    ...(withFields
      ? {
          fields: Object.fromEntries(
            createMetaFields(state, site, project, issueTypeId).map(({ fieldId, ...meta }) => [
              fieldId,
              meta,
            ]),
          ),
        }
      : {}),
  };
}

/** `IssueUpdateMetadata`: the fields an edit may set on this issue (the create fields but project). */
export function editMeta(state: SandboxState, site: SiteRecord, project: ProjectRecord, issueTypeId: string) {
  return {
    fields: Object.fromEntries(
      createMetaFields(state, site, project, issueTypeId)
        .filter((f) => f.fieldId !== 'project')
        .map(({ fieldId, ...meta }) => [fieldId, { ...meta, required: fieldId === 'summary' }]),
    ),
  };
}
