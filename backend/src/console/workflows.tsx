/**
 * The Workflows pages: the workflow list (prebuilt, actions, ingested JSM request types) with the enabled toggle,
 * the approval policy and the catalog ingestion; a run form generated from each workflow's input schema; run
 * history; a run's detail with its Jira calls and Approve/Reject. Plain forms (no script), same services as the API.
 */
import {
  APPROVAL_POLICIES,
  type ApprovalPolicy,
  RUN_STATES,
  workflowMessages,
} from '@jira-integration/shared/workflow-messages';
import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { isSameOrigin } from '../auth/middleware';
import { listConnections } from '../connections/service';
import type { AppEnv } from '../context';
import { ApiError } from '../http/errors';
import type { JiraConnection } from '../model/connection';
import {
  type CatalogIngestion,
  latestIngestion,
  presentIngestion,
  startIngestion,
} from '../workflows/catalog/service';
import type { JsonSchema } from '../workflows/definition';
import {
  actorNames,
  decideRun,
  findRun,
  findWorkflow,
  listRuns,
  listWorkflows,
  runHistory,
  runSteps,
  startRun,
  updateWorkflow,
  type Workflow,
  type WorkflowRun,
} from '../workflows/service';
import { ConsoleLayout } from './layout';
import { requireConsoleSession } from './session';

const KIND_TITLES: Record<Workflow['kind'], string> = {
  prebuilt: 'Prebuilt workflows',
  action: 'Jira actions',
  jsm_request_type: 'Jira Service Management catalog',
};

function StateBadge(props: { state: WorkflowRun['state'] }) {
  const tone =
    props.state === 'succeeded' ? 'ok' : props.state === 'failed' || props.state === 'rejected' ? 'bad' : '';
  return (
    <span class={`badge ${tone}`} data-state={props.state}>
      {props.state.replace('_', ' ')}
    </span>
  );
}

function IngestionProgress(props: { ingestion: CatalogIngestion | undefined }) {
  if (!props.ingestion) return null;
  const view = presentIngestion(props.ingestion);
  return (
    <p class="help" data-ingestion-state={view.state}>
      Catalog ingestion {view.state}
      {view.state === 'running' && view.attempts > 1 ? ` (${workflowMessages.ingestionResumed})` : ''}:
      service desks {view.serviceDesks.done}/{view.serviceDesks.total ?? '…'}, request types{' '}
      {view.requestTypes.done}/{view.requestTypes.total ?? '…'}
      {view.state === 'succeeded'
        ? ` (${view.created} new, ${view.updated} updated, ${view.retired} retired)`
        : ''}
      {view.error ? ` — ${view.error}` : ''}
    </p>
  );
}

