/** Per-project workflows: which transitions an issue can take from its current status. */
import type { SeedTransition } from '../seed-types';
import type { IssueRecord, ProjectRecord, SandboxState, SiteRecord } from '../state';
import { renderStatus } from './render';

export function availableTransitions(project: ProjectRecord, issue: IssueRecord): SeedTransition[] {
  return project.workflow.transitions.filter(
    (t) => t.to !== issue.statusId && (t.from === undefined || t.from.includes(issue.statusId)),
  );
}

/** The `IssueTransition` representation. */
export function renderTransition(
  state: SandboxState,
  site: SiteRecord,
  transition: SeedTransition,
  withFields: boolean,
) {
  const status = state.statuses.get(transition.to);
  return {
    id: transition.id,
    name: transition.name,
    ...(status ? { to: renderStatus(site, status) } : {}),
    hasScreen: false,
    isGlobal: transition.from === undefined,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
    ...(withFields ? { fields: {} } : {}),
  };
}
