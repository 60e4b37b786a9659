/**
 * The Tickets pages: per connection, what sync still needs (the one readiness decision) and its settings form,
 * filled from the site's real projects, request types, priorities and workflow statuses; the team's tickets
 * (filter, paginate, create); and one ticket (edit, comment, its sync status). Plain forms posting to the
 * console, so nothing here needs a script.
 */
import { authMessages, supportContact } from '@jira-integration/shared';
import {
  ticketSyncReadinessMessages as copy,
  forgeConsoleMessages,
} from '@jira-integration/shared/forge-messages';
import { syncConfigMessages } from '@jira-integration/shared/sync-messages';
import { type Context, Hono } from 'hono';
import { isSameOrigin } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../db/schema';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import {
  findSyncConfig,
  readSiteSyncOptions,
  type SiteSyncOptions,
  type SyncConfig,
  saveSyncConfig,
  syncConfigInput,
} from '../sync/config';
import { loadSyncReadiness, type ReadinessCheck } from '../sync/readiness';
import { backfillProgress, onSyncConfigSaved } from '../sync/reconcile';
import { ticketSyncStatus } from '../sync/status';
import {
  addTicketComment,
  commentInput,
  createTicket,
  findTicket,
  linksOf,
  listTicketComments,
  listTickets,
  ticketCreateInput,
  ticketUpdateInput,
  updateTicket,
} from '../tickets/service';
import { describeForgeUpgrade, ForgeUpgradeNote } from './forge-upgrade';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

const STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting: 'Waiting',
  resolved: 'Resolved',
  closed: 'Closed',
};
const PRIORITY_LABELS: Record<TicketPriority, string> = {
  urgent: 'Urgent',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};
const STRATEGY_LABELS = {
  two_way: 'Two-way',
  platform_to_jira: 'Platform → Jira',
  jira_to_platform: 'Jira → platform',
} as const;

type Readiness = Awaited<ReturnType<typeof loadSyncReadiness>>[number];

/** The settings form of one connection, or why the site's data could not be read. */
function SyncSettingsForm(props: {
  connection: JiraConnection;
  config: SyncConfig | null;
  options: SiteSyncOptions | null;
  error?: string;
}) {
  const { connection, config, options } = props;
  const project = options?.project;
  return (
    <div class="sync-settings">
      <h3>Sync settings</h3>
      {props.error ? (
        <div class="alert" role="alert">
          {props.error}
        </div>
      ) : null}
      {!options ? (
        <p class="help">{syncConfigMessages.siteUnreachable}</p>
      ) : (
        <>
          <form method="get" action="/console/tickets" class="row">
            <input type="hidden" name="connection" value={connection.id} />
            <label for={`project-${connection.id}`}>Jira project</label>
            <select id={`project-${connection.id}`} name="project">
              {options.projects.map((entry) => (
                <option value={entry.key} selected={entry.key === project?.key}>
                  {entry.name} ({entry.key}){entry.serviceDesk ? ' · Service Management' : ''}
                </option>
              ))}
            </select>
            <button class="btn secondary" type="submit" data-action="load-project">
              Load project
            </button>
          </form>
          {project ? (
            <form
              method="post"
              action={`/console/tickets/sync-config/${connection.id}`}
              data-sync-form={connection.id}
            >
              <input type="hidden" name="projectKey" value={project.key} />
              {project.requestTypes ? (
                <>
                  <label for={`rt-${connection.id}`}>Request type</label>
                  <select id={`rt-${connection.id}`} name="requestTypeId">
                    {project.requestTypes.map((type) => (
                      <option value={type.id} selected={type.id === config?.requestTypeId}>
                        {type.name}
                      </option>
                    ))}
                  </select>
                </>
              ) : null}
              <MappingTable
                title={['Platform status', 'Jira statuses']}
                field="status"
                labels={STATUS_LABELS}
                values={TICKET_STATUSES}
                choices={project.statuses}
                mapping={config?.statusMapping}
              />
              <MappingTable
                title={['Platform priority', 'Jira priorities']}
                field="priority"
                labels={PRIORITY_LABELS}
                values={TICKET_PRIORITIES}
                choices={options.priorities}
                mapping={config?.priorityMapping}
              />
              <label for={`strategy-${connection.id}`}>Sync strategy</label>
              <select id={`strategy-${connection.id}`} name="strategy">
                {(Object.keys(STRATEGY_LABELS) as Array<keyof typeof STRATEGY_LABELS>).map((strategy) => (
                  <option value={strategy} selected={(config?.strategy ?? 'two_way') === strategy}>
                    {STRATEGY_LABELS[strategy]}
                  </option>
                ))}
              </select>
              <label for={`interval-${connection.id}`}>Reconciliation interval (minutes)</label>
              <input
                id={`interval-${connection.id}`}
                type="text"
                inputmode="numeric"
                name="reconcileIntervalMinutes"
                value={String(config?.reconcileIntervalMinutes ?? 5)}
              />
              <p>
                <button class="btn" type="submit" data-action="save-sync-config">
                  Save sync settings
                </button>
              </p>
            </form>
          ) : null}
        </>
      )}
    </div>
  );
}

