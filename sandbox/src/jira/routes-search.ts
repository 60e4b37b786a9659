/** Enhanced JQL search (`/search/jql`, token pagination) and the removed `/search` endpoints (410). */
import { createHash } from 'node:crypto';
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  isRecord,
  listParam,
} from '../api/context';
import { API_MESSAGES, jiraError } from '../api/errors';
import type { IssueRecord } from '../state';
import { fieldSelector } from './fields';
import { renderIssue } from './issue-view';
import { compileJql, JqlError, parseJql } from './jql';
import { JIRA_MESSAGES } from './messages';

interface SearchRequest {
  jql: string;
  nextPageToken?: string;
  maxResults?: number;
  fields?: string[];
  properties?: string[];
  expand?: string[];
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;
/** Jira allows larger pages when only ids/keys are asked for. */
const MAX_ID_PAGE = 5000;

function jqlDigest(jql: string): string {
  return createHash('sha256').update(jql).digest('base64url').slice(0, 12);
}

/** The token pins the query it was issued for, so a token cannot be replayed against another JQL. */
function pageToken(jql: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, q: jqlDigest(jql) })).toString('base64url');
}

function readPageToken(jql: string, token: string): number | null {
  try {
    const { o, q } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      q?: unknown;
    };
    return typeof o === 'number' && Number.isInteger(o) && o >= 0 && q === jqlDigest(jql) ? o : null;
  } catch {
    return null;
  }
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function search(services: ApiServices, c: ApiContext, request: SearchRequest): Response {
  const actor = c.get('actor');
  const { state } = services;
  const canBrowse = (projectId: string) => {
    const project = state.projects.get(projectId);
    return project !== undefined && actorCan(actor, project, 'BROWSE_PROJECTS');
  };
  let matches: IssueRecord[];
  try {
    const compiled = compileJql(parseJql(request.jql), {
      state,
      cloudId: actor.site.cloudId,
      currentAccountId: actor.user.accountId,
      now: services.now(),
      canBrowse,
    });
    matches = [...state.issues.values()]
      .filter(
        (issue) =>
          issue.cloudId === actor.site.cloudId && canBrowse(issue.projectId) && compiled.matches(issue),
      )
      .sort(compiled.compare);
  } catch (error) {
    if (error instanceof JqlError) return jiraError(c, 400, [error.message]);
    throw error;
  }
  const idsOnly = (request.fields ?? []).every((f) => f === 'id' || f === 'key');
  const limit = Math.min(request.maxResults ?? DEFAULT_PAGE, idsOnly ? MAX_ID_PAGE : MAX_PAGE);
  if (!Number.isInteger(limit) || limit < 0) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
  const offset = request.nextPageToken === undefined ? 0 : readPageToken(request.jql, request.nextPageToken);
  if (offset === null) return jiraError(c, 400, [JIRA_MESSAGES.invalidNextPageToken]);
  const page = matches.slice(offset, offset + limit);
  // A page of 0 issues ends the listing: a token for the same offset would make a pager loop forever.
  const isLast = limit === 0 || offset + page.length >= matches.length;
  c.set('returnedObjects', page.length);
  const wanted = fieldSelector(request.fields, 'none');
  const expand = new Set(request.expand ?? []);
  const issues = page.map((issue) =>
    request.fields === undefined && request.properties === undefined && expand.size === 0
      ? { id: issue.id }
      : renderIssue(state, actor.site, issue, {
          fields: wanted,
          properties: request.properties,
          expand,
          viewerId: actor.user.accountId,
        }),
  );
  return c.json({
    issues,
    ...(isLast ? {} : { nextPageToken: pageToken(request.jql, offset + page.length) }),
    isLast,
  });
}

function removedSearch(c: ApiContext): Response {
  return jiraError(c, 410, [JIRA_MESSAGES.searchRemoved]);
}

export function searchRoutes(services: ApiServices): ApiRoute[] {
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/search/jql',
      handler: (c) => {
        const maxResults = c.req.query('maxResults');
        return search(services, c, {
          jql: c.req.query('jql') ?? '',
          nextPageToken: c.req.query('nextPageToken'),
          maxResults: maxResults === undefined ? undefined : Number(maxResults),
          fields: listParam(c, 'fields'),
          properties: listParam(c, 'properties'),
          expand: listParam(c, 'expand'),
        });
      },
    },
    {
      api: 'platform',
      method: 'POST',
      path: '/rest/api/3/search/jql',
      handler: (c) => {
        const body = c.get('body');
        if (!isRecord(body)) return jiraError(c, 400, [API_MESSAGES.invalidPayload]);
        return search(services, c, {
          jql: typeof body.jql === 'string' ? body.jql : '',
          nextPageToken: typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined,
          maxResults: typeof body.maxResults === 'number' ? body.maxResults : undefined,
          fields: strings(body.fields),
          properties: strings(body.properties),
          expand: typeof body.expand === 'string' ? body.expand.split(',') : strings(body.expand),
        });
      },
    },
    { api: 'platform', method: 'GET', path: '/rest/api/3/search', handler: removedSearch },
    { api: 'platform', method: 'POST', path: '/rest/api/3/search', handler: removedSearch },
  ];
}
