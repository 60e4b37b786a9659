/** Many at once: bulk create, bulk fetch, bulk changelogs, the approximate count and JQL parsing. */
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  bodyRecord,
  platform,
} from '../api/context';
import { jiraError } from '../api/errors';
import type { IssueRecord } from '../state';
import { fieldSelector } from './fields';
import { renderIssue } from './issue-view';
import { compileJql, JqlError, jqlStructure, parseJql } from './jql';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { renderHistory } from './render-parts';
import { createFromRequest } from './routes-issues';

const BULK_CREATE_LIMIT = 50;
const BULK_FETCH_LIMIT = 100;

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

export function bulkRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  /** Issues a query matches for the caller, or the JQL error text. */
  const matching = (c: ApiContext, jql: string): IssueRecord[] | string => {
    const actor = c.get('actor');
    const canBrowse = (projectId: string) => {
      const project = state.projects.get(projectId);
      return project !== undefined && actorCan(actor, project, 'BROWSE_PROJECTS');
    };
    try {
      const compiled = compileJql(parseJql(jql), {
        state,
        cloudId: actor.site.cloudId,
        currentAccountId: actor.user.accountId,
        now: services.now(),
        canBrowse,
      });
      return [...state.issues.values()].filter(
        (i) => i.cloudId === actor.site.cloudId && canBrowse(i.projectId) && compiled.matches(i),
      );
    } catch (error) {
      if (error instanceof JqlError) return error.message;
      throw error;
    }
  };

  return [
    platform('POST', '/rest/api/3/issue/bulk', (c) => {
      const actor = c.get('actor');
      const updates = bodyRecord(c).issueUpdates;
      if (!Array.isArray(updates) || updates.length === 0 || updates.length > BULK_CREATE_LIMIT)
        // Even a refused bulk answers in the `CreatedIssues` shape, as the spec documents for 400.
        return c.json(
          {
            issues: [],
            errors: [
              {
                status: 400,
                elementErrors: {
                  errorMessages: [JIRA_MESSAGES.bulkCreateSize(BULK_CREATE_LIMIT)],
                  errors: {},
                },
                failedElementNumber: 0,
              },
            ],
          },
          400,
        );
      const issues: Array<{ id: string; key: string; self: string }> = [];
      const errors: Array<{
        status: number;
        elementErrors: { errorMessages: string[]; errors: Record<string, string> };
        failedElementNumber: number;
      }> = [];
      updates.forEach((update, index) => {
        const result = createFromRequest(services, actor, update);
        if ('issue' in result) {
          issues.push({
            id: result.issue.id,
            key: result.issue.key,
            self: `${actor.site.apiUrl}/rest/api/3/issue/${result.issue.id}`,
          });
        } else {
          errors.push({
            status: result.status,
            elementErrors: { errorMessages: result.errorMessages, errors: result.errors },
            failedElementNumber: index,
          });
        }
      });
      return c.json({ issues, errors }, issues.length > 0 ? 201 : 400);
    }),
    platform('POST', '/rest/api/3/issue/bulkfetch', (c) => {
      const actor = c.get('actor');
      const body = bodyRecord(c);
      const refs = strings(body.issueIdsOrKeys) ?? [];
      if (refs.length === 0 || refs.length > BULK_FETCH_LIMIT)
        return jiraError(c, 400, [JIRA_MESSAGES.bulkFetchSize(BULK_FETCH_LIMIT)]);
      const wanted = fieldSelector(strings(body.fields) ?? ['*navigable'], 'none');
      const expand = new Set(strings(body.expand) ?? []);
      const issues: unknown[] = [];
      const issueErrors: Array<{ id: string; errorMessage: string }> = [];
      for (const ref of refs) {
        const found = visibleIssue(services, actor, ref);
        if (!found) issueErrors.push({ id: ref, errorMessage: JIRA_MESSAGES.issueNotFound });
        else
          issues.push(
            renderIssue(state, actor.site, found.issue, {
              fields: wanted,
              properties: strings(body.properties),
              expand,
              viewerId: actor.user.accountId,
            }),
          );
      }
      c.set('returnedObjects', issues.length);
      return c.json({ issues, issueErrors });
    }),
    platform('POST', '/rest/api/3/changelog/bulkfetch', (c) => {
      const actor = c.get('actor');
      const body = bodyRecord(c);
      const refs = strings(body.issueIdsOrKeys) ?? [];
      if (refs.length === 0 || refs.length > 1000)
        return jiraError(c, 400, [JIRA_MESSAGES.bulkChangelogSize]);
      const fieldIds = strings(body.fieldIds);
      const max = typeof body.maxResults === 'number' ? Math.min(Math.max(body.maxResults, 1), 10_000) : 1000;
      let offset = 0;
      if (typeof body.nextPageToken === 'string') {
        offset = Number(Buffer.from(body.nextPageToken, 'base64url').toString('utf8'));
        if (!Number.isInteger(offset) || offset < 0)
          return jiraError(c, 400, [JIRA_MESSAGES.invalidNextPageToken]);
      }
      const all = refs.flatMap((ref) => {
        const found = visibleIssue(services, actor, ref);
        if (!found) return [];
        return found.issue.histories
          .map((h) =>
            fieldIds ? { ...h, items: h.items.filter((item) => fieldIds.includes(String(item.fieldId))) } : h,
          )
          .filter((h) => h.items.length > 0)
          .map((h) => ({ issueId: found.issue.id, history: h }));
      });
      const page = all.slice(offset, offset + max);
      const byIssue = new Map<string, unknown[]>();
      for (const { issueId, history } of page) {
        byIssue.set(issueId, [...(byIssue.get(issueId) ?? []), renderHistory(state, actor.site, history)]);
      }
      c.set('returnedObjects', page.length);
      const more = offset + page.length < all.length;
      return c.json({
        issueChangeLogs: [...byIssue.entries()].map(([issueId, changeHistories]) => ({
          issueId,
          changeHistories,
        })),
        ...(more ? { nextPageToken: Buffer.from(String(offset + page.length)).toString('base64url') } : {}),
      });
    }),
    platform('POST', '/rest/api/3/search/approximate-count', (c) => {
      const jql = bodyRecord(c).jql;
      const result = matching(c, typeof jql === 'string' ? jql : '');
      if (typeof result === 'string') return jiraError(c, 400, [result]);
      return c.json({ count: result.length });
    }),
    platform('POST', '/rest/api/3/jql/parse', (c) => {
      const queries = bodyRecord(c).queries;
      if (!Array.isArray(queries) || queries.length === 0 || queries.some((q) => typeof q !== 'string'))
        return jiraError(c, 400, [JIRA_MESSAGES.jqlQueriesRequired]);
      // `validation=strict` (the default) also checks fields and values; `none` only parses.
      const strict = (c.req.query('validation') ?? 'strict') !== 'none';
      return c.json({
        queries: (queries as string[]).map((query) => {
          try {
            const parsed = parseJql(query);
            if (strict && parsed.where) {
              const problem = matching(c, query);
              if (typeof problem === 'string') return { query, errors: [problem] };
            }
            return { query, structure: jqlStructure(parsed) };
          } catch (error) {
            if (error instanceof JqlError) return { query, errors: [error.message] };
            throw error;
          }
        }),
      });
    }),
  ];
}
