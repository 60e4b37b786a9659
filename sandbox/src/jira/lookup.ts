/** Finding records the way Jira does: what the caller cannot browse does not exist for them. */
import { type ApiActor, type ApiServices, actorCan } from '../api/context';
import { type IssueRecord, issueByKeyOrId, type ProjectRecord, projectByKeyOrId } from '../state';

export function visibleIssue(
  services: ApiServices,
  actor: ApiActor,
  idOrKey: string,
): { issue: IssueRecord; project: ProjectRecord } | null {
  const issue = issueByKeyOrId(services.state, actor.site.cloudId, idOrKey);
  const project = issue ? services.state.projects.get(issue.projectId) : undefined;
  if (!issue || !project || !actorCan(actor, project, 'BROWSE_PROJECTS')) return null;
  return { issue, project };
}

export function visibleProject(
  services: ApiServices,
  actor: ApiActor,
  idOrKey: string,
): ProjectRecord | null {
  const project = projectByKeyOrId(services.state, actor.site.cloudId, idOrKey);
  return project && actorCan(actor, project, 'BROWSE_PROJECTS') ? project : null;
}
