import { defineWorkflow } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';
import { personSchema, resolveAccountId } from '../people';

export default defineWorkflow<{ issue: string; watcher: string }>({
  key: 'add-watcher',
  kind: 'action',
  name: 'Add Watcher',
  description: 'Adds a person (accountId or email) to the watchers of an issue.',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue', 'watcher'],
    additionalProperties: false,
    properties: { issue: issueInput, watcher: { ...personSchema, title: 'Watcher' } },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const accountId = await resolveAccountId(jira, input.watcher.trim());
    // The body is the account id as a bare JSON string.
    const answer = await jira.call('Add watcher', 'POST', issuePath(issue, '/watchers'), { json: accountId });
    checkIssueAnswer(answer, issue);
    return { issue, watcher: accountId };
  },
});
