/**
 * The two sides' values of one linked pair, in one vocabulary (Jira's ids, canonical Markdown, lower-case
 * emails), so the sync compares platform, Jira and the last synced values ("shadow") field by field.
 */
import type { TicketPriority, TicketStatus } from '../db/schema';
import type { Ticket } from '../tickets/service';
import { canonicalMarkdown, toMarkdown } from './adf';
import type { SyncConfig } from './config';

export const PAIR_FIELDS = ['summary', 'description', 'status', 'priority', 'assignee', 'reporter'] as const;
export type PairField = (typeof PAIR_FIELDS)[number];
export type PairValues = Record<PairField, string | null>;

/** Which ticket column each pair field is. */
export const TICKET_FIELD_OF: Record<PairField, keyof Ticket & string> = {
  summary: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assignee: 'assigneeEmail',
  reporter: 'requesterEmail',
};

export interface JiraUser {
  accountId: string;
  accountType?: string;
  emailAddress?: string;
  displayName?: string;
}

export interface JiraComment {
  id: string;
  author?: JiraUser;
  body?: unknown;
  created?: string;
  jsdPublic?: boolean;
}

export interface JiraIssue {
  id: string;
  key: string;
  fields: {
    summary?: string;
    description?: unknown;
    status?: { id: string; name: string };
    priority?: { id: string; name: string } | null;
    assignee?: JiraUser | null;
    reporter?: JiraUser | null;
    /** Who made the issue (the app, for the sync's own creates). */
    creator?: JiraUser | null;
    updated?: string;
    created?: string;
    project?: { id: string; key: string };
    comment?: { comments: JiraComment[] };
  };
  properties?: Record<string, unknown>;
}

export const TICKET_PROPERTY = 'platform.ticket';
/** The ticket property's value: which ticket (and team) an issue belongs to. */
export const ticketPropertyValue = (ticket: Pick<Ticket, 'id' | 'teamId'>) => ({
  ticketId: ticket.id,
  teamId: ticket.teamId,
});
export const ISSUE_FIELDS =
  'summary,description,status,priority,assignee,reporter,creator,updated,created,project,comment';

const lower = (value: string | undefined | null) => (value ? value.toLowerCase() : null);

/** The issue's values as the pair compares them. */
export function jiraValues(issue: JiraIssue): PairValues {
  return {
    summary: issue.fields.summary ?? '',
    description: toMarkdown(issue.fields.description),
    status: issue.fields.status?.id ?? null,
    priority: issue.fields.priority?.id ?? null,
    assignee: lower(issue.fields.assignee?.emailAddress),
    reporter: lower(issue.fields.reporter?.emailAddress),
  };
}

/**
 * The ticket's values in Jira's terms. A status or priority keeps the Jira value it already has when that value
 * is one of those mapped to the ticket's value (several Jira values may stand for one platform value).
 */
export function platformValues(ticket: Ticket, config: SyncConfig, current: Partial<PairValues>): PairValues {
  const pick = (mapped: string[], now: string | null | undefined) =>
    now && mapped.includes(now) ? now : mapped[0];
  return {
    summary: ticket.title,
    description: canonicalMarkdown(ticket.description),
    status: pick(config.statusMapping[ticket.status], current.status),
    priority: pick(config.priorityMapping[ticket.priority], current.priority),
    assignee: ticket.assigneeEmail,
    reporter: ticket.requesterEmail,
  };
}

/** The platform value a Jira status or priority stands for, keeping the ticket's own when it maps there. */
export function platformValueOf<T extends TicketStatus | TicketPriority>(
  mapping: Record<T, string[]>,
  jiraId: string,
  current: T | undefined,
): T | null {
  if (current && mapping[current]?.includes(jiraId)) return current;
  const found = (Object.keys(mapping) as T[]).find((value) => mapping[value].includes(jiraId));
  return found ?? null;
}
