/**
 * Dynamic webhooks of OAuth 2.0 apps (`/rest/api/3/webhook`): registration (per app and site, 30 days life,
 * refreshable), and delivery of Jira's payloads to the registered URL after each change whose issue matches the
 * webhook's JQL. Deliveries are POSTed in the background; `flush()` waits for them (tests), `deliveries()` lists
 * them, failed ones are listed by `GET /webhook/failed`.
 */
import type { ApiRoute, ApiServices } from '../api/context';
import { bodyRecord, offsetPage, platform } from '../api/context';
import { jiraError } from '../api/errors';
import type { JiraChange } from '../contracts';
import type { SandboxState, WebhookRecord } from '../state';
import { compileJql, JqlError, parseJql } from './jql';
import { JIRA_MESSAGES } from './messages';
import { renderUser } from './render';

export const WEBHOOK_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'issue_property_set',
  'issue_property_deleted',
] as const;
const WEBHOOK_EVENT: Record<JiraChange['eventType'], (typeof EVENTS)[number]> = {
  'avi:jira:created:issue': 'jira:issue_created',
  'avi:jira:updated:issue': 'jira:issue_updated',
  'avi:jira:deleted:issue': 'jira:issue_deleted',
  'avi:jira:commented:issue': 'comment_created',
};

