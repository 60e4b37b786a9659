/** Every Jira platform route the sandbox serves. */
import type { ApiRoute, ApiServices } from '../api/context';
import { attachmentRoutes } from './routes-attachments';
import { commentAndPropertyRoutes } from './routes-comments';
import { issueActionRoutes } from './routes-issue-actions';
import { issueRoutes } from './routes-issues';
import { metaRoutes } from './routes-meta';
import { projectRoutes } from './routes-projects';
import { searchRoutes } from './routes-search';
import { userRoutes } from './routes-users';

export function jiraRoutes(services: ApiServices): ApiRoute[] {
  // Static paths first: `/issue/createmeta` must win over `/issue/{issueIdOrKey}`.
  return [
    ...metaRoutes(services),
    ...userRoutes(services),
    ...projectRoutes(services),
    ...searchRoutes(services),
    ...issueRoutes(services),
    ...commentAndPropertyRoutes(services),
    ...attachmentRoutes(services),
    ...issueActionRoutes(services),
  ];
}
