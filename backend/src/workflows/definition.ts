/**
 * What a workflow is in code: a name, a JSON Schema for its input (the console's form and the run's validation
 * both come from it), whether it writes to Jira, and a `run` that calls Jira only through the step client.
 * Each prebuilt workflow and common action is one file under definitions/ exporting one of these.
 */
import type { ApprovalPolicy } from '@jira-integration/shared/workflow-messages';
import type { Services } from '../context';
import type { JiraConnection } from '../model/connection';
import type { JiraSteps } from './jira-steps';

/** A JSON Schema (draft 2020-12 subset that ajv validates and the console renders). */
export type JsonSchema = Record<string, unknown>;

export interface RunContext {
  services: Services;
  connection: JiraConnection;
  jira: JiraSteps;
  run: { id: string; teamId: string; workflowId: string };
}

export interface WorkflowDefinition<Input = Record<string, unknown>> {
  /** Stable key, also accepted in place of the workflow's id in the API (e.g. `read-jira-issue-details`). */
  key: string;
  kind: 'prebuilt' | 'action';
  name: string;
  description: string;
  inputSchema: JsonSchema;
  defaultApproval: ApprovalPolicy;
  /**
   * True when the workflow changes Jira. An interrupted run of such a workflow that already sent a write is
   * failed instead of re-run, so nothing happens twice; read-only runs simply run again.
   */
  writes: boolean;
  run(context: RunContext, input: Input): Promise<unknown>;
}

/** A run ends failed with this code and message (shown to the user as is). */
export class WorkflowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** Typed helper so a definition file reads as data. */
export function defineWorkflow<Input>(definition: WorkflowDefinition<Input>): WorkflowDefinition<Input> {
  return definition;
}
