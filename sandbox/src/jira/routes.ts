/** Every Jira platform route the sandbox serves. */
import type { ApiRoute, ApiServices } from '../api/context';
import { attachmentRoutes } from './routes-attachments';
import { bulkRoutes } from './routes-bulk';
import { catalogRoutes } from './routes-catalog';
import { commentEditRoutes } from './routes-comment-edits';
import { commentAndPropertyRoutes } from './routes-comments';
import { issuePartRoutes } from './routes-issue-parts';
import { issueRoutes } from './routes-issues';
import { metaRoutes } from './routes-meta';
import { miscRoutes } from './routes-misc';
import { peopleRoutes } from './routes-people';
import { projectPartRoutes } from './routes-project-parts';
import { projectRoutes } from './routes-projects';
import { searchRoutes } from './routes-search';
import { userRoutes } from './routes-users';
import { type WebhookDispatcher, webhookRoutes } from './webhooks';

export function jiraRoutes(services: ApiServices, webhooks: () => WebhookDispatcher): ApiRoute[] {
  // Static paths first: `/issue/createmeta` must win over `/issue/{issueIdOrKey}`.
  return [
    ...metaRoutes(services),
    ...catalogRoutes(services),
    ...projectPartRoutes(services),
    ...issuePartRoutes(services),
    ...userRoutes(services),
    ...projectRoutes(services),
    ...searchRoutes(services),
    ...bulkRoutes(services),
    ...webhookRoutes(services, webhooks),
    ...miscRoutes(services),
    ...issueRoutes(services),
    ...commentAndPropertyRoutes(services),
    ...commentEditRoutes(services),
    ...peopleRoutes(services),
    ...attachmentRoutes(services),
  ];
}
