/** myself, my permissions and user search. */
import type { ApiRoute, ApiServices } from '../api/context';
import { intParam } from '../api/context';
import { jiraError } from '../api/errors';
import { JIRA_MESSAGES } from './messages';
import { renderUser } from './render';

/** The global permissions the sandbox knows, as Jira describes them. */
const GLOBAL_PERMISSIONS: Record<string, { id: string; name: string; description: string }> = {
  ADMINISTER: {
    id: '0',
    name: 'Administer Jira',
    description:
      'Create and administer projects, issue types, fields, workflows, and schemes for all projects. Users with this permission can perform most administration tasks, except: managing users, importing data, and editing system email settings.',
  },
};

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
      // Global permission only (no project or issue context): the sandbox answers ADMINISTER, which the
      // backend asks to tell a site's Jira admins apart.
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/mypermissions',
      handler: (c) => {
        const actor = c.get('actor');
        const keys = (c.req.query('permissions') ?? '')
          .split(',')
          .map((key) => key.trim())
          .filter(Boolean);
        if (!keys.length) return jiraError(c, 400, [JIRA_MESSAGES.permissionsRequired]);
        const unknown = keys.find((key) => !(key in GLOBAL_PERMISSIONS));
        if (unknown) return jiraError(c, 404, [JIRA_MESSAGES.unknownPermission(unknown)]);
        const permissions = Object.fromEntries(
          keys.map((key) => [
            key,
            {
              ...GLOBAL_PERMISSIONS[key],
              key,
              type: 'GLOBAL',
              havePermission: actor.user.administerSiteIds.includes(actor.site.cloudId),
            },
          ]),
        );
        c.set('returnedObjects', keys.length);
        return c.json({ permissions });
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
            (query === undefined ||
              u.displayName.toLowerCase().includes(query) ||
              (u.email?.toLowerCase().startsWith(query) ?? false)),
        );
        const page = matches.slice(startAt, startAt + Math.min(maxResults, 1000));
        c.set('returnedObjects', page.length);
        return c.json(page.map((u) => renderUser(actor.site, u)));
      },
    },
  ];
}