/**
 * One ✗ per unmet condition: a check that only follows from an earlier one (fresh credentials need the app
 * installed; the upgrade needs both and a managed connection) is not shown while that one fails.
 */
function shownChecks(checks: ReadinessCheck[]): ReadinessCheck[] {
  const failed = new Set(checks.filter((check) => !check.ok).map((check) => check.key));
  const hidden = new Set<string>();
  if (failed.has('managed')) hidden.add('installed').add('fresh').add('upgraded');
  if (failed.has('installed')) hidden.add('fresh').add('upgraded');
  if (failed.has('fresh')) hidden.add('upgraded');
  return checks.filter((check) => !hidden.has(check.key));
}

/** The install page link and the spec's "five minutes, then refresh" guidance. */
export function ForgeInstallHelp(props: { productName: string; installUrl: string }) {
  return (
    <div class="forge-install help">
      <a href={props.installUrl} target="_blank" rel="noopener" data-forge-install>
        {forgeConsoleMessages.installLink}
      </a>
      . {forgeConsoleMessages.installWait(props.productName)}
    </div>
  );
}

function ReadinessCard(props: {
  entry: Readiness;
  config: SyncConfig | null;
  options: SiteSyncOptions | null;
  now: Date;
  error?: string;
  saved?: boolean;
  productName?: string;
  forgeInstallUrl?: string;
}) {
  const { entry, config } = props;
  const { connection } = entry;
  const progress = config?.backfillStartedAt ? backfillProgress(config, props.now) : null;
  return (
    <section class="card" data-connection={connection.id} data-ready={String(entry.ready)}>
      <div class="row">
        <strong>{connection.displayName ?? connection.siteName}</strong>
        <span class="help">{connection.siteUrl}</span>
      </div>
      <ForgeUpgradeNote state={describeForgeUpgrade(connection, entry.site)} />
      <p>{entry.ready ? copy.ready : copy.notReady}</p>
      <ul class="health-results">
        {shownChecks(entry.checks).map((check) => (
          <li class={check.ok ? 'ok' : 'bad'}>
            {check.ok ? '✓' : '✗'} {check.name}
            {check.ok ? null : <span class="help"> {check.fix}</span>}
            {!check.ok && check.key === 'installed' && props.productName && props.forgeInstallUrl ? (
              <ForgeInstallHelp productName={props.productName} installUrl={props.forgeInstallUrl} />
            ) : null}
          </li>
        ))}
      </ul>
      {props.saved ? <div class="alert ok">Sync settings saved.</div> : null}
      {progress ? (
        <p class="help" data-backfill={progress.state}>
          {progress.summary}
        </p>
      ) : null}
      {config?.lastReconciledAt ? (
        <p class="help">
          Last reconciliation: {config.lastReconciledAt.toISOString().slice(0, 16).replace('T', ' ')} UTC
          {config.lastReconcileError ? ` — ${config.lastReconcileError}` : ''}
        </p>
      ) : null}
      {connection.method === 'managed' ? (
        <SyncSettingsForm
          connection={connection}
          config={config}
          options={props.options}
          error={props.error}
        />
      ) : null}
    </section>
  );
}

