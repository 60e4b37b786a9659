/**
 * JSM around one customer request: my requests, status history, customer transitions, approvals, participants,
 * SLAs, one comment, attachments, notification subscription and feedback; plus JSM `info`.
 */
import { textToAdf } from '../adf';
import {
  type ApiActor,
  type ApiContext,
  type ApiRoute,
  type ApiServices,
  bodyRecord,
  isRecord,
  jsm,
} from '../api/context';
import { addComment, editIssue } from '../jira/issue-write';
import { availableTransitions } from '../jira/workflow';
import type { ApprovalRecord, IssueRecord, ProjectRecord } from '../state';
import { JSM_MESSAGES } from './messages';
import { commentDto, customerRequestDto, dateDto, pagedDto, userDto } from './render';
import { fail, isAgent, jsmLookups, paging } from './routes';

/** The goals of the two SLAs every desk has here (JSM's defaults: 4h first response, 8h resolution). */
const SLAS = [
  { id: '1', name: 'Time to first response', goalMs: 4 * 3_600_000 },
  { id: '2', name: 'Time to resolution', goalMs: 8 * 3_600_000 },
] as const;

function durationDto(ms: number) {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text = minutes >= 60 ? `${Math.floor(minutes / 60)}h ${minutes % 60}m` : `${minutes}m`;
  return { millis: ms, friendly: ms < 0 ? `-${text}` : text };
}

