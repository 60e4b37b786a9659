import { DEFAULT_SEED } from '@jira-integration/sandbox/test-support/seed';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../test-support/database';
import { startWorkflowWorld, type WorkflowWorld } from '../../test-support/workflows';
import { auditLog, jiraConnections, workflowRuns } from '../db/schema';
import { RUN_LEASE_MS } from './lease';
import { executeRun, expireOverdueRuns, requeueStrandedRuns } from './service';

interface RunBody {
  id: string;
  state: string;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  attempts: number;
  startedBy: { id: string } | null;
  decidedBy: { id: string } | null;
  decisionReason: string | null;
  steps: Array<{ name: string; method: string; path: string; status: number | null; identity: string }>;
  history: Array<{ action: string; detail: Record<string, unknown> }>;
}

describe.each(testDatabaseKinds())('workflows on %s', (kind) => {
  let world: WorkflowWorld;

  beforeAll(async () => {
    world = await startWorkflowWorld(kind);
  });
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(async () => {
    await world.resetSandbox();
    // Every test starts from the default policies.
    for (const key of [
      'read-jira-issue-details',
      'create-jira-issue',
      'transition-jira-issue',
      'list-jira-projects',
    ]) {
      const answer = await as(world.installer.key, `/v1/workflows/${key}`, {
        method: 'PATCH',
        json: { enabled: true, approval: 'installer-approval' },
      });
      expect(answer.status).toBe(200);
    }
  });

  function as(key: string, path: string, init: RequestInit & { json?: unknown } = {}) {
    return world.ctx.request(path, { ...init, key });
  }

  async function start(
    workflow: string,
    input: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) {
    const answer = await as(world.installer.key, `/v1/workflows/${workflow}/runs`, {
      method: 'POST',
      json: { connectionId: world.connection.id, input, ...extra },
    });
    expect(answer.status).toBe(202);
    return (await answer.json()) as RunBody;
  }

  async function detail(runId: string, key = world.installer.key) {
    const answer = await as(key, `/v1/workflow-runs/${runId}`);
    expect(answer.status).toBe(200);
    return (await answer.json()) as RunBody;
  }

  /** Start, approve as the installer, execute (as the queue's worker would), and read the run back. */
  async function runApproved(
    workflow: string,
    input: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) {
    const run = await start(workflow, input, extra);
    expect(run.state).toBe('awaiting_approval');
    const approved = await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, {
      method: 'POST',
      json: { reason: 'looks right' },
    });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as RunBody).state).toBe('queued');
    await executeRun(world.ctx.services, run.id);
    return detail(run.id);
  }

  it('lists the four prebuilt workflows by their spec names, enabled, with installer-approval', async () => {
    const answer = await as(world.installer.key, '/v1/workflows?kind=prebuilt');
    const { workflows } = (await answer.json()) as {
      workflows: Array<{ name: string; approval: string; enabled: boolean; inputSchema: object }>;
    };
    expect(workflows.map((workflow) => workflow.name).sort()).toEqual([
      'Create Jira Issue',
      'List Jira Projects',
      'Read Jira Issue Details',
      'Transition Jira Issue',
    ]);
    for (const workflow of workflows) {
      expect(workflow.approval).toBe('installer-approval');
      expect(workflow.enabled).toBe(true);
      expect(workflow.inputSchema).toMatchObject({ type: 'object' });
    }
  });

  describe('Read Jira Issue Details', () => {
    it('returns summary, Markdown description, people, priority and custom fields by name', async () => {
      const run = await runApproved('read-jira-issue-details', { issue: 'sup-2' });
      expect(run.error).toBeNull();
      expect(run.state).toBe('succeeded');
      const output = run.output as Record<string, unknown>;
      expect(output.key).toBe('SUP-2');
      expect(output.summary).toBe('New laptop for onboarding');
      expect(output.description).toBeNull();
      expect(output.status).toBe('To Do');
      expect(output.reporter).toMatchObject({ accountId: expect.any(String) });
      expect(output.fields).toMatchObject({
        'Laptop model': 'MacBook Pro 14',
        'Business justification': 'New hire starts on the 1st.',
      });
      expect(run.steps).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: 'rest/api/3/issue/SUP-2',
          status: 200,
          identity: 'user',
        }),
      ]);
      expect(run.history.map((entry) => entry.action)).toEqual([
        'workflow.run.started',
        'workflow.run.approved',
        'workflow.run.succeeded',
      ]);
      expect(run.history[1].detail).toMatchObject({ actor: world.installer.id, reason: 'looks right' });
    });

    it('gives the description as Markdown and the priority by name', async () => {
      const run = await runApproved('read-jira-issue-details', { issue: 'SUP-1' });
      expect(run.output).toMatchObject({
        key: 'SUP-1',
        description: 'Since Monday the VPN disconnects **every 30 minutes**.',
        fields: { Urgency: 'High' },
      });
      expect(typeof (run.output as { priority: unknown }).priority).toBe('string');
    });

    it('refuses a malformed key without calling Jira', async () => {
      const run = await runApproved('read-jira-issue-details', { issue: 'not a key!' });
      expect(run.state).toBe('failed');
      expect(run.error).toEqual({
        code: 'malformed_issue_key',
        message: workflowMessages.malformedIssueKey('not a key!'),
      });
      expect(run.error?.message).toBe(
        '"not a key!" is not an issue key like PROJ-123 or a numeric issue id.',
      );
      expect(run.steps).toEqual([]);
    });

    it('says clearly when the issue does not exist', async () => {
      const run = await runApproved('read-jira-issue-details', { issue: 'ENG-999' });
      expect(run.state).toBe('failed');
      expect(run.error).toEqual({
        code: 'issue_not_found',
        message: "Issue ENG-999 does not exist or the connection's user may not see it.",
      });
      expect(run.steps[0]).toMatchObject({ status: 404 });
    });
  });

  describe('Create Jira Issue', () => {
    it('checks create metadata, converts Markdown to ADF, resolves the assignee by email', async () => {
      const run = await runApproved('create-jira-issue', {
        project: 'ENG',
        summary: 'Rotate the signing keys',
        description: 'Steps:\n\n- **revoke** the old key\n- publish the new one',
        issueType: 'bug',
        priority: 'High',
        assignee: 'alice@acme.example',
      });
      expect(run.error).toBeNull();
      const output = run.output as { key: string; url: string };
      expect(output.key).toMatch(/^ENG-\d+$/);
      expect(output.url).toBe(`https://acme.atlassian.net/browse/${output.key}`);
      const issue = [...world.sandbox.state.issues.values()].find(
        (candidate) => candidate.key === output.key,
      )!;
      expect(issue.summary).toBe('Rotate the signing keys');
      expect(issue.assigneeId).toBe(DEFAULT_SEED.alice);
      expect(world.sandbox.state.issueTypes.get(issue.issueTypeId)?.name).toBe('Bug');
      expect(JSON.stringify(issue.description)).toContain('"type":"bulletList"');
      expect(JSON.stringify(issue.description)).toContain('"type":"strong"');
      expect(run.steps.map((step) => step.name)).toEqual([
        'Read create metadata (issue types)',
        'Read create metadata (fields)',
        'Find user by email',
        'Create issue',
      ]);
    });

    it('names the missing project, the unavailable issue type and the allowed priorities', async () => {
      const noProject = await runApproved('create-jira-issue', { project: 'NOPE', summary: 'x' });
      expect(noProject.error?.message).toBe(
        "Project NOPE does not exist or the connection's user may not create issues in it.",
      );
      const badType = await runApproved('create-jira-issue', {
        project: 'ENG',
        summary: 'x',
        issueType: 'Epic',
      });
      expect(badType.error?.code).toBe('issue_type_not_available');
      expect(badType.error?.message).toMatch(
        /^Issue type "Epic" is not available in project ENG\. Available: /,
      );
      const badPriority = await runApproved('create-jira-issue', {
        project: 'ENG',
        summary: 'x',
        priority: 'Urgent!',
      });
      expect(badPriority.error?.message).toBe(
        'Priority "Urgent!" is not allowed here. Allowed: Highest, High, Medium, Low, Lowest.',
      );
      expect(badPriority.steps.some((step) => step.method === 'POST')).toBe(false);
    });

    it("reports Jira's field errors per field, by field name", async () => {
      const run = await runApproved('create-jira-issue', {
        project: 'ENG',
        summary: 'x',
        assignee: 'no-such-account',
      });
      expect(run.state).toBe('failed');
      expect(run.error).toEqual({
        code: 'jira_field_errors',
        message: 'Jira refused the fields: Assignee: Specify a valid value for assignee',
      });
    });

    it('reports an unknown email clearly', async () => {
      const run = await runApproved('create-jira-issue', {
        project: 'ENG',
        summary: 'x',
        assignee: 'nobody@acme.example',
      });
      expect(run.error?.message).toBe(
        'No Jira user with the email nobody@acme.example is visible to the connection.',
      );
    });
  });

  describe('Transition Jira Issue', () => {
    it('performs the transition whose target status matches, case-insensitively', async () => {
      const run = await runApproved('transition-jira-issue', { issue: 'ENG-2', status: 'in progress' });
      expect(run.error).toBeNull();
      expect(run.output).toMatchObject({ issue: 'ENG-2', status: 'In Progress' });
      const issue = [...world.sandbox.state.issues.values()].find((candidate) => candidate.key === 'ENG-2')!;
      expect(world.sandbox.state.statuses.get(issue.statusId)?.name).toBe('In Progress');
      expect(run.steps.map((step) => `${step.method} ${step.status}`)).toEqual(['GET 200', 'POST 204']);
    });

    it('lists the reachable statuses when none matches', async () => {
      const run = await runApproved('transition-jira-issue', { issue: 'ENG-2', status: 'Shipped' });
      expect(run.state).toBe('failed');
      expect(run.error?.code).toBe('status_not_reachable');
      expect(run.error?.message).toMatch(
        /^Issue ENG-2 cannot move to "Shipped" from where it is\. Reachable statuses: .*Done/,
      );
      expect(run.steps).toHaveLength(1);
    });
  });

  describe('List Jira Projects', () => {
    it('lists every project with name, key, type and lead', async () => {
      const run = await runApproved('list-jira-projects', {});
      const output = run.output as { total: number; projects: Array<Record<string, unknown>> };
      expect(output.projects.map((project) => project.key)).toEqual(['ENG', 'SUP']);
      expect(output.projects[1]).toMatchObject({
        key: 'SUP',
        type: 'service_desk',
        lead: { accountId: '5b10a2844c20165700ede21a' },
      });
    });
  });

  describe('approvals', () => {
    it('a rejected run never calls Jira, and records who rejected it and why', async () => {
      const run = await start('list-jira-projects', {});
      const rejected = await as(world.installer.key, `/v1/workflow-runs/${run.id}/reject`, {
        method: 'POST',
        json: { reason: 'not today' },
      });
      expect(rejected.status).toBe(200);
      const before = world.sandbox.stats().requests;
      expect(await executeRun(world.ctx.services, run.id)).toBeUndefined();
      expect(world.sandbox.stats().requests).toBe(before);
      const read = await detail(run.id);
      expect(read).toMatchObject({ state: 'rejected', decisionReason: 'not today', steps: [] });
      expect(read.decidedBy?.id).toBe(world.installer.id);
      expect(read.history.map((entry) => entry.action)).toEqual([
        'workflow.run.started',
        'workflow.run.rejected',
      ]);
      const again = await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({
        error: { code: 'not_awaiting_approval', message: 'The run is rejected, not awaiting approval.' },
      });
    });

    it('installer-approval refuses another admin of the team', async () => {
      const run = await start('list-jira-projects', {});
      for (const decision of ['approve', 'reject']) {
        const answer = await as(world.otherAdmin.key, `/v1/workflow-runs/${run.id}/${decision}`, {
          method: 'POST',
        });
        expect(answer.status).toBe(403);
        expect(await answer.json()).toMatchObject({
          error: { code: 'approval_forbidden', message: workflowMessages.notInstaller },
        });
      }
      expect((await detail(run.id)).state).toBe('awaiting_approval');
    });

    it('only the installer loosens installer approval; any key may leave team approval; both audited', async () => {
      // A key that may not approve under the policy may not switch it off either.
      for (const approval of ['team-approval', 'no-approval']) {
        const refused = await as(world.otherAdmin.key, '/v1/workflows/list-jira-projects', {
          method: 'PATCH',
          json: { approval },
        });
        expect(refused.status).toBe(403);
        expect(await refused.json()).toMatchObject({
          error: { code: 'approval_forbidden', message: workflowMessages.looseningNeedsInstaller },
        });
      }
      const toTeam = await as(world.installer.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'team-approval' },
      });
      expect(toTeam.status).toBe(200);
      const toNone = await as(world.otherAdmin.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'no-approval' },
      });
      expect(toNone.status).toBe(200);
      const rows = await world.ctx.services.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'workflow.updated'))
        .orderBy(auditLog.id);
      expect(rows.slice(-2).map((row) => row.detail)).toEqual([
        expect.objectContaining({
          actor: world.installer.id,
          changes: { approval: { from: 'installer-approval', to: 'team-approval' } },
        }),
        expect.objectContaining({
          actor: world.otherAdmin.id,
          changes: { approval: { from: 'team-approval', to: 'no-approval' } },
        }),
      ]);
      // Tightening needs no special authority.
      const back = await as(world.otherAdmin.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'installer-approval' },
      });
      expect(back.status).toBe(200);
    });

    it('team-approval accepts any admin; the policy change is audited with its author', async () => {
      const tightened = await as(world.otherAdmin.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'installer-approval' },
      });
      expect(tightened.status).toBe(200);
      const patched = await as(world.installer.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'team-approval' },
      });
      expect(patched.status).toBe(200);
      const workflow = (await patched.json()) as { id: string; approval: string };
      expect(workflow.approval).toBe('team-approval');
      const rows = await world.ctx.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'workflow.updated'), eq(auditLog.target, workflow.id)))
        .orderBy(auditLog.id);
      expect(rows.at(-1)?.detail).toEqual({
        actor: world.installer.id,
        workflow: 'List Jira Projects',
        changes: { approval: { from: 'installer-approval', to: 'team-approval' } },
      });
      // The row's actor names the key as every other row does, so the history's actor filter finds it.
      expect(rows.at(-1)?.actor).toBe(`key ${world.installer.key.slice(0, 10)}…`);

      const run = await start('list-jira-projects', {});
      const approved = await as(world.otherAdmin.key, `/v1/workflow-runs/${run.id}/approve`, {
        method: 'POST',
      });
      expect(approved.status).toBe(200);
      await executeRun(world.ctx.services, run.id);
      expect((await detail(run.id)).state).toBe('succeeded');
    });

    it('no-approval queues the run at once; a paused workflow does not start', async () => {
      await as(world.installer.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { approval: 'no-approval' },
      });
      const run = await start('list-jira-projects', {});
      expect(run.state).toBe('queued');
      await as(world.installer.key, '/v1/workflows/list-jira-projects', {
        method: 'PATCH',
        json: { enabled: false },
      });
      const paused = await as(world.installer.key, '/v1/workflows/list-jira-projects/runs', {
        method: 'POST',
        json: { connectionId: world.connection.id, input: {} },
      });
      expect(paused.status).toBe(409);
      expect(await paused.json()).toMatchObject({
        error: {
          code: 'workflow_paused',
          message: 'The workflow "List Jira Projects" is paused. Enable it before running it.',
        },
      });
    });

    it('an approval that waited more than 7 days expires and the run never calls Jira', async () => {
      const run = await start('list-jira-projects', {});
      world.clock.advance(7 * 86_400_000 + 1);
      const late = await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      expect(late.status).toBe(409);
      expect(await late.json()).toMatchObject({
        error: {
          code: 'approval_expired',
          message: 'The run waited more than 7 days for approval and expired.',
        },
      });
      expect(await executeRun(world.ctx.services, run.id)).toBeUndefined();
      const read = await detail(run.id);
      expect(read).toMatchObject({ state: 'rejected', steps: [] });
      expect(read.decidedBy?.id).toBe('system');
      expect(read.history.map((entry) => entry.action)).toEqual([
        'workflow.run.started',
        'workflow.run.expired',
      ]);
    });

    it('needs the connection to run on', async () => {
      const answer = await as(world.installer.key, '/v1/workflows/list-jira-projects/runs', {
        method: 'POST',
        json: { input: {} },
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({
        error: {
          code: 'invalid_request',
          message: 'connectionId is required: the Jira connection the run calls.',
        },
      });
    });

    it('validates input against the schema before anything runs', async () => {
      const answer = await as(world.installer.key, '/v1/workflows/create-jira-issue/runs', {
        method: 'POST',
        json: { connectionId: world.connection.id, input: { summary: 7, color: 'red' } },
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({
        error: {
          code: 'invalid_input',
          message:
            'The input is not valid: project is required; color is not a known field; summary must be string',
        },
      });
    });
  });

  it('a connection that does not record who made it cannot give installer approval', async () => {
    await world.ctx.services.db
      .update(jiraConnections)
      .set({ createdByKeyId: null })
      .where(eq(jiraConnections.id, world.connection.id));
    try {
      const run = await start('list-jira-projects', {});
      const answer = await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      expect(answer.status).toBe(403);
      expect(await answer.json()).toMatchObject({
        error: { code: 'approval_forbidden', message: workflowMessages.noInstallerRecorded },
      });
    } finally {
      await world.ctx.services.db
        .update(jiraConnections)
        .set({ createdByKeyId: world.installer.id })
        .where(eq(jiraConnections.id, world.connection.id));
    }
  });

  it('the sweep expires overdue approvals and puts stranded runs back on the queue', async () => {
    const waiting = await start('list-jira-projects', {});
    const stranded = await start('list-jira-projects', {});
    await as(world.installer.key, `/v1/workflow-runs/${stranded.id}/approve`, { method: 'POST' });
    world.clock.advance(7 * 86_400_000 + 1);
    expect(await expireOverdueRuns(world.ctx.services)).toBeGreaterThanOrEqual(1);
    expect((await detail(waiting.id)).state).toBe('rejected');
    // Queued for over a minute without a worker taking it: its job is sent again (one per run).
    expect(await requeueStrandedRuns(world.ctx.services)).toBeGreaterThanOrEqual(1);
    // A week later the connection's token is long gone: give it a fresh one.
    await world.resetSandbox();
    await executeRun(world.ctx.services, stranded.id);
    expect((await detail(stranded.id)).state).toBe('succeeded');
  });

  it('a run started again with the same Idempotency-Key is the first run, not a second one', async () => {
    const send = () =>
      as(world.installer.key, '/v1/workflows/list-jira-projects/runs', {
        method: 'POST',
        json: { connectionId: world.connection.id, input: {} },
        headers: { 'idempotency-key': 'run-once' },
      });
    const allRuns = () => world.ctx.services.db.select().from(workflowRuns);
    const before = (await allRuns()).length;
    const first = (await (await send()).json()) as { id: string };
    const again = await send();
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    expect(await allRuns()).toHaveLength(before + 1);
  });

  describe('interrupted runs', () => {
    /** Freezes the worker as a killed process would leave it: the call logged, never answered. */
    function freezeAt(stepName: string) {
      let reached: () => void = () => {};
      const atStep = new Promise<void>((resolve) => {
        reached = resolve;
      });
      return {
        atStep,
        hook: async (step: { name: string }) => {
          if (step.name !== stepName) return;
          reached();
          await new Promise(() => {});
        },
      };
    }

    it('a write that may have reached Jira is not repeated: the run fails naming the call', async () => {
      const run = await start('create-jira-issue', { project: 'ENG', summary: 'Exactly once' });
      await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      const frozen = freezeAt('Create issue');
      void executeRun(world.ctx.services, run.id, { beforeJiraCall: frozen.hook });
      await frozen.atStep;
      // Another delivery of the job while the first worker still holds its lease does nothing.
      expect(await executeRun(world.ctx.services, run.id)).toBeUndefined();
      world.clock.advance(RUN_LEASE_MS + 1);
      const recovered = await executeRun(world.ctx.services, run.id);
      expect(recovered?.state).toBe('failed');
      const read = await detail(run.id);
      expect(read.error).toEqual({
        code: 'interrupted',
        message:
          'The run was interrupted while POST rest/api/3/issue was under way; it was not retried, so nothing is done twice. Check Jira before running it again.',
      });
      expect(read.attempts).toBe(2);
      const created = [...world.sandbox.state.issues.values()].filter(
        (issue) => issue.summary === 'Exactly once',
      );
      expect(created).toHaveLength(0);
    });

    it('a live worker keeps its run by its heartbeat; once it stops, the run is taken over within a lease', async () => {
      const run = await start('list-jira-projects', {});
      await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      const frozen = freezeAt('List projects (page 1)');
      let beat: (() => void) | undefined;
      let stopped = false;
      void executeRun(world.ctx.services, run.id, {
        beforeJiraCall: frozen.hook,
        heartbeat: (renew) => {
          beat = renew;
          return () => {
            stopped = true;
          };
        },
      });
      await frozen.atStep;
      const leaseOf = async () =>
        (await world.ctx.services.db.select().from(workflowRuns).where(eq(workflowRuns.id, run.id)))[0]
          .leaseExpiresAt;
      // Alive past several leases: each beat renews it, so nobody else may claim the run.
      for (let beats = 0; beats < 3; beats += 1) {
        world.clock.advance(RUN_LEASE_MS - 1_000);
        const before = await leaseOf();
        beat?.();
        await expect.poll(async () => (await leaseOf())?.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
        expect(await executeRun(world.ctx.services, run.id)).toBeUndefined();
      }
      expect(stopped).toBe(false);
      // Its beats stop (the process died): one lease later the run is resumed elsewhere.
      world.clock.advance(RUN_LEASE_MS + 1);
      expect((await executeRun(world.ctx.services, run.id))?.state).toBe('succeeded');
    });

    it('a read-only run is resumed and succeeds once', async () => {
      const run = await start('list-jira-projects', {});
      await as(world.installer.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' });
      const frozen = freezeAt('List projects (page 1)');
      void executeRun(world.ctx.services, run.id, { beforeJiraCall: frozen.hook });
      await frozen.atStep;
      world.clock.advance(RUN_LEASE_MS + 1);
      const resumed = await executeRun(world.ctx.services, run.id);
      expect(resumed?.state).toBe('succeeded');
      const read = await detail(run.id);
      expect(read.attempts).toBe(2);
      expect(read.history.filter((entry) => entry.action === 'workflow.run.succeeded')).toHaveLength(1);
      // A third delivery finds it finished.
      expect(await executeRun(world.ctx.services, run.id)).toBeUndefined();
    });
  });

  describe('tenancy', () => {
    it("another team's run, workflow and connection are not found", async () => {
      const run = await start('list-jira-projects', {});
      const other = await world.ctx.createTeam('Other team');
      const runAnswer = await as(other.key, `/v1/workflow-runs/${run.id}`);
      expect(runAnswer.status).toBe(404);
      expect(await runAnswer.json()).toMatchObject({
        error: { code: 'run_not_found', message: 'No workflow run with that id.' },
      });
      expect((await as(other.key, `/v1/workflow-runs/${run.id}/approve`, { method: 'POST' })).status).toBe(
        404,
      );
      expect((await as(other.key, `/v1/workflow-runs/${run.id}/reject`, { method: 'POST' })).status).toBe(
        404,
      );
      const list = (await (await as(other.key, '/v1/workflow-runs')).json()) as { runs: unknown[] };
      expect(list.runs).toEqual([]);

      const [workflowId] = await world.ctx.services.db
        .select({ id: workflowRuns.workflowId })
        .from(workflowRuns)
        .where(eq(workflowRuns.id, run.id));
      const patch = await as(other.key, `/v1/workflows/${workflowId.id}`, {
        method: 'PATCH',
        json: { enabled: false },
      });
      expect(patch.status).toBe(404);
      expect(await patch.json()).toMatchObject({
        error: { code: 'workflow_not_found', message: 'No workflow with that id.' },
      });

      const foreignConnection = await as(other.key, '/v1/workflows/list-jira-projects/runs', {
        method: 'POST',
        json: { connectionId: world.connection.id, input: {} },
      });
      expect(foreignConnection.status).toBe(404);
      expect(await foreignConnection.json()).toMatchObject({
        error: { code: 'connection_not_found', message: 'No Jira connection with that id.' },
      });
    });

    it('requires a team key', async () => {
      expect((await world.ctx.request('/v1/workflows', { key: null })).status).toBe(401);
      expect(
        (await world.ctx.request('/v1/workflow-runs/x/approve', { key: null, method: 'POST' })).status,
      ).toBe(401);
    });
  });
});
