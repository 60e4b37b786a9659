/**
 * Every prebuilt workflow and common action, one file each in definitions/ (its default export). The list is
 * written out so the backend can be bundled; `registry.test.ts` fails when a file in definitions/ is missing
 * from it.
 */
import type { WorkflowDefinition } from './definition';
import addAttachment from './definitions/add-attachment';
import addComment from './definitions/add-comment';
import addWatcher from './definitions/add-watcher';
import assignIssue from './definitions/assign-issue';
import createJiraIssue from './definitions/create-jira-issue';
import findUserByEmail from './definitions/find-user-by-email';
import listJiraProjects from './definitions/list-jira-projects';
import readJiraIssueDetails from './definitions/read-jira-issue-details';
import searchIssues from './definitions/search-issues';
import transitionJiraIssue from './definitions/transition-jira-issue';
import updateIssueFields from './definitions/update-issue-fields';

export const WORKFLOW_DEFINITIONS: ReadonlyArray<WorkflowDefinition> = [
  addAttachment,
  addComment,
  addWatcher,
  assignIssue,
  createJiraIssue,
  findUserByEmail,
  listJiraProjects,
  readJiraIssueDetails,
  searchIssues,
  transitionJiraIssue,
  updateIssueFields,
] as ReadonlyArray<WorkflowDefinition>;

const byKey = new Map(WORKFLOW_DEFINITIONS.map((definition) => [definition.key, definition]));

export function definitionFor(key: string): WorkflowDefinition | undefined {
  return byKey.get(key);
}
