/**
 * What hangs off an issue: issue links and link types, remote links, worklogs, the changelog and edit metadata.
 * Link and worklog changes are recorded in the changelog the way Jira records them.
 */
import { type Adf, adfProblem } from '../adf';
import {
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  actorCan,
  bodyRecord,
  isRecord,
  offsetPage,
  platform,
} from '../api/context';
import { jiraError } from '../api/errors';
import { type IssueRecord, nextId, type RemoteLinkRecord, type WorklogRecord } from '../state';
import { editMeta } from './createmeta';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { pageBean } from './paging';
import {
  LINK_TYPES,
  parseDuration,
  renderHistory,
  renderIssueLink,
  renderLinkType,
  renderRemoteLink,
  renderWorklog,
} from './render-parts';

/** Jira's worklog `started` format, e.g. `2026-11-20T10:00:00.000+0000`. */
const STARTED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

function parseStarted(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function issuePartRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const issueAt = (c: ApiContext) =>
    visibleIssue(services, c.get('actor'), c.req.param('issueIdOrKey') ?? '');
  const issueNotFound = (c: ApiContext) => jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
  const record = (issue: IssueRecord, accountId: string, items: Array<Record<string, string | null>>) => {
    const at = services.now();
    issue.histories.push({ id: nextId(state), authorId: accountId, created: at, items });
    issue.updated = at;
  };
  const linkItem = (typeId: string, other: IssueRecord, outward: boolean, removed: boolean) => {
    const type = LINK_TYPES.find((t) => t.id === typeId) ?? LINK_TYPES[3];
    const text = `This issue ${outward ? type.outward : type.inward} ${other.key}`;
    return {
      field: 'Link',
      fieldtype: 'jira',
      from: removed ? other.key : null,
      fromString: removed ? text : null,
      to: removed ? null : other.key,
      toString: removed ? null : text,
    };
  };
  const worklogAt = (c: ApiContext) => {
    const found = issueAt(c);
    const worklog = found ? state.worklogs.get(c.req.param('id') ?? '') : undefined;
    return found && worklog && worklog.issueId === found.issue.id ? { ...found, worklog } : null;
  };
  /** Reads a worklog body into `target`; returns Jira's errors. */
  const applyWorklog = (c: ApiContext, target: WorklogRecord, creating: boolean): Record<string, string> => {
    const body = bodyRecord(c);
    const errors: Record<string, string> = {};
    if (body.timeSpentSeconds !== undefined || body.timeSpent !== undefined || creating) {
      const seconds =
        typeof body.timeSpentSeconds === 'number'
          ? body.timeSpentSeconds
          : typeof body.timeSpent === 'string'
            ? parseDuration(body.timeSpent)
            : null;
      if (seconds === null || !Number.isInteger(seconds) || seconds <= 0)
        errors.timeLogged = JIRA_MESSAGES.worklogTimeRequired;
      else target.timeSpentSeconds = seconds;
    }
    if (body.started !== undefined) {
      if (typeof body.started !== 'string' || !STARTED.test(body.started))
        errors.started = JIRA_MESSAGES.worklogStartedInvalid;
      else target.started = parseStarted(body.started);
    }
    if (body.comment !== undefined) {
      if (body.comment !== null && adfProblem(body.comment) !== null) errors.comment = JIRA_MESSAGES.notAdf;
      else target.comment = (body.comment as Adf | null) ?? null;
    }
    return errors;
  };

  return [
    platform('GET', '/rest/api/3/issueLinkType', (c) =>
      c.json({ issueLinkTypes: LINK_TYPES.map((t) => renderLinkType(c.get('actor').site, t)) }),
    ),
    platform('GET', '/rest/api/3/issueLinkType/{issueLinkTypeId}', (c) => {
      const type = LINK_TYPES.find((t) => t.id === c.req.param('issueLinkTypeId'));
      if (!type)
        return jiraError(c, 404, [JIRA_MESSAGES.linkTypeNotFound(c.req.param('issueLinkTypeId') ?? '')]);
      return c.json(renderLinkType(c.get('actor').site, type));
    }),
    platform('POST', '/rest/api/3/issueLink', (c) => {
      const actor = c.get('actor');
      const body = bodyRecord(c);
      const ref = (value: unknown) => (isRecord(value) ? String(value.key ?? value.id ?? '') : '');
      const typeRef = isRecord(body.type) ? body.type : {};
      const type = LINK_TYPES.find(
        (t) => (typeRef.id !== undefined && t.id === String(typeRef.id)) || t.name === typeRef.name,
      );
      if (!type)
        return jiraError(c, 404, [JIRA_MESSAGES.linkTypeNotFound(String(typeRef.id ?? typeRef.name ?? ''))]);
      const inward = visibleIssue(services, actor, ref(body.inwardIssue));
      const outward = visibleIssue(services, actor, ref(body.outwardIssue));
      if (!inward || !outward) return issueNotFound(c);
      if (!actorCan(actor, inward.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      if (inward.issue.id === outward.issue.id) return jiraError(c, 400, [JIRA_MESSAGES.selfLink]);
      const id = nextId(state);
      state.issueLinks.set(id, {
        id,
        typeId: type.id,
        inwardIssueId: inward.issue.id,
        outwardIssueId: outward.issue.id,
      });
      record(inward.issue, actor.user.accountId, [linkItem(type.id, outward.issue, true, false)]);
      record(outward.issue, actor.user.accountId, [linkItem(type.id, inward.issue, false, false)]);
      if (
        isRecord(body.comment) &&
        body.comment.body !== undefined &&
        adfProblem(body.comment.body) === null
      ) {
        // Jira adds the optional comment to the inward issue; reuse the normal comment path via the state.
        const at = services.now();
        const commentId = String(state.counters.commentId++);
        state.comments.set(commentId, {
          id: commentId,
          issueId: inward.issue.id,
          authorId: actor.user.accountId,
          updateAuthorId: actor.user.accountId,
          body: body.comment.body as Adf,
          created: at,
          updated: at,
          jsdPublic: true,
          properties: new Map(),
        });
        inward.issue.commentIds.push(commentId);
      }
      return c.body(null, 201, { Location: `${actor.site.apiUrl}/rest/api/3/issueLink/${id}` });
    }),
    platform('GET', '/rest/api/3/issueLink/{linkId}', (c) => {
      const link = state.issueLinks.get(c.req.param('linkId') ?? '');
      const actor = c.get('actor');
      if (
        !link ||
        !visibleIssue(services, actor, link.inwardIssueId) ||
        !visibleIssue(services, actor, link.outwardIssueId)
      )
        return jiraError(c, 404, [JIRA_MESSAGES.linkNotFound(c.req.param('linkId') ?? '')]);
      c.set('returnedObjects', 1);
      return c.json(renderIssueLink(state, actor.site, link));
    }),
    platform('DELETE', '/rest/api/3/issueLink/{linkId}', (c) => {
      const link = state.issueLinks.get(c.req.param('linkId') ?? '');
      const actor = c.get('actor');
      const inward = link ? visibleIssue(services, actor, link.inwardIssueId) : null;
      const outward = link ? visibleIssue(services, actor, link.outwardIssueId) : null;
      if (!link || !inward || !outward)
        return jiraError(c, 404, [JIRA_MESSAGES.linkNotFound(c.req.param('linkId') ?? '')]);
      if (!actorCan(actor, inward.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      state.issueLinks.delete(link.id);
      record(inward.issue, actor.user.accountId, [linkItem(link.typeId, outward.issue, true, true)]);
      record(outward.issue, actor.user.accountId, [linkItem(link.typeId, inward.issue, false, true)]);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/remotelink', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const globalId = c.req.query('globalId');
      const links = found.issue.remoteLinks.filter((l) => !globalId || l.globalId === globalId);
      if (globalId && links.length === 0)
        return jiraError(c, 404, [JIRA_MESSAGES.remoteLinkNotFound(globalId)]);
      c.set('returnedObjects', links.length);
      const rendered = links.map((l) => renderRemoteLink(c.get('actor').site, found.issue, l));
      return c.json(globalId ? rendered[0] : rendered);
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/remotelink', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      if (!actorCan(c.get('actor'), found.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      const body = bodyRecord(c);
      const object = isRecord(body.object) ? body.object : null;
      if (!object || typeof object.url !== 'string' || typeof object.title !== 'string')
        return jiraError(c, 400, [], { object: JIRA_MESSAGES.remoteLinkObjectRequired });
      const globalId = typeof body.globalId === 'string' ? body.globalId : null;
      const existing = globalId ? found.issue.remoteLinks.find((l) => l.globalId === globalId) : undefined;
      const link: RemoteLinkRecord = existing ?? {
        id: Number(nextId(state)),
        globalId,
        application: null,
        relationship: null,
        object,
      };
      link.object = object;
      link.application = isRecord(body.application) ? body.application : null;
      link.relationship = typeof body.relationship === 'string' ? body.relationship : null;
      if (!existing) found.issue.remoteLinks.push(link);
      found.issue.updated = services.now();
      const self = `${c.get('actor').site.apiUrl}/rest/api/3/issue/${found.issue.key}/remotelink/${link.id}`;
      return c.json({ id: link.id, self }, existing ? 200 : 201);
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/remotelink', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const globalId = c.req.query('globalId');
      if (!globalId) return jiraError(c, 400, [JIRA_MESSAGES.globalIdRequired]);
      if (!actorCan(c.get('actor'), found.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      const before = found.issue.remoteLinks.length;
      found.issue.remoteLinks = found.issue.remoteLinks.filter((l) => l.globalId !== globalId);
      if (found.issue.remoteLinks.length === before)
        return jiraError(c, 404, [JIRA_MESSAGES.remoteLinkNotFound(globalId)]);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const link = found.issue.remoteLinks.find((l) => String(l.id) === c.req.param('linkId'));
      if (!link) return jiraError(c, 404, [JIRA_MESSAGES.remoteLinkNotFound(c.req.param('linkId') ?? '')]);
      c.set('returnedObjects', 1);
      return c.json(renderRemoteLink(c.get('actor').site, found.issue, link));
    }),
    platform('PUT', '/rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const link = found.issue.remoteLinks.find((l) => String(l.id) === c.req.param('linkId'));
      if (!link) return jiraError(c, 404, [JIRA_MESSAGES.remoteLinkNotFound(c.req.param('linkId') ?? '')]);
      if (!actorCan(c.get('actor'), found.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      const body = bodyRecord(c);
      const object = isRecord(body.object) ? body.object : null;
      if (!object || typeof object.url !== 'string' || typeof object.title !== 'string')
        return jiraError(c, 400, [], { object: JIRA_MESSAGES.remoteLinkObjectRequired });
      link.object = object;
      if (typeof body.globalId === 'string') link.globalId = body.globalId;
      if (isRecord(body.application)) link.application = body.application;
      if (typeof body.relationship === 'string') link.relationship = body.relationship;
      return c.body(null, 204);
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const link = found.issue.remoteLinks.find((l) => String(l.id) === c.req.param('linkId'));
      if (!link) return jiraError(c, 404, [JIRA_MESSAGES.remoteLinkNotFound(c.req.param('linkId') ?? '')]);
      if (!actorCan(c.get('actor'), found.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noLinkPermission]);
      found.issue.remoteLinks = found.issue.remoteLinks.filter((l) => l !== link);
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/worklog', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const after = Number(c.req.query('startedAfter') ?? Number.NEGATIVE_INFINITY);
      const before = Number(c.req.query('startedBefore') ?? Number.POSITIVE_INFINITY);
      const all = found.issue.worklogIds
        .flatMap((id) => state.worklogs.get(id) ?? [])
        .filter((w) => w.started >= after && w.started <= before);
      const page = offsetPage(c, all, 5000, 5000);
      if (!page) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
      return c.json({
        startAt: page.startAt,
        maxResults: page.maxResults,
        total: all.length,
        worklogs: page.values.map((w) => renderWorklog(state, c.get('actor').site, w)),
      });
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/worklog', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const actor = c.get('actor');
      if (!actorCan(actor, found.project, 'EDIT_ISSUES') && !actorCan(actor, found.project, 'ADD_COMMENTS'))
        return jiraError(c, 403, [JIRA_MESSAGES.noWorklogPermission]);
      const at = services.now();
      const worklog: WorklogRecord = {
        id: nextId(state),
        issueId: found.issue.id,
        authorId: actor.user.accountId,
        updateAuthorId: actor.user.accountId,
        comment: null,
        started: at,
        timeSpentSeconds: 0,
        created: at,
        updated: at,
      };
      const errors = applyWorklog(c, worklog, true);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      state.worklogs.set(worklog.id, worklog);
      found.issue.worklogIds.push(worklog.id);
      record(found.issue, actor.user.accountId, [
        {
          field: 'timespent',
          fieldtype: 'jira',
          fieldId: 'timespent',
          from: null,
          fromString: null,
          to: String(worklog.timeSpentSeconds),
          toString: String(worklog.timeSpentSeconds),
        },
        {
          field: 'WorklogId',
          fieldtype: 'jira',
          from: null,
          fromString: null,
          to: worklog.id,
          toString: worklog.id,
        },
      ]);
      return c.json(renderWorklog(state, actor.site, worklog), 201);
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/worklog/{id}', (c) => {
      const target = worklogAt(c);
      if (!target) return jiraError(c, 404, [JIRA_MESSAGES.worklogNotFound(c.req.param('id') ?? '')]);
      c.set('returnedObjects', 1);
      return c.json(renderWorklog(state, c.get('actor').site, target.worklog));
    }),
    platform('PUT', '/rest/api/3/issue/{issueIdOrKey}/worklog/{id}', (c) => {
      const target = worklogAt(c);
      if (!target) return jiraError(c, 404, [JIRA_MESSAGES.worklogNotFound(c.req.param('id') ?? '')]);
      const actor = c.get('actor');
      if (target.worklog.authorId !== actor.user.accountId && !actorCan(actor, target.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noWorklogPermission]);
      const draft = { ...target.worklog };
      const errors = applyWorklog(c, draft, false);
      if (Object.keys(errors).length > 0) return jiraError(c, 400, [], errors);
      Object.assign(target.worklog, draft, { updated: services.now(), updateAuthorId: actor.user.accountId });
      return c.json(renderWorklog(state, actor.site, target.worklog));
    }),
    platform('DELETE', '/rest/api/3/issue/{issueIdOrKey}/worklog/{id}', (c) => {
      const target = worklogAt(c);
      if (!target) return jiraError(c, 404, [JIRA_MESSAGES.worklogNotFound(c.req.param('id') ?? '')]);
      const actor = c.get('actor');
      if (target.worklog.authorId !== actor.user.accountId && !actorCan(actor, target.project, 'EDIT_ISSUES'))
        return jiraError(c, 403, [JIRA_MESSAGES.noWorklogPermission]);
      state.worklogs.delete(target.worklog.id);
      target.issue.worklogIds = target.issue.worklogIds.filter((id) => id !== target.worklog.id);
      state.deletedWorklogs.push({
        worklogId: Number(target.worklog.id),
        updatedTime: services.now(),
        properties: [],
      });
      return c.body(null, 204);
    }),
    platform('POST', '/rest/api/3/worklog/list', (c) => {
      const body = bodyRecord(c);
      const ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
      if (ids.length === 0 || ids.length > 1000) return jiraError(c, 400, [JIRA_MESSAGES.worklogIdsRequired]);
      const actor = c.get('actor');
      const worklogs = ids.flatMap((id) => {
        const worklog = state.worklogs.get(id);
        return worklog && visibleIssue(services, actor, worklog.issueId)
          ? [renderWorklog(state, actor.site, worklog)]
          : [];
      });
      c.set('returnedObjects', worklogs.length);
      return c.json(worklogs);
    }),
    platform('GET', '/rest/api/3/worklog/updated', (c) => {
      const since = Number(c.req.query('since') ?? 0);
      const changed = [...state.worklogs.values()]
        .filter((w) => w.updated >= since)
        .sort((a, b) => a.updated - b.updated)
        .slice(0, 1000);
      const until = changed.length > 0 ? changed[changed.length - 1].updated : since;
      return c.json({
        since,
        until,
        lastPage: true,
        self: `${c.get('actor').site.apiUrl}/rest/api/3/worklog/updated?since=${since}`,
        values: changed.map((w) => ({ worklogId: Number(w.id), updatedTime: w.updated, properties: [] })),
      });
    }),
    platform('GET', '/rest/api/3/worklog/deleted', (c) => {
      const since = Number(c.req.query('since') ?? 0);
      const values = state.deletedWorklogs.filter((w) => w.updatedTime >= since);
      return c.json({
        since,
        until: values.length > 0 ? values[values.length - 1].updatedTime : since,
        lastPage: true,
        self: `${c.get('actor').site.apiUrl}/rest/api/3/worklog/deleted?since=${since}`,
        values,
      });
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/changelog', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      return pageBean(c, found.issue.histories, (h) => renderHistory(state, c.get('actor').site, h), 100);
    }),
    platform('POST', '/rest/api/3/issue/{issueIdOrKey}/changelog/list', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      const body = bodyRecord(c);
      const ids = Array.isArray(body.changelogIds) ? body.changelogIds.map(String) : [];
      if (ids.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.changelogIdsRequired]);
      const histories = found.issue.histories.filter((h) => ids.includes(h.id));
      c.set('returnedObjects', histories.length);
      return c.json({
        startAt: 0,
        maxResults: histories.length,
        total: histories.length,
        histories: histories.map((h) => renderHistory(state, c.get('actor').site, h)),
      });
    }),
    platform('GET', '/rest/api/3/issue/{issueIdOrKey}/editmeta', (c) => {
      const found = issueAt(c);
      if (!found) return issueNotFound(c);
      if (!actorCan(c.get('actor'), found.project, 'EDIT_ISSUES')) return c.json({ fields: {} });
      return c.json(editMeta(state, c.get('actor').site, found.project, found.issue.issueTypeId));
    }),
  ];
}