export interface WebhookDelivery {
  webhookIds: number[];
  url: string;
  event: string;
  at: number;
  /** HTTP status of the receiver, or 0 when it could not be reached. */
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookDispatcher {
  onJiraChange(change: JiraChange): void;
  /** Resolves when every delivery started so far has finished. */
  flush(): Promise<void>;
  deliveries(): WebhookDelivery[];
  reset(): void;
}

export function createWebhookDispatcher(
  state: () => SandboxState,
  now: () => number,
  post: (url: string, body: string) => Promise<number> = async (url, body) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  },
): WebhookDispatcher {
  const pending = new Set<Promise<void>>();
  let log: WebhookDelivery[] = [];

  const matches = (hook: WebhookRecord, change: JiraChange, event: string): boolean => {
    const current = state();
    if (hook.cloudId !== change.cloudId || hook.expirationDate <= now() || !hook.events.includes(event))
      return false;
    if (event === 'jira:issue_updated' && hook.fieldIdsFilter) {
      const items = ((change.changelog?.items as Array<{ fieldId?: string }> | undefined) ?? []).map(
        (i) => i.fieldId,
      );
      if (!items.some((id) => id !== undefined && hook.fieldIdsFilter?.includes(id))) return false;
    }
    const issue = current.issues.get(change.issue.id);
    // A deleted issue is judged by the fields it had.
    if (!issue) return true;
    try {
      const compiled = compileJql(parseJql(hook.jqlFilter), {
        state: current,
        cloudId: hook.cloudId,
        currentAccountId: hook.accountId,
        now: now(),
        canBrowse: () => true,
      });
      return compiled.matches(issue);
    } catch {
      return false;
    }
  };

  return {
    onJiraChange(change) {
      const current = state();
      const event = WEBHOOK_EVENT[change.eventType];
      const byUrl = new Map<string, number[]>();
      for (const hook of current.webhooks.values()) {
        if (matches(hook, change, event)) byUrl.set(hook.url, [...(byUrl.get(hook.url) ?? []), hook.id]);
      }
      const actor = current.users.get(change.actorAccountId);
      const site = current.sites.get(change.cloudId);
      for (const [url, webhookIds] of byUrl) {
        const issue = {
          id: change.issue.id,
          key: change.issue.key,
          self: `${site?.apiUrl}/rest/api/3/issue/${change.issue.id}`,
          fields: change.issue.fields,
        };
        const body: Record<string, unknown> = {
          timestamp: change.timestamp,
          webhookEvent: event,
          ...(event.startsWith('jira:issue')
            ? {
                issue_event_type_name:
                  event === 'jira:issue_created'
                    ? 'issue_created'
                    : event === 'jira:issue_deleted'
                      ? 'issue_deleted'
                      : 'issue_generic',
                ...(actor && site ? { user: renderUser(site, actor) } : {}),
                issue,
                ...(change.changelog ? { changelog: change.changelog } : {}),
              }
            : { comment: change.comment, issue }),
          matchedWebhookIds: webhookIds,
        };
        const delivery: WebhookDelivery = { webhookIds, url, event, at: now(), status: 0, body };
        log.push(delivery);
        const sending = post(url, JSON.stringify(body))
          .then((status) => {
            delivery.status = status;
          })
          .catch(() => {
            delivery.status = 0;
          })
          .finally(() => pending.delete(sending));
        pending.add(sending);
      }
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    deliveries: () => [...log],
    reset() {
      log = [];
    },
  };
}

export function webhookRoutes(services: ApiServices, dispatcher: () => WebhookDispatcher): ApiRoute[] {
  const { state } = services;
  const own = (appKey: string, cloudId: string) =>
    [...state.webhooks.values()].filter((h) => h.appKey === appKey && h.cloudId === cloudId);
  const idsOf = (value: unknown): number[] | null =>
    Array.isArray(value) && value.length > 0 && value.every((v) => Number.isInteger(v))
      ? (value as number[])
      : null;

  return [
    platform('POST', '/rest/api/3/webhook', (c) => {
      const actor = c.get('actor');
      const body = bodyRecord(c);
      if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url) || !Array.isArray(body.webhooks))
        return jiraError(c, 400, [JIRA_MESSAGES.webhookRegistrationInvalid]);
      const results = body.webhooks.map((entry) => {
        const hook = (entry ?? {}) as Record<string, unknown>;
        const events = Array.isArray(hook.events) ? hook.events.map(String) : [];
        const errors: string[] = [];
        if (events.length === 0) errors.push(JIRA_MESSAGES.webhookEventsRequired);
        const unknown = events.find((e) => !(EVENTS as readonly string[]).includes(e));
        if (unknown) errors.push(JIRA_MESSAGES.webhookEventUnknown(unknown));
        const jql = typeof hook.jqlFilter === 'string' ? hook.jqlFilter : '';
        if (!jql) errors.push(JIRA_MESSAGES.webhookJqlRequired);
        else {
          try {
            parseJql(jql);
          } catch (error) {
            if (error instanceof JqlError) errors.push(error.message);
            else throw error;
          }
        }
        if (errors.length > 0) return { errors };
        const record: WebhookRecord = {
          id: state.counters.webhookId++,
          appKey: actor.appKey,
          accountId: actor.user.accountId,
          cloudId: actor.site.cloudId,
          url: body.url as string,
          jqlFilter: jql,
          events,
          fieldIdsFilter: Array.isArray(hook.fieldIdsFilter) ? hook.fieldIdsFilter.map(String) : null,
          issuePropertyKeysFilter: Array.isArray(hook.issuePropertyKeysFilter)
            ? hook.issuePropertyKeysFilter.map(String)
            : null,
          expirationDate: services.now() + WEBHOOK_LIFETIME_MS,
        };
        state.webhooks.set(record.id, record);
        return { createdWebhookId: record.id };
      });
      return c.json({ webhookRegistrationResult: results });
    }),
    platform('GET', '/rest/api/3/webhook', (c) => {
      const actor = c.get('actor');
      const page = offsetPage(c, own(actor.appKey, actor.site.cloudId), 100, 100);
      if (!page) return jiraError(c, 400, [JIRA_MESSAGES.invalidMaxResults]);
      return c.json({
        self: `${actor.site.apiUrl}/rest/api/3/webhook?startAt=${page.startAt}&maxResults=${page.maxResults}`,
        maxResults: page.maxResults,
        startAt: page.startAt,
        total: own(actor.appKey, actor.site.cloudId).length,
        isLast: page.isLast,
        values: page.values.map((h) => ({
          id: h.id,
          jqlFilter: h.jqlFilter,
          events: h.events,
          expirationDate: h.expirationDate,
          url: h.url,
          ...(h.fieldIdsFilter ? { fieldIdsFilter: h.fieldIdsFilter } : {}),
          ...(h.issuePropertyKeysFilter ? { issuePropertyKeysFilter: h.issuePropertyKeysFilter } : {}),
        })),
      });
    }),
    platform('DELETE', '/rest/api/3/webhook', (c) => {
      const actor = c.get('actor');
      const ids = idsOf(bodyRecord(c).webhookIds);
      if (!ids) return jiraError(c, 400, [JIRA_MESSAGES.webhookIdsRequired]);
      for (const hook of own(actor.appKey, actor.site.cloudId))
        if (ids.includes(hook.id)) state.webhooks.delete(hook.id);
      return c.body(null, 202);
    }),
    platform('PUT', '/rest/api/3/webhook/refresh', (c) => {
      const actor = c.get('actor');
      const ids = idsOf(bodyRecord(c).webhookIds);
      if (!ids) return jiraError(c, 400, [JIRA_MESSAGES.webhookIdsRequired]);
      const expirationDate = services.now() + WEBHOOK_LIFETIME_MS;
      for (const hook of own(actor.appKey, actor.site.cloudId))
        if (ids.includes(hook.id)) hook.expirationDate = expirationDate;
      return c.json({ expirationDate });
    }),
    platform('GET', '/rest/api/3/webhook/failed', (c) => {
      const actor = c.get('actor');
      const mine = new Set(own(actor.appKey, actor.site.cloudId).map((h) => h.id));
      const after = Number(c.req.query('after') ?? 0);
      const max = Math.min(Number(c.req.query('maxResults') ?? 100) || 100, 100);
      const failed = dispatcher()
        .deliveries()
        .filter(
          (d) =>
            (d.status === 0 || d.status >= 400) && d.at > after && d.webhookIds.some((id) => mine.has(id)),
        )
        .slice(0, max);
      return c.json({
        maxResults: max,
        values: failed.map((d) => ({
          id: String(d.webhookIds[0]),
          body: JSON.stringify(d.body),
          url: d.url,
          failureTime: d.at,
        })),
        ...(failed.length > 0
          ? {
              next: `${actor.site.apiUrl}/rest/api/3/webhook/failed?after=${failed[failed.length - 1].at}&maxResults=${max}`,
            }
          : {}),
      });
    }),
  ];
}