async function siteOptions(services: Services, connection: JiraConnection, projectKey: string | undefined) {
  try {
    return await readSiteSyncOptions(services, connection, projectKey);
  } catch (error) {
    if (projectKey) {
      // A project that no longer exists: show the project list without it.
      try {
        return await readSiteSyncOptions(services, connection);
      } catch {
        return null;
      }
    }
    services.logger.warn(
      { err: error, connectionId: connection.id },
      'sync settings form: site not readable',
    );
    return null;
  }
}

function TicketList(props: {
  title: string;
  rows: Awaited<ReturnType<typeof listTickets>>['tickets'];
  links: Awaited<ReturnType<typeof linksOf>>;
  nextHref: string | null;
  filter: { status?: string; priority?: string; q?: string };
}) {
  return (
    <section class="card" id="tickets">
      <h2>{props.title}</h2>
      <form method="get" action="/console/tickets" class="row" data-filter>
        <select name="status" aria-label="Status">
          <option value="">Any status</option>
          {TICKET_STATUSES.map((status) => (
            <option value={status} selected={props.filter.status === status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
        <select name="priority" aria-label="Priority">
          <option value="">Any priority</option>
          {TICKET_PRIORITIES.map((priority) => (
            <option value={priority} selected={props.filter.priority === priority}>
              {PRIORITY_LABELS[priority]}
            </option>
          ))}
        </select>
        <input type="text" name="q" placeholder="Search title and description" value={props.filter.q ?? ''} />
        <button class="btn secondary" type="submit">
          Filter
        </button>
      </form>
      {props.rows.length === 0 ? (
        <div class="empty">No tickets match.</div>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Title</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Assignee</th>
              <th>Jira</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((ticket) => {
              const link = props.links.get(ticket.id);
              return (
                <tr data-ticket={ticket.id}>
                  <td>
                    <a href={`/console/tickets/${ticket.id}`}>{ticket.title}</a>
                  </td>
                  <td>{STATUS_LABELS[ticket.status]}</td>
                  <td>{PRIORITY_LABELS[ticket.priority]}</td>
                  <td>{ticket.assigneeEmail ?? '—'}</td>
                  <td>{link ? `${link.issueKey} · ${link.state}` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {props.nextHref ? (
        <p>
          <a href={props.nextHref} data-action="next-page">
            Next page →
          </a>
        </p>
      ) : null}
      <h3>New ticket</h3>
      <form method="post" action="/console/tickets/new">
        <label for="new-title">Title</label>
        <input id="new-title" type="text" name="title" required />
        <label for="new-description">Description (Markdown)</label>
        <textarea id="new-description" name="description" rows={4} style="width:100%" />
        <label for="new-requester">Requester email</label>
        <input id="new-requester" type="text" name="requesterEmail" />
        <p>
          <button class="btn" type="submit" data-action="create-ticket">
            Create ticket
          </button>
        </p>
      </form>
    </section>
  );
}

const STATE_LABELS = {
  not_linked: 'Not linked',
  pending: 'Pending',
  synced: 'Synced',
  error: 'Error',
} as const;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const optionalEmail = (value: unknown) => {
  const trimmed = text(value)?.trim();
  return trimmed ? trimmed : null;
};

function firstIssue(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
  if (issues?.[0]) {
    const issue = issues[0];
    return `${issue.path.length ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`;
  }
  throw error;
}

export function ticketConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/tickets', requireConsoleSession);
  app.use('/console/tickets/*', requireConsoleSession);
  app.use('/console/tickets/*', async (c, next) => {
    if (c.req.method === 'POST' && !isSameOrigin(c)) return c.text(authMessages.crossSite, 403);
    await next();
  });

  /** A refused save: the message, and what was posted so the form shows it again. */
  interface Refusal {
    connectionId: string;
    message: string;
    projectKey: string;
    draft: Pick<
      SyncConfig,
      'requestTypeId' | 'priorityMapping' | 'statusMapping' | 'strategy' | 'reconcileIntervalMinutes'
    >;
  }

  async function ticketsPage(c: Context<AppEnv>, problem?: Refusal) {
    const { services } = c.var;
    const query = c.req.query();
    const entries = await loadSyncReadiness(services, c.var.teamId);
    const cards = [];
    for (const entry of entries) {
      const saved = await findSyncConfig(services, entry.connection.id);
      const refused = problem?.connectionId === entry.connection.id ? problem : undefined;
      const config = refused && saved ? { ...saved, ...refused.draft } : saved;
      const wanted =
        refused?.projectKey ?? (query.connection === entry.connection.id ? query.project : undefined);
      const options =
        entry.connection.method === 'managed'
          ? await siteOptions(services, entry.connection, wanted ?? config?.projectKey)
          : null;
      cards.push({ entry, config: config ?? (refused ? (refused.draft as SyncConfig) : null), options });
    }
    const filter = {
      status: TICKET_STATUSES.find((status) => status === query.status),
      priority: TICKET_PRIORITIES.find((priority) => priority === query.priority),
      q: query.q?.slice(0, 200) || undefined,
    };
    let page: Awaited<ReturnType<typeof listTickets>>;
    try {
      page = await listTickets(services, c.var.teamId, { ...filter, limit: 25, cursor: query.cursor });
    } catch {
      page = await listTickets(services, c.var.teamId, { ...filter, limit: 25 });
    }
    const links = await linksOf(
      services,
      page.tickets.map((ticket) => ticket.id),
    );
    const nextHref = page.nextCursor
      ? `/console/tickets?${new URLSearchParams({
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.priority ? { priority: filter.priority } : {}),
          ...(filter.q ? { q: filter.q } : {}),
          cursor: page.nextCursor,
        })}`
      : null;
    return c.html(
      <ConsoleLayout title="Tickets" productName={services.config.productName} current="/console/tickets">
        <h1>{copy.pageTitle}</h1>
        <p class="lede">{copy.lede(services.config.productName)}</p>
        {entries.length === 0 ? <div class="card empty">{copy.noConnections}</div> : null}
        {cards.map(({ entry, config, options }) => (
          <ReadinessCard
            entry={entry}
            config={config}
            options={options}
            now={services.clock.now()}
            error={problem?.connectionId === entry.connection.id ? problem.message : undefined}
            saved={query.saved === entry.connection.id}
            productName={services.config.productName}
            forgeInstallUrl={services.config.forgeInstallUrl}
          />
        ))}
        <p class="help support">{supportContact(services.config.productName)}</p>
        <TicketList
          title={copy.listTitle(services.config.productName)}
          rows={page.tickets}
          links={links}
          nextHref={nextHref}
          filter={filter}
        />
      </ConsoleLayout>,
      problem ? 400 : 200,
    );
  }

  app.get('/console/tickets', (c) => ticketsPage(c));

  app.post('/console/tickets/sync-config/:connectionId', async (c) => {
    const { services } = c.var;
    const connectionId = c.req.param('connectionId');
    const form = await c.req.parseBody({ all: true });
    const list = (value: unknown) =>
      Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
    const mapping = (prefix: string, values: readonly string[]) =>
      Object.fromEntries(
        values.flatMap((value) =>
          list(form[`${prefix}.${value}`]).length ? [[value, list(form[`${prefix}.${value}`])]] : [],
        ),
      );
    const entries = await loadSyncReadiness(services, c.var.teamId);
    const entry = entries.find((candidate) => candidate.connection.id === connectionId);
    if (!entry) return c.notFound();
    const posted = {
      projectKey: text(form.projectKey) ?? '',
      requestTypeId: text(form.requestTypeId) || null,
      priorityMapping: mapping('priority', TICKET_PRIORITIES),
      statusMapping: mapping('status', TICKET_STATUSES),
      strategy: text(form.strategy) ?? 'two_way',
      reconcileIntervalMinutes: Number(text(form.reconcileIntervalMinutes) ?? 5),
    };
    try {
      const input = syncConfigInput.parse(posted);
      const before = await findSyncConfig(services, connectionId);
      await onSyncConfigSaved(
        services,
        entry.connection,
        before,
        await saveSyncConfig(services, entry.connection, input),
      );
      return c.redirect(`/console/tickets?saved=${connectionId}`);
    } catch (error) {
      const { projectKey, ...draft } = posted;
      return ticketsPage(c, {
        connectionId,
        message: firstIssue(error),
        projectKey,
        draft: draft as Refusal['draft'],
      });
    }
  });

  app.post('/console/tickets/new', async (c) => {
    const form = await c.req.parseBody();
    try {
      const ticket = await createTicket(
        c.var.services,
        c.var.teamId,
        ticketCreateInput.parse({
          title: text(form.title) ?? '',
          description: text(form.description) ?? '',
          requesterEmail: optionalEmail(form.requesterEmail),
        }),
      );
      return c.redirect(`/console/tickets/${ticket.id}`);
    } catch (error) {
      return c.html(
        <ConsoleLayout
          title="Tickets"
          productName={c.var.services.config.productName}
          current="/console/tickets"
        >
          <div class="alert" role="alert">
            {firstIssue(error)}
          </div>
          <a href="/console/tickets">Back to tickets</a>
        </ConsoleLayout>,
        400,
      );
    }
  });

  async function ticketPage(c: Context<AppEnv>, id: string, problem?: string) {
    const { services } = c.var;
    const ticket = await findTicket(services, c.var.teamId, id).catch(() => null);
    if (!ticket) return c.notFound();
    const comments = await listTicketComments(services, ticket.id);
    const sync = await ticketSyncStatus(services, ticket);
    return c.html(
      <ConsoleLayout
        title={ticket.title}
        productName={services.config.productName}
        current="/console/tickets"
      >
        <p>
          <a href="/console/tickets">← Tickets</a>
        </p>
        <h1>{ticket.title}</h1>
        <section class="card" data-sync-state={sync.state}>
          <div class="row">
            <strong>Jira</strong>
            <span class={`badge ${sync.state === 'synced' ? 'ok' : sync.state === 'error' ? 'bad' : 'warn'}`}>
              {STATE_LABELS[sync.state]}
            </span>
            {sync.issueKey && sync.issueUrl ? <a href={sync.issueUrl}>{sync.issueKey}</a> : null}
          </div>
          {sync.lastSyncedAt ? (
            <p class="help">Last sync: {sync.lastSyncedAt.slice(0, 19).replace('T', ' ')} UTC</p>
          ) : null}
          {sync.lastError ? <div class="alert">{sync.lastError}</div> : null}
          {!sync.ready && sync.reason ? <p class="help">{sync.reason}</p> : null}
        </section>
        {problem ? (
          <div class="alert" role="alert">
            {problem}
          </div>
        ) : null}
        <section class="card">
          <form method="post" action={`/console/tickets/${ticket.id}`} data-edit-ticket>
            <label for="title">Title</label>
            <input id="title" type="text" name="title" value={ticket.title} />
            <label for="description">Description (Markdown)</label>
            <textarea id="description" name="description" rows={6} style="width:100%">
              {ticket.description}
            </textarea>
            <div class="row">
              <div>
                <label for="status">Status</label>
                <select id="status" name="status">
                  {TICKET_STATUSES.map((status) => (
                    <option value={status} selected={ticket.status === status}>
                      {STATUS_LABELS[status]}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="priority">Priority</label>
                <select id="priority" name="priority">
                  {TICKET_PRIORITIES.map((priority) => (
                    <option value={priority} selected={ticket.priority === priority}>
                      {PRIORITY_LABELS[priority]}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <label for="requesterEmail">Requester email</label>
            <input
              id="requesterEmail"
              type="text"
              name="requesterEmail"
              value={ticket.requesterEmail ?? ''}
            />
            <label for="assigneeEmail">Assignee email</label>
            <input id="assigneeEmail" type="text" name="assigneeEmail" value={ticket.assigneeEmail ?? ''} />
            <p>
              <button class="btn" type="submit" data-action="save-ticket">
                Save
              </button>
            </p>
          </form>
        </section>
        <section class="card">
          <h2>Comments</h2>
          {comments.length === 0 ? <p class="help">No comments yet.</p> : null}
          {comments.map((comment) => (
            <div class="comment" data-comment={comment.id} data-visibility={comment.visibility}>
              <div class="row">
                <strong>{comment.authorEmail ?? (comment.source === 'jira' ? 'Jira' : 'Platform')}</strong>
                <span class={`badge ${comment.visibility === 'internal' ? 'warn' : 'brand'}`}>
                  {comment.visibility}
                </span>
                <span class="help">{comment.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</span>
              </div>
              <p style="white-space:pre-wrap">{comment.body}</p>
            </div>
          ))}
          <form method="post" action={`/console/tickets/${ticket.id}/comments`}>
            <label for="comment-body">Add a comment (Markdown)</label>
            <textarea id="comment-body" name="body" rows={3} style="width:100%" />
            <label class="toggle">
              <input type="checkbox" name="internal" value="1" /> Internal (agents only)
            </label>
            <p>
              <button class="btn" type="submit" data-action="add-comment">
                Comment
              </button>
            </p>
          </form>
        </section>
      </ConsoleLayout>,
      problem ? 400 : 200,
    );
  }

  app.get('/console/tickets/:id', (c) => ticketPage(c, c.req.param('id')));

  app.post('/console/tickets/:id', async (c) => {
    const form = await c.req.parseBody();
    const id = c.req.param('id');
    try {
      await updateTicket(
        c.var.services,
        c.var.teamId,
        id,
        ticketUpdateInput.parse({
          title: text(form.title),
          description: text(form.description),
          status: text(form.status),
          priority: text(form.priority),
          requesterEmail: optionalEmail(form.requesterEmail),
          assigneeEmail: optionalEmail(form.assigneeEmail),
        }),
      );
      return c.redirect(`/console/tickets/${id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return c.notFound();
      return ticketPage(c, id, firstIssue(error));
    }
  });

  app.post('/console/tickets/:id/comments', async (c) => {
    const form = await c.req.parseBody();
    const id = c.req.param('id');
    try {
      await addTicketComment(
        c.var.services,
        c.var.teamId,
        id,
        commentInput.parse({
          body: text(form.body) ?? '',
          visibility: form.internal ? 'internal' : 'public',
        }),
      );
      return c.redirect(`/console/tickets/${id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return c.notFound();
      return ticketPage(c, id, firstIssue(error));
    }
  });

  return app;
}

/** One mapping of the sync settings: each platform value to the Jira values that mean it (the first is written). */
function MappingTable<Value extends string>(props: {
  title: [string, string];
  field: string;
  labels: Record<Value, string>;
  values: readonly Value[];
  choices: ReadonlyArray<{ id: string; name: string }>;
  mapping: Partial<Record<Value, string[]>> | undefined;
}) {
  const [platform, jira] = props.title;
  return (
    <table>
      <thead>
        <tr>
          <th>{platform}</th>
          <th>{jira} (the first is written to Jira)</th>
        </tr>
      </thead>
      <tbody>
        {props.values.map((value) => (
          <tr>
            <td>{props.labels[value]}</td>
            <td>
              <select
                multiple
                name={`${props.field}.${value}`}
                aria-label={`${jira} for ${props.labels[value]}`}
              >
                {props.choices.map((entry) => (
                  <option value={entry.id} selected={Boolean(props.mapping?.[value]?.includes(entry.id))}>
                    {entry.name}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