function WorkflowTable(props: { workflows: Workflow[]; connections: Map<string, JiraConnection> }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Workflow</th>
          <th>State</th>
          <th>Approval</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.workflows.map((workflow) => (
          <tr data-workflow={workflow.name} data-workflow-id={workflow.id}>
            <td>
              <strong>{workflow.name}</strong>
              <div class="help">{workflow.description.split('\n')[0]}</div>
              {workflow.connectionId ? (
                <div class="help">
                  From {props.connections.get(workflow.connectionId)?.siteName ?? 'a connection'}
                </div>
              ) : null}
            </td>
            <td>
              <form method="post" action={`/console/workflows/${workflow.id}/settings`}>
                <input type="hidden" name="enabled" value={workflow.enabled ? 'false' : 'true'} />
                <span class={`badge ${workflow.enabled ? 'ok' : ''}`}>
                  {workflow.enabled ? 'Enabled' : 'Paused'}
                </span>{' '}
                <button class="btn secondary" type="submit" data-action="toggle">
                  {workflow.enabled ? 'Pause' : 'Enable'}
                </button>
              </form>
            </td>
            <td>
              <form method="post" action={`/console/workflows/${workflow.id}/settings`} class="row">
                <select name="approval" aria-label="Approval policy">
                  {APPROVAL_POLICIES.map((policy) => (
                    <option value={policy} selected={policy === workflow.approval}>
                      {policy}
                    </option>
                  ))}
                </select>
                <button class="btn secondary" type="submit">
                  Save
                </button>
              </form>
            </td>
            <td>
              <a class="btn" href={`/console/workflows/${workflow.id}`} data-action="open">
                Run
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Property = JsonSchema & { title?: string; description?: string; type?: string; format?: string };

function choicesOf(property: Property): Array<{ const: string; title?: string }> | undefined {
  const oneOf = property.oneOf as Array<{ const?: unknown; title?: string }> | undefined;
  if (oneOf?.every((choice) => choice.const !== undefined)) {
    return oneOf.map((choice) => ({ const: String(choice.const), title: choice.title }));
  }
  const values = property.enum as unknown[] | undefined;
  return values?.map((value) => ({ const: String(value) }));
}

/** One form control per property of the input schema. */
function SchemaField(props: { name: string; property: Property; required: boolean }) {
  const { name, property, required } = props;
  const id = `input-${name}`;
  const label = `${property.title ?? name}${required ? ' *' : ''}`;
  const help = property.description ? <p class="help">{property.description}</p> : null;
  const itemChoices = property.type === 'array' ? choicesOf((property.items ?? {}) as Property) : undefined;
  const choices = choicesOf(property);
  if (property.type === 'boolean') {
    return (
      <p>
        <label class="toggle">
          <input type="checkbox" id={id} name={name} checked={property.default === true} /> {label}
        </label>
        {help}
      </p>
    );
  }
  let control: Child;
  if (itemChoices) {
    control = (
      <select id={id} name={name} multiple>
        {itemChoices.map((choice) => (
          <option value={choice.const}>{choice.title ?? choice.const}</option>
        ))}
      </select>
    );
  } else if (choices) {
    control = (
      <select id={id} name={name} required={required}>
        <option value="">—</option>
        {choices.map((choice) => (
          <option value={choice.const}>{choice.title ?? choice.const}</option>
        ))}
      </select>
    );
  } else if (property.type === 'object' || property.format === 'markdown' || property.type === 'array') {
    control = (
      <textarea id={id} name={name} rows={property.type === 'object' ? 4 : 5} required={required}>
        {''}
      </textarea>
    );
  } else {
    const type =
      property.type === 'integer' || property.type === 'number'
        ? 'number'
        : property.format === 'date'
          ? 'date'
          : property.format === 'email'
            ? 'email'
            : 'text';
    control = (
      <input
        id={id}
        name={name}
        type={type}
        required={required}
        value={property.default === undefined ? undefined : String(property.default)}
      />
    );
  }
  return (
    <p>
      <label for={id}>{label}</label>
      {control}
      {property.type === 'array' && !itemChoices ? <span class="help">One per line.</span> : null}
      {help}
    </p>
  );
}

/** The form's fields back into an input object, typed by the schema. */
export function formToInput(
  schema: JsonSchema,
  form: Record<string, string | string[]>,
): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Property>;
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const raw = form[`input.${name}`];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((value) => value.trim());
    if (property.type === 'boolean') {
      input[name] = values.includes('on');
      continue;
    }
    if (property.type === 'array') {
      const items = values
        .flatMap((value) => value.split('\n'))
        .map((value) => value.trim())
        .filter(Boolean);
      if (items.length) input[name] = items;
      continue;
    }
    const value = values[0];
    if (!value) continue;
    if (property.type === 'integer' || property.type === 'number') input[name] = Number(value);
    else if (property.type === 'object') {
      try {
        input[name] = JSON.parse(value);
      } catch {
        input[name] = value;
      }
    } else input[name] = value;
  }
  return input;
}

function RunForm(props: { workflow: Workflow; connections: JiraConnection[]; error?: string }) {
  const { workflow } = props;
  const schema = workflow.inputSchema as JsonSchema & {
    properties?: Record<string, Property>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const usable = props.connections.filter(
    (connection) => !workflow.connectionId || connection.id === workflow.connectionId,
  );
  return (
    <form method="post" action={`/console/workflows/${workflow.id}/run`} class="card" id="run-form">
      {props.error ? (
        <div class="alert" role="alert">
          {props.error}
        </div>
      ) : null}
      <p>
        <label for="connectionId">Jira connection</label>
        <select id="connectionId" name="connectionId" required>
          {usable.map((connection) => (
            <option value={connection.id}>{connection.displayName ?? connection.siteName}</option>
          ))}
        </select>
      </p>
      {Object.entries(schema.properties ?? {}).map(([name, property]) => (
        <SchemaField name={`input.${name}`} property={property} required={required.has(name)} />
      ))}
      <details>
        <summary>Identity</summary>
        <p>
          <label class="toggle">
            <input type="checkbox" name="useServiceAccount" /> Use the Forge service account
          </label>
          <span class="help"> Only on connections the Forge app has upgraded; ignored elsewhere.</span>
        </p>
        <p>
          <label for="asJiraUser">Act as Jira user (accountId)</label>
          <input id="asJiraUser" name="asJiraUser" type="text" />
        </p>
      </details>
      <p>
        <button
          class="btn"
          type="submit"
          id="start-run"
          disabled={!workflow.enabled || Boolean(workflow.retiredAt)}
        >
          Start run
        </button>
        {workflow.enabled ? null : (
          <span class="help"> Paused: enable it on the Workflows page to run it.</span>
        )}
      </p>
    </form>
  );
}

function RunsTable(props: { runs: WorkflowRun[]; workflows: Map<string, Workflow> }) {
  if (props.runs.length === 0) return <div class="card empty">No runs yet.</div>;
  return (
    <table>
      <thead>
        <tr>
          <th>Run</th>
          <th>Workflow</th>
          <th>State</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {props.runs.map((run) => (
          <tr data-run-id={run.id}>
            <td>
              <a href={`/console/workflow-runs/${run.id}`}>{run.id.slice(0, 8)}</a>
            </td>
            <td>{props.workflows.get(run.workflowId)?.name ?? run.workflowId}</td>
            <td>
              <StateBadge state={run.state} />
              {run.requestKey ? <span class="help"> {run.requestKey}</span> : null}
            </td>
            <td>{run.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const crossSite = () => new Response('Cross-site requests are not allowed.', { status: 403 });

export function workflowConsoleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/console/workflows', requireConsoleSession);
  app.use('/console/workflows/*', requireConsoleSession);
  app.use('/console/workflow-runs', requireConsoleSession);
  app.use('/console/workflow-runs/*', requireConsoleSession);
  const actor = (c: { var: AppEnv['Variables'] }) => c.var.actorKeyId ?? 'console';
  const page = (c: { var: AppEnv['Variables'] }, title: string, body: Child, refresh = false) => (
    <ConsoleLayout title={title} productName={c.var.services.config.productName} current="/console/workflows">
      {refresh ? <meta http-equiv="refresh" content="2" /> : null}
      {body}
    </ConsoleLayout>
  );

  app.get('/console/workflows', async (c) => {
    const { services, teamId } = c.var;
    const [workflows, connections] = await Promise.all([
      listWorkflows(services, teamId),
      listConnections(services, teamId),
    ]);
    const ingestions = await Promise.all(
      connections.map(
        async (connection) => [connection, await latestIngestion(services, teamId, connection.id)] as const,
      ),
    );
    const running = ingestions.some(
      ([, ingestion]) => ingestion?.state === 'queued' || ingestion?.state === 'running',
    );
    const byConnection = new Map(connections.map((connection) => [connection.id, connection]));
    return c.html(
      page(
        c,
        'Workflows',
        <>
          <h1>Workflows</h1>
          <p class="lede">
            Prebuilt Jira workflows, Jira actions and ingested Jira Service Management catalog items.{' '}
            <a href="/console/workflow-runs">Run history</a>
          </p>
          {connections.length === 0 ? (
            <div class="card empty">Connect a Jira site to run workflows.</div>
          ) : null}
          {ingestions.map(([connection, ingestion]) => (
            <section class="card" data-catalog-connection={connection.id}>
              <form method="post" action="/console/workflows/ingest" class="row">
                <input type="hidden" name="connectionId" value={connection.id} />
                <strong>{connection.displayName ?? connection.siteName}</strong>
                <button class="btn secondary" type="submit" data-action="ingest">
                  Ingest JSM catalog
                </button>
              </form>
              <IngestionProgress ingestion={ingestion} />
            </section>
          ))}
          {(['prebuilt', 'action', 'jsm_request_type'] as const).map((kind) => {
            const ofKind = workflows.filter((workflow) => workflow.kind === kind);
            return ofKind.length ? (
              <section>
                <h2>{KIND_TITLES[kind]}</h2>
                <WorkflowTable workflows={ofKind} connections={byConnection} />
              </section>
            ) : null;
          })}
        </>,
        running,
      ),
    );
  });

  app.post('/console/workflows/ingest', async (c) => {
    // Form posts ride the session cookie: they must come from our own pages.
    if (!isSameOrigin(c)) return crossSite();
    const form = await c.req.parseBody();
    await startIngestion(c.var.services, c.var.teamId, String(form.connectionId ?? ''), actor(c));
    return c.redirect('/console/workflows', 303);
  });

  app.post('/console/workflows/:id/settings', async (c) => {
    // Form posts ride the session cookie: they must come from our own pages.
    if (!isSameOrigin(c)) return crossSite();
    const form = await c.req.parseBody();
    const change: { enabled?: boolean; approval?: ApprovalPolicy } = {};
    if (form.enabled === 'true' || form.enabled === 'false') change.enabled = form.enabled === 'true';
    if (APPROVAL_POLICIES.includes(form.approval as ApprovalPolicy))
      change.approval = form.approval as ApprovalPolicy;
    await updateWorkflow(c.var.services, c.var.teamId, c.req.param('id'), change, actor(c));
    return c.redirect('/console/workflows', 303);
  });

  const workflowPage = async (c: Context<AppEnv>, error?: string) => {
    const { services, teamId } = c.var;
    const workflow = await findWorkflow(services, teamId, c.req.param('id') ?? '');
    const [connections, runs] = await Promise.all([
      listConnections(services, teamId),
      listRuns(services, teamId, { workflowId: workflow.id, limit: 20 }),
    ]);
    return c.html(
      page(
        c,
        workflow.name,
        <>
          <h1>{workflow.name}</h1>
          <p class="lede">{workflow.description}</p>
          <p class="help">Approval: {workflow.approval}</p>
          <RunForm workflow={workflow} connections={connections} error={error} />
          <h2>Recent runs</h2>
          <RunsTable runs={runs} workflows={new Map([[workflow.id, workflow]])} />
        </>,
      ),
      error ? 400 : 200,
    );
  };
  app.get('/console/workflows/:id', (c) => workflowPage(c));

  app.post('/console/workflows/:id/run', async (c) => {
    // Form posts ride the session cookie: they must come from our own pages.
    if (!isSameOrigin(c)) return crossSite();
    const { services, teamId } = c.var;
    const workflow = await findWorkflow(services, teamId, c.req.param('id'));
    const form = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    try {
      const run = await startRun(
        services,
        teamId,
        workflow.id,
        {
          connectionId: String(form.connectionId ?? ''),
          input: formToInput(workflow.inputSchema, form),
          useServiceAccount: form.useServiceAccount === 'on',
          asJiraUser:
            typeof form.asJiraUser === 'string' && form.asJiraUser.trim() ? form.asJiraUser : undefined,
        },
        actor(c),
      );
      return c.redirect(`/console/workflow-runs/${run.id}`, 303);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return workflowPage(c, error.message);
      throw error;
    }
  });

  app.get('/console/workflow-runs', async (c) => {
    const { services, teamId } = c.var;
    const state = RUN_STATES.find((candidate) => candidate === c.req.query('state'));
    const [runs, workflows] = await Promise.all([
      listRuns(services, teamId, { state, limit: 100 }),
      listWorkflows(services, teamId, { includeRetired: true }),
    ]);
    return c.html(
      page(
        c,
        'Workflow runs',
        <>
          <h1>Workflow runs</h1>
          <RunsTable runs={runs} workflows={new Map(workflows.map((workflow) => [workflow.id, workflow]))} />
        </>,
      ),
    );
  });

  const runPage = async (c: Context<AppEnv>, error?: string) => {
    const { services, teamId } = c.var;
    const run = await findRun(services, teamId, c.req.param('id') ?? '');
    const [workflow, steps, history, names] = await Promise.all([
      findWorkflow(services, teamId, run.workflowId),
      runSteps(services, run.id),
      runHistory(services, teamId, run.id),
      actorNames(services, teamId),
    ]);
    const who = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? id) : '');
    return c.html(
      page(
        c,
        `Run of ${workflow.name}`,
        <>
          <h1>
            {workflow.name} <StateBadge state={run.state} />
          </h1>
          {error ? (
            <div class="alert" role="alert">
              {error}
            </div>
          ) : null}
          {run.error ? (
            <div class="alert" role="alert" data-run-error>
              {run.error}
            </div>
          ) : null}
          {run.requestKey ? (
            <p>
              Customer request: <strong data-request-key>{run.requestKey}</strong>
            </p>
          ) : null}
          {run.state === 'awaiting_approval' ? (
            <section class="card">
              <p>
                Waiting for {run.approval} until{' '}
                {run.approvalExpiresAt?.toISOString().slice(0, 16).replace('T', ' ')}.
              </p>
              <form method="post" action={`/console/workflow-runs/${run.id}/decide`}>
                <label for="reason">Reason</label>
                <input id="reason" name="reason" type="text" />
                <p class="row">
                  <button class="btn" type="submit" name="decision" value="approve" id="approve">
                    Approve
                  </button>
                  <button class="btn secondary" type="submit" name="decision" value="reject" id="reject">
                    Reject
                  </button>
                </p>
              </form>
            </section>
          ) : null}
          <h2>Input</h2>
          <pre>{JSON.stringify(run.input, null, 2)}</pre>
          {run.output === null || run.output === undefined ? null : (
            <>
              <h2>Output</h2>
              <pre data-run-output>{JSON.stringify(run.output, null, 2)}</pre>
            </>
          )}
          <h2>Jira calls</h2>
          {steps.length === 0 ? (
            <div class="card empty">No Jira calls.</div>
          ) : (
            <table data-steps>
              <thead>
                <tr>
                  <th>Step</th>
                  <th>Call</th>
                  <th>Status</th>
                  <th>Time</th>
                  <th>Identity</th>
                </tr>
              </thead>
              <tbody>
                {steps.map((step) => (
                  <tr>
                    <td>{step.name}</td>
                    <td>
                      <code>
                        {step.method} {step.path}
                      </code>
                    </td>
                    <td>{step.status ?? 'cut off'}</td>
                    <td>{step.durationMs === null ? '' : `${step.durationMs} ms`}</td>
                    <td>
                      {step.identity}
                      {step.asJiraUser ? ` as ${step.asJiraUser}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>History</h2>
          <ul data-history>
            {history.map((entry) => (
              <li>
                {entry.at.toISOString().replace('T', ' ').slice(0, 19)} —{' '}
                {entry.action.replace('workflow.run.', '')}
                {entry.detail.actor ? ` by ${who(entry.detail.actor)}` : ''}
                {entry.detail.reason ? `: ${String(entry.detail.reason)}` : ''}
                {entry.detail.message ? `: ${String(entry.detail.message)}` : ''}
              </li>
            ))}
          </ul>
        </>,
        run.state === 'queued' || run.state === 'running',
      ),
      error ? 403 : 200,
    );
  };
  app.get('/console/workflow-runs/:id', (c) => runPage(c));

  app.post('/console/workflow-runs/:id/decide', async (c) => {
    // Form posts ride the session cookie: they must come from our own pages.
    if (!isSameOrigin(c)) return crossSite();
    const form = await c.req.parseBody();
    const decision = form.decision === 'reject' ? 'reject' : 'approve';
    try {
      await decideRun(
        c.var.services,
        c.var.teamId,
        c.req.param('id'),
        decision,
        c.var.actorKeyId,
        typeof form.reason === 'string' ? form.reason : undefined,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && error.status !== 404)
        return runPage(c, error.message);
      throw error;
    }
    return c.redirect(`/console/workflow-runs/${c.req.param('id')}`, 303);
  });

  return app;
}
