/**
 * The Jira calls of one run. Every call goes through the one Atlassian HTTP client with the identity the run
 * chose (the proxy's credential rules), and is logged as a step: written before the call leaves (so a crash
 * shows which call may have reached Jira) and completed with status and duration after. Tokens and bodies are
 * never logged.
 */

import { AS_JIRA_USER_HEADER, USE_CONNECT_AUTH_HEADER } from '@jira-integration/shared';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { eq } from 'drizzle-orm';
import { parseJiraContent } from '../atlassian/content';
import { admitAtlassianCall, observeAtlassianBudget } from '../atlassian/fair-share';
import { AtlassianUnavailableError, answerHeaderReader, atlassianFetch } from '../atlassian/http';
import { rateLimitBudget } from '../atlassian/rate-limit';
import type { Services } from '../context';
import { workflowRunSteps } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import { chooseCredentials, type ProxyCredentials } from '../proxy/credentials';
import { WorkflowError } from './definition';

export interface JiraAnswer<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body, or a raw body (e.g. multipart) with its own content type. */
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface IdentityChoice {
  useServiceAccount: boolean;
  asJiraUser: string | null;
}

export class JiraSteps {
  private credentials?: ProxyCredentials;

  constructor(
    private readonly services: Services,
    private readonly connection: JiraConnection,
    private readonly runId: string,
    private readonly attempt: number,
    private readonly identity: IdentityChoice,
    private readonly beforeCall?: (step: { name: string; method: string; path: string }) => Promise<void>,
  ) {}

  /** The proxy's rules exactly: the opt-in headers mean nothing on connections the Forge app has not upgraded. */
  private async chosenCredentials(): Promise<ProxyCredentials> {
    if (!this.credentials) {
      const headers: Record<string, string> = {};
      if (this.identity.useServiceAccount) headers[USE_CONNECT_AUTH_HEADER] = 'true';
      if (this.identity.asJiraUser) headers[AS_JIRA_USER_HEADER] = this.identity.asJiraUser;
      try {
        this.credentials = await chooseCredentials(this.services, this.connection, headers);
      } catch (error) {
        if (error instanceof ApiError) throw new WorkflowError(error.code, error.message);
        throw error;
      }
    }
    return this.credentials;
  }

  /** One call; answers of any status come back (the definition decides what a 404 means). */
  async call<T = unknown>(name: string, method: string, path: string, options: CallOptions = {}) {
    const credentials = await this.chosenCredentials();
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const query = search.size ? `?${search}` : '';
    const headers = new Headers(options.headers);
    headers.set('authorization', `Bearer ${credentials.token}`);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    let body = options.body;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    }
    const [step] = await this.services.db
      .insert(workflowRunSteps)
      .values({
        runId: this.runId,
        attempt: this.attempt,
        name,
        method,
        path: path.slice(0, 300),
        identity: credentials.mode,
        asJiraUser: credentials.asJiraUser ?? null,
        startedAt: this.services.clock.now(),
      })
      .returning({ id: workflowRunSteps.id });
    // The workflow runner takes its fair share of the site's Atlassian budget, like every other caller.
    const target = {
      identity: credentials.identity,
      cloudId: this.connection.cloudId,
      site: this.connection.siteUrl,
    };
    const admission = admitAtlassianCall(this.services, target, { kind: 'workflows' });
    if (!admission.admitted) {
      await this.services.db
        .update(workflowRunSteps)
        .set({ status: 429, durationMs: 0 })
        .where(eq(workflowRunSteps.id, step.id));
      throw new WorkflowError('jira_rate_limited', admission.message);
    }
    await this.beforeCall?.({ name, method, path });
    const started = performance.now();
    let status = 0;
    try {
      const response = await atlassianFetch(
        `${credentials.baseUrl}/${path}${query}`,
        {
          method,
          headers,
          body,
          ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit,
        {
          onAnswer: (answerStatus, answerHeaders) =>
            rateLimitBudget(this.services).observe(credentials.identity, {
              status: answerStatus,
              headers: answerHeaderReader(answerHeaders),
            }),
        },
      );
      observeAtlassianBudget(this.services, target, response);
      status = response.status;
      if (status === 401) await credentials.onRefused?.(`${method} ${path}`);
      const text = await response.text();
      let parsed: unknown = text;
      if (text && (response.headers.get('content-type') ?? '').includes('json')) {
        parsed = parseJiraContent(text);
      }
      return { status, ok: response.ok, body: parsed as T } satisfies JiraAnswer<T>;
    } catch (error) {
      if (error instanceof AtlassianUnavailableError) {
        throw new WorkflowError('jira_unavailable', workflowMessages.jiraUnavailable);
      }
      throw error;
    } finally {
      await this.services.db
        .update(workflowRunSteps)
        .set({ status, durationMs: Math.round((performance.now() - started) * 10) / 10 })
        .where(eq(workflowRunSteps.id, step.id));
    }
  }

  /** A call that must succeed: any non-2xx answer fails the run with Jira's own words. */
  async json<T = unknown>(name: string, method: string, path: string, options: CallOptions = {}): Promise<T> {
    const answer = await this.call<T>(name, method, path, options);
    if (!answer.ok) throw jiraFailure(answer);
    return answer.body;
  }
}

/** Jira's ErrorCollection / JSM ErrorResponse / gateway error, flattened to one readable line. */
export function jiraErrorText(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (!body || typeof body !== 'object') return '';
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(record.errorMessages)) parts.push(...record.errorMessages.map(String));
  if (record.errors && typeof record.errors === 'object') {
    for (const [field, message] of Object.entries(record.errors as Record<string, unknown>)) {
      parts.push(`${field}: ${String(message)}`);
    }
  }
  if (typeof record.errorMessage === 'string') parts.push(record.errorMessage);
  if (typeof record.message === 'string') parts.push(record.message);
  return parts.join('; ');
}

export function jiraFailure(answer: JiraAnswer): WorkflowError {
  return new WorkflowError(
    answer.status === 401 || answer.status === 403 ? 'jira_forbidden' : 'jira_error',
    workflowMessages.jiraFailed(answer.status, jiraErrorText(answer.body)),
    { status: answer.status },
  );
}

/** Jira's per-field errors (`errors` of an ErrorCollection), when it sent any. */
export function jiraFieldErrors(body: unknown): Array<[string, string]> {
  if (!body || typeof body !== 'object') return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors as Record<string, unknown>).map(([field, message]) => [
    field,
    String(message),
  ]);
}
