/** Jira's `PageBean` answers: offset pages with `self` and `nextPage` links on the API base. */
import { type ApiContext, offsetPage } from '../api/context';
import { jiraError } from '../api/errors';
import { JIRA_MESSAGES } from './messages';

/** The page of `all` the query asks for, rendered with `render`, or Jira's 400 for bad paging parameters. */
export function pageBean<T>(
  c: ApiContext,
  all: readonly T[],
  render: (item: T) => unknown,
  defaultMax = 50,
): Response {
  const page = offsetPage(c, all, defaultMax);
  if (!page) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
  const url = new URL(c.req.url);
  const link = (startAt: number) => {
    url.searchParams.set('startAt', String(startAt));
    url.searchParams.set('maxResults', String(page.maxResults));
    return `${c.get('actor').site.apiUrl}${url.pathname.replace(/^\/ex\/jira\/[^/]+/, '')}?${url.searchParams}`;
  };
  return c.json({
    self: link(page.startAt),
    ...(page.isLast ? {} : { nextPage: link(page.startAt + page.values.length) }),
    maxResults: page.maxResults,
    startAt: page.startAt,
    total: all.length,
    isLast: page.isLast,
    values: page.values.map(render),
  });
}
