/** The `IssueBean` representation of an issue (GET issue, search results). */
import type { IssueRecord, SandboxState, SiteRecord } from '../state';
import { allFieldDefinitions, type FieldDefinition, renderIssueFields } from './fields';
import { availableTransitions, renderTransition } from './workflow';

export interface IssueViewOptions {
  fields: (field: FieldDefinition) => boolean;
  /** Property keys to inline (`*all` = every one); undefined = none. */
  properties?: string[];
  expand?: ReadonlySet<string>;
}

const ISSUE_EXPAND = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

function selectedProperties(issue: IssueRecord, requested: string[]): Record<string, unknown> {
  const all = requested.includes('*all');
  const excluded = new Set(requested.filter((k) => k.startsWith('-')).map((k) => k.slice(1)));
  const selected: Record<string, unknown> = {};
  for (const [key, value] of issue.properties) {
    if (!excluded.has(key) && (all || requested.includes(key))) selected[key] = value;
  }
  return selected;
}

export function renderIssue(
  state: SandboxState,
  site: SiteRecord,
  issue: IssueRecord,
  options: IssueViewOptions,
) {
  const expand = options.expand ?? new Set<string>();
  const view: Record<string, unknown> = {
    expand: ISSUE_EXPAND,
    id: issue.id,
    self: `${site.apiUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields: renderIssueFields(state, site, issue, options.fields),
  };
  if (options.properties) view.properties = selectedProperties(issue, options.properties);
  if (expand.has('names')) {
    view.names = Object.fromEntries(
      allFieldDefinitions(state)
        .filter(options.fields)
        .map((f) => [f.id, f.name]),
    );
  }
  if (expand.has('transitions')) {
    const project = state.projects.get(issue.projectId);
    view.transitions = project
      ? availableTransitions(project, issue).map((t) => renderTransition(state, site, t, false))
      : [];
  }
  return view;
}