export function jsmRequestRoutes(services: ApiServices): ApiRoute[] {
  const { state } = services;
  const { visibleDesks, requestTypeOf, visibleRequest } = jsmLookups(services);
  const site = (c: ApiContext) => c.get('actor').site;
  const base = (issue: IssueRecord) => `/rest/servicedeskapi/request/${issue.id}`;
  const page = <T>(c: ApiContext, path: string, all: T[]) => {
    const p = paging(c);
    if (!p) return fail(c, 400, JSM_MESSAGES.invalidPaging);
    const body = pagedDto(site(c), path, all, p.start, p.limit);
    c.set('returnedObjects', body.size);
    return c.json(body);
  };
  /** Reporter, participants and agents take part in a request; others only see it if they may browse. */
  const takesPart = (actor: ApiActor, issue: IssueRecord, project: ProjectRecord) =>
    issue.reporterId === actor.user.accountId ||
    issue.participantIds.includes(actor.user.accountId) ||
    isAgent(actor, project);
  const approvalDto = (c: ApiContext, issue: IssueRecord, approval: ApprovalRecord) => {
    const actor = c.get('actor');
    const final =
      approval.completed === null
        ? 'pending'
        : Object.values(approval.decisions).includes('declined')
          ? 'declined'
          : 'approved';
    return {
      id: approval.id,
      name: approval.name,
      finalDecision: final,
      canAnswerApproval:
        approval.completed === null && approval.decisions[actor.user.accountId] === 'pending',
      approvers: approval.approverIds.flatMap((id) => {
        const user = state.users.get(id);
        return user ? [{ approver: userDto(site(c), user), approverDecision: approval.decisions[id] }] : [];
      }),
      createdDate: dateDto(approval.created),
      ...(approval.completed !== null ? { completedDate: dateDto(approval.completed) } : {}),
      _links: { self: `${site(c).apiUrl}${base(issue)}/approval/${approval.id}` },
    };
  };
  const accountIds = (c: ApiContext): string[] | null => {
    const ids = bodyRecord(c).accountIds;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? (ids as string[]) : null;
  };

  return [
    jsm('GET', '/rest/servicedeskapi/info', (c) =>
      c.json({
        version: '10.4.0',
        platformVersion: '1001.0.0',
        buildDate: dateDto(Date.parse('2026-11-01T00:00:00Z')),
        buildChangeSet: 'sandbox',
        isLicensedForUse: true,
        _links: { self: `${site(c).apiUrl}/rest/servicedeskapi/info` },
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/request', (c) => {
      const actor = c.get('actor');
      const ownership = c.req.query('requestOwnership') ?? 'OWNED_REQUESTS';
      const status = c.req.query('requestStatus') ?? 'ALL_REQUESTS';
      const deskId = c.req.query('serviceDeskId');
      const typeId = c.req.query('requestTypeId');
      const term = c.req.query('searchTerm')?.toLowerCase();
      const desks = visibleDesks(actor).filter((p) => !deskId || p.serviceDesk?.id === deskId);
      const requests = [...state.issues.values()]
        .filter((issue) => {
          const project = desks.find((p) => p.id === issue.projectId);
          if (!project || !issue.requestTypeId) return false;
          const done = state.statuses.get(issue.statusId)?.category === 'done';
          const mine = issue.reporterId === actor.user.accountId;
          const participating = issue.participantIds.includes(actor.user.accountId);
          return (
            (ownership === 'OWNED_REQUESTS'
              ? mine
              : ownership === 'PARTICIPATED_REQUESTS'
                ? participating
                : mine || participating || isAgent(actor, project)) &&
            (status === 'ALL_REQUESTS' || (status === 'CLOSED_REQUESTS') === done) &&
            (!typeId || issue.requestTypeId === typeId) &&
            (!term || issue.summary.toLowerCase().includes(term))
          );
        })
        .sort((a, b) => b.created - a.created)
        .flatMap((issue) => {
          const project = state.projects.get(issue.projectId) as ProjectRecord;
          const requestType = requestTypeOf(project, issue.requestTypeId ?? '');
          return requestType ? [customerRequestDto(state, actor.site, project, issue, requestType)] : [];
        });
      return page(c, '/rest/servicedeskapi/request', requests);
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/status', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const history = [...found.issue.statusHistory].reverse().map((h) => {
        const status = state.statuses.get(h.statusId);
        return {
          status: status?.name ?? '',
          statusCategory: status
            ? { new: 'NEW', indeterminate: 'INDETERMINATE', done: 'DONE' }[status.category]
            : 'UNDEFINED',
          statusDate: dateDto(h.at),
        };
      });
      return page(c, `${base(found.issue)}/status`, history);
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/transition', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const transitions = takesPart(found.actor, found.issue, found.project)
        ? availableTransitions(found.project, found.issue).map((t) => ({ id: t.id, name: t.name }))
        : [];
      return page(c, `${base(found.issue)}/transition`, transitions);
    }),
    jsm('POST', '/rest/servicedeskapi/request/{issueIdOrKey}/transition', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const body = bodyRecord(c);
      const id = body.id === undefined ? '' : String(body.id);
      const transition = takesPart(found.actor, found.issue, found.project)
        ? availableTransitions(found.project, found.issue).find((t) => t.id === id)
        : undefined;
      if (!transition) return fail(c, 400, JSM_MESSAGES.transitionInvalid(id));
      editIssue(services, found.actor, found.project, found.issue, {}, undefined, transition.to);
      const comment = isRecord(body.additionalComment) ? body.additionalComment.body : undefined;
      if (typeof comment === 'string' && comment.trim())
        addComment(services, found.actor, found.issue, textToAdf(comment), true);
      return c.body(null, 204);
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/approval', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      return page(
        c,
        `${base(found.issue)}/approval`,
        found.issue.approvals.map((a) => approvalDto(c, found.issue, a)),
      );
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const approval = found.issue.approvals.find((a) => a.id === c.req.param('approvalId'));
      if (!approval) return fail(c, 404, JSM_MESSAGES.approvalNotFound(c.req.param('approvalId') ?? ''));
      c.set('returnedObjects', 1);
      return c.json(approvalDto(c, found.issue, approval));
    }),
    jsm('POST', '/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const approval = found.issue.approvals.find((a) => a.id === c.req.param('approvalId'));
      if (!approval) return fail(c, 404, JSM_MESSAGES.approvalNotFound(c.req.param('approvalId') ?? ''));
      const decision = bodyRecord(c).decision;
      if (decision !== 'approve' && decision !== 'decline')
        return fail(c, 400, JSM_MESSAGES.approvalDecisionInvalid);
      const me = found.actor.user.accountId;
      if (!approval.approverIds.includes(me)) return fail(c, 403, JSM_MESSAGES.notAnApprover);
      if (approval.completed !== null || approval.decisions[me] !== 'pending')
        return fail(c, 409, JSM_MESSAGES.approvalAlreadyAnswered);
      approval.decisions[me] = decision === 'approve' ? 'approved' : 'declined';
      const decisions = Object.values(approval.decisions);
      if (decision === 'decline' || decisions.every((d) => d === 'approved'))
        approval.completed = services.now();
      found.issue.updated = services.now();
      return c.json(approvalDto(c, found.issue, approval));
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/participant', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const users = found.issue.participantIds.flatMap((id) => state.users.get(id) ?? []);
      return page(
        c,
        `${base(found.issue)}/participant`,
        users.map((u) => userDto(site(c), u)),
      );
    }),
    ...(['POST', 'DELETE'] as const).map((method) =>
      jsm(method, '/rest/servicedeskapi/request/{issueIdOrKey}/participant', (c) => {
        const found = visibleRequest(c);
        if (found.error) return found.error;
        const ids = accountIds(c);
        if (!ids || ids.length === 0) return fail(c, 400, JSM_MESSAGES.accountIdsRequired);
        if (!takesPart(found.actor, found.issue, found.project))
          return fail(c, 403, JSM_MESSAGES.participantsForbidden);
        const unknown = ids.find((id) => !state.users.get(id)?.siteIds.includes(found.issue.cloudId));
        if (unknown) return fail(c, 400, JSM_MESSAGES.userNotFound(unknown));
        found.issue.participantIds =
          method === 'POST'
            ? [...new Set([...found.issue.participantIds, ...ids])]
            : found.issue.participantIds.filter((id) => !ids.includes(id));
        const users = found.issue.participantIds.flatMap((id) => state.users.get(id) ?? []);
        return c.json(
          pagedDto(
            site(c),
            `${base(found.issue)}/participant`,
            users.map((u) => userDto(site(c), u)),
            0,
            50,
          ),
        );
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/sla', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      if (!isAgent(found.actor, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      return page(
        c,
        `${base(found.issue)}/sla`,
        SLAS.map((sla) => slaDto(c, found.issue, sla)),
      );
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/sla/{slaMetricId}', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      if (!isAgent(found.actor, found.project)) return fail(c, 403, JSM_MESSAGES.agentOnly);
      const sla = SLAS.find((s) => s.id === c.req.param('slaMetricId'));
      if (!sla) return fail(c, 404, JSM_MESSAGES.slaNotFound(c.req.param('slaMetricId') ?? ''));
      return c.json(slaDto(c, found.issue, sla));
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/comment/{commentId}', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const comment = state.comments.get(c.req.param('commentId') ?? '');
      const visible =
        comment &&
        comment.issueId === found.issue.id &&
        (comment.jsdPublic || isAgent(found.actor, found.project));
      if (!comment || !visible)
        return fail(c, 404, JSM_MESSAGES.commentNotFound(c.req.param('commentId') ?? ''));
      c.set('returnedObjects', 1);
      return c.json(commentDto(state, site(c), found.issue, comment));
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/attachment', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      const attachments = found.issue.attachmentIds.flatMap((id) => {
        const a = state.attachments.get(id);
        const author = a ? state.users.get(a.authorId) : undefined;
        return a
          ? [
              {
                filename: a.filename,
                ...(author ? { author: userDto(site(c), author) } : {}),
                created: dateDto(a.created),
                size: a.size,
                mimeType: a.mimeType,
                _links: {
                  self: `${site(c).apiUrl}${base(found.issue)}/attachment/${a.id}`,
                  jiraRest: `${site(c).apiUrl}/rest/api/2/attachment/${a.id}`,
                  content: `${site(c).apiUrl}/rest/api/3/attachment/content/${a.id}`,
                },
              },
            ]
          : [];
      });
      return page(c, `${base(found.issue)}/attachment`, attachments);
    }),
    jsm('GET', '/rest/servicedeskapi/request/{issueIdOrKey}/notification', (c) => {
      const found = visibleRequest(c);
      if (found.error) return found.error;
      return c.json({ subscribed: found.issue.watcherIds.includes(found.actor.user.accountId) });
    }),
    ...(['PUT', 'DELETE'] as const).map((method) =>
      jsm(method, '/rest/servicedeskapi/request/{issueIdOrKey}/notification', (c) => {
        const found = visibleRequest(c);
        if (found.error) return found.error;
        const me = found.actor.user.accountId;
        found.issue.watcherIds =
          method === 'PUT'
            ? [...new Set([...found.issue.watcherIds, me])]
            : found.issue.watcherIds.filter((id) => id !== me);
        return c.body(null, 204);
      }),
    ),
    jsm('GET', '/rest/servicedeskapi/request/{requestIdOrKey}/feedback', (c) => {
      const found = visibleRequest(c, 'requestIdOrKey');
      if (found.error) return found.error;
      if (!found.issue.feedback) return fail(c, 404, JSM_MESSAGES.feedbackNotFound);
      return c.json(feedbackDto(found.issue.feedback));
    }),
    jsm('POST', '/rest/servicedeskapi/request/{requestIdOrKey}/feedback', (c) => {
      const found = visibleRequest(c, 'requestIdOrKey');
      if (found.error) return found.error;
      const body = bodyRecord(c);
      const rating = body.rating;
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
        return fail(c, 400, JSM_MESSAGES.feedbackRatingInvalid);
      if (found.issue.reporterId !== found.actor.user.accountId)
        return fail(c, 403, JSM_MESSAGES.feedbackForbidden);
      const comment =
        isRecord(body.comment) && typeof body.comment.body === 'string' ? body.comment.body : null;
      found.issue.feedback = { rating, comment };
      return c.json(feedbackDto(found.issue.feedback));
    }),
    jsm('DELETE', '/rest/servicedeskapi/request/{requestIdOrKey}/feedback', (c) => {
      const found = visibleRequest(c, 'requestIdOrKey');
      if (found.error) return found.error;
      if (!found.issue.feedback) return fail(c, 404, JSM_MESSAGES.feedbackNotFound);
      if (found.issue.reporterId !== found.actor.user.accountId)
        return fail(c, 403, JSM_MESSAGES.feedbackForbidden);
      delete found.issue.feedback;
      return c.body(null, 204);
    }),
  ];

  function slaDto(c: ApiContext, issue: IssueRecord, sla: (typeof SLAS)[number]) {
    const now = services.now();
    const stop = sla.id === '2' ? issue.resolutionDate : firstAgentReply(issue);
    const elapsed = (stop ?? now) - issue.created;
    const cycle = {
      startTime: dateDto(issue.created),
      breachTime: dateDto(issue.created + sla.goalMs),
      breached: elapsed > sla.goalMs,
      goalDuration: durationDto(sla.goalMs),
      elapsedTime: durationDto(elapsed),
      remainingTime: durationDto(sla.goalMs - elapsed),
    };
    return {
      id: sla.id,
      name: sla.name,
      ...(stop !== null
        ? { completedCycles: [{ ...cycle, stopTime: dateDto(stop) }] }
        : { completedCycles: [], ongoingCycle: { ...cycle, paused: false, withinCalendarHours: true } }),
      slaDisplayFormat: 'NEW_SLA_FORMAT',
      _links: { self: `${site(c).apiUrl}${base(issue)}/sla/${sla.id}` },
    };
  }

  /** When someone other than the reporter first answered publicly (the first-response SLA stops there). */
  function firstAgentReply(issue: IssueRecord): number | null {
    for (const id of issue.commentIds) {
      const comment = state.comments.get(id);
      if (comment?.jsdPublic && comment.authorId !== issue.reporterId) return comment.created;
    }
    return null;
  }
}

function feedbackDto(feedback: { rating: number; comment: string | null }) {
  return {
    type: 'csat',
    rating: feedback.rating,
    ...(feedback.comment ? { comment: { body: feedback.comment } } : {}),
  };
}
