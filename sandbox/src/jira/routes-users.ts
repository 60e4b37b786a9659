/** myself and user search (mypermissions lives with the other people routes). */
import type { ApiRoute, ApiServices } from '../api/context';
import { intParam } from '../api/context';
import { jiraError } from '../api/errors';
import { JIRA_MESSAGES } from './messages';
import { renderUser } from './render';
import { userMatches } from './routes-people';

export function userRoutes(services: ApiServices): ApiRoute[] {
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/myself',
      handler: (c) => {
        const actor = c.get('actor');
        c.set('returnedObjects', 1);
        return c.json(renderUser(actor.site, actor.user));
      },
    },
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/user/search',
      handler: (c) => {
        const actor = c.get('actor');
        const query = c.req.query('query')?.toLowerCase();
        const accountId = c.req.query('accountId');
        if (!query && !accountId) return jiraError(c, 400, [JIRA_MESSAGES.userQueryRequired]);
        const startAt = intParam(c, 'startAt', 0);
        const maxResults = intParam(c, 'maxResults', 50);
        if (!(startAt >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidStartAt]);
        if (!(maxResults >= 0)) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
        const matches = [...services.state.users.values()].filter(
          (u) =>
            u.siteIds.includes(actor.site.cloudId) &&
            (accountId === undefined || u.accountId === accountId) &&
            (query === undefined || userMatches(u, query)),
        );
        const page = matches.slice(startAt, startAt + Math.min(maxResults, 1000));
        c.set('returnedObjects', page.length);
        return c.json(page.map((u) => renderUser(actor.site, u)));
      },
    },
  ];
}
