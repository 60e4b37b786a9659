/** A Jira connection as stored: read by connections (its owner), forge, proxy, sync and the console alike. */
import type { jiraConnections } from '../db/schema';

export type JiraConnection = typeof jiraConnections.$inferSelect;
