import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { defineWorkflow, WorkflowError } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';

interface Transition {
  id: string;
  name: string;
  to?: { id?: string; name?: string };
}

export default defineWorkflow<{ issue: string; status: string }>({
  key: 'transition-jira-issue',
  kind: 'prebuilt',
  name: 'Transition Jira Issue',
  description:
    'Moves a Jira issue to a different status (To-Do, In Progress, Done, etc.) - first retrieves the available transitions, then performs the transition.',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue', 'status'],
    additionalProperties: false,
    properties: {
      issue: issueInput,
      status: {
        type: 'string',
        title: 'Target status',
        minLength: 1,
        maxLength: 255,
        description: 'The status to move to, e.g. In Progress or Done (any case).',
      },
    },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const path = issuePath(issue, '/transitions');
    const listed = await jira.call<{ transitions: Transition[] }>('List transitions', 'GET', path);
    const { transitions } = checkIssueAnswer(listed, issue);
    const wanted = input.status.trim().toLowerCase();
    const match =
      transitions.find((transition) => transition.to?.name?.toLowerCase() === wanted) ??
      transitions.find((transition) => transition.name.toLowerCase() === wanted);
    if (!match) {
      const reachable = [...new Set(transitions.map((transition) => transition.to?.name ?? transition.name))];
      throw new WorkflowError(
        'status_not_reachable',
        workflowMessages.statusNotReachable(issue, input.status.trim(), reachable),
        { reachable },
      );
    }
    await jira.json('Perform transition', 'POST', path, { json: { transition: { id: match.id } } });
    return { issue, transition: { id: match.id, name: match.name }, status: match.to?.name ?? match.name };
  },
});
