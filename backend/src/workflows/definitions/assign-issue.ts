import { defineWorkflow } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';
import { personSchema, resolveAccountId } from '../people';

export default defineWorkflow<{ issue: string; assignee: string }>({
  key: 'assign-issue',
  kind: 'action',
  name: 'Assign Issue',
  description: 'Assigns an issue to a person, by accountId or email.',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue', 'assignee'],
    additionalProperties: false,
    properties: { issue: issueInput, assignee: { ...personSchema, title: 'Assignee' } },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const accountId = await resolveAccountId(jira, input.assignee.trim());
    const answer = await jira.call('Assign issue', 'PUT', issuePath(issue, '/assignee'), {
      json: { accountId },
    });
    checkIssueAnswer(answer, issue, new Map([['assignee', 'Assignee']]));
    return { issue, assignee: accountId };
  },
});
