/** The `IssueBean` representation of an issue (GET issue, search results). */

import { type Adf, adfToHtml } from '../adf';
import type { IssueRecord, SandboxState, SiteRecord } from '../state';
import { editMeta } from './createmeta';
import { allFieldDefinitions, type FieldDefinition, renderIssueFields } from './fields';
import { renderHistory } from './render-parts';
import { availableTransitions, renderTransition } from './workflow';

export interface IssueViewOptions {
  fields: (field: FieldDefinition) => boolean;
  /** Property keys to inline (`*all` = every one); undefined = none. */
  properties?: string[];
  expand?: ReadonlySet<string>;
  /** The account looking (watches, votes). */
  viewerId?: string;
}

/** `renderedFields`: rich-text fields as HTML, dates in the site's display form, others as they are. */
function renderedFields(fields: Record<string, unknown>): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(fields)) {
    if (isAdfDocument(value)) rendered[id] = adfToHtml(value);
    else if (id === 'comment' && value && typeof value === 'object') {
      const page = value as { comments: Array<{ body: Adf }> };
      rendered[id] = { ...page, comments: page.comments.map((c) => ({ ...c, body: adfToHtml(c.body) })) };
    } else rendered[id] = value;
  }
  return rendered;
}

function isAdfDocument(value: unknown): value is Adf {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'doc';
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
    fields: renderIssueFields(state, site, issue, options.fields, options.viewerId),
  };
  const project = state.projects.get(issue.projectId);
  if (expand.has('renderedFields'))
    view.renderedFields = renderedFields(view.fields as Record<string, unknown>);
  if (expand.has('schema')) {
    view.schema = Object.fromEntries(
      allFieldDefinitions(state)
        .filter(options.fields)
        .map((f) => [f.id, f.schema]),
    );
  }
  if (expand.has('editmeta') && project) view.editmeta = editMeta(state, site, project, issue.issueTypeId);
  if (expand.has('changelog')) {
    const histories = issue.histories.map((h) => renderHistory(state, site, h)).reverse();
    view.changelog = { startAt: 0, maxResults: histories.length, total: histories.length, histories };
  }
  if (options.properties) view.properties = selectedProperties(issue, options.properties);
  if (expand.has('names')) {
    view.names = Object.fromEntries(
      allFieldDefinitions(state)
        .filter(options.fields)
        .map((f) => [f.id, f.name]),
    );
  }
  if (expand.has('transitions')) {
    view.transitions = project
      ? availableTransitions(project, issue).map((t) => renderTransition(state, site, t, false))
      : [];
  }
  return view;
}
