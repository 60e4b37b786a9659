/**
 * The Forms REST API at the host path the real one uses: `https://api.atlassian.com/jira/forms/cloud/{cloudId}/…`
 * (not under `/ex/jira/{cloudId}`). The sandbox has no forms: it lists none on an issue or project it can see,
 * answers Forms-shaped 404s for what it cannot see, and 501 for everything else.
 */
import { Hono } from 'hono';
import type { ApiServices } from '../api/context';
import { impersonatedCallRefusal } from '../api/impersonation';
import { UNIMPLEMENTED_HEADER } from '../api/mount';
import { liveGrant } from '../gateway';
import { issueByKeyOrId, projectByKeyOrId, type UserRecord, userCan } from '../state';
import type { InMemoryTokenRegistry } from '../tokens';

export const FORMS_PREFIX = '/jira/forms/cloud/:cloudId';

/** The Forms API's error shape: `{ errors: [{ status, code, title, detail }] }`. */
function formsError(status: 401 | 404 | 501, code: string, title: string, detail: string) {
  return Response.json({ errors: [{ status, code, title, detail }] }, { status });
}

export function formsRoutes(
  services: Pick<ApiServices, 'state' | 'now'>,
  tokens: InMemoryTokenRegistry,
): Hono {
  const app = new Hono();
  const { state } = services;
  /**
   * The caller's account on the site in the path, or null (Forms answers 401 like the gateway, which also applies
   * its per-call rules for impersonation tokens here).
   */
  const caller = (
    authorization: string | undefined,
    cloudId: string,
    operation: string,
  ): UserRecord | null => {
    const live = liveGrant(tokens, authorization, services.now());
    if (!live?.grant.cloudIds.includes(cloudId) || !state.sites.has(cloudId)) return null;
    const user = state.users.get(live.grant.accountId);
    if (!user || impersonatedCallRefusal(live.grant, user, cloudId, operation)) return null;
    return user;
  };
  const unauthorized = () =>
    formsError(401, 'UNAUTHORIZED', 'Unauthorized', 'The request is not authorized.');

  app.get(`${FORMS_PREFIX}/issue/:issueIdOrKey/form`, (c) => {
    const cloudId = c.req.param('cloudId');
    const user = caller(
      c.req.header('authorization'),
      cloudId,
      `GET ${FORMS_PREFIX}/issue/{issueIdOrKey}/form`,
    );
    if (!user) return unauthorized();
    const issue = issueByKeyOrId(state, cloudId, c.req.param('issueIdOrKey'));
    const project = issue ? state.projects.get(issue.projectId) : undefined;
    if (!issue || !project || !userCan(user, project, 'BROWSE_PROJECTS'))
      return formsError(404, 'ISSUE_NOT_FOUND', 'Issue Not Found', 'The provided issue was not found.');
    return c.json([]);
  });
  app.get(`${FORMS_PREFIX}/project/:projectIdOrKey/form`, (c) => {
    const cloudId = c.req.param('cloudId');
    const user = caller(
      c.req.header('authorization'),
      cloudId,
      `GET ${FORMS_PREFIX}/project/{projectIdOrKey}/form`,
    );
    if (!user) return unauthorized();
    const project = projectByKeyOrId(state, cloudId, c.req.param('projectIdOrKey'));
    if (!project || !userCan(user, project, 'BROWSE_PROJECTS'))
      return formsError(404, 'PROJECT_NOT_FOUND', 'Project Not Found', 'The provided project was not found.');
    return c.json([]);
  });
  app.all(`${FORMS_PREFIX}/*`, (c) => {
    const path = c.req.path.replace(/^\/jira\/forms\/cloud\/[^/]+/, '/jira/forms/cloud/{cloudId}');
    const response = formsError(
      501,
      'NOT_IMPLEMENTED',
      'Not Implemented',
      `The sandbox does not implement ${c.req.method} ${path}.`,
    );
    response.headers.set(UNIMPLEMENTED_HEADER, `${c.req.method} ${path}`);
    return response;
  });
  return app;
}
