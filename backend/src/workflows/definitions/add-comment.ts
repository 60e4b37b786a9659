import { markdownToAdf } from '../adf';
import { defineWorkflow } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';

export default defineWorkflow<{ issue: string; body: string; internal?: boolean }>({
  key: 'add-comment',
  kind: 'action',
  name: 'Add Comment',
  description:
    'Adds a comment (Markdown) to an issue; on Jira Service Management issues it can be internal (agents only).',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue', 'body'],
    additionalProperties: false,
    properties: {
      issue: issueInput,
      body: { type: 'string', title: 'Comment', format: 'markdown', minLength: 1, maxLength: 32_000 },
      internal: {
        type: 'boolean',
        title: 'Internal (JSM)',
        default: false,
        description: 'Only agents see it; customers of the service desk do not.',
      },
    },
  },
  async run({ jira }, input) {
    const issue = checkIssueKey(input.issue);
    const answer = await jira.call<{ id: string }>('Add comment', 'POST', issuePath(issue, '/comment'), {
      json: {
        body: markdownToAdf(input.body),
        // JSM's switch for internal comments made through the platform API.
        ...(input.internal ? { properties: [{ key: 'sd.public.comment', value: { internal: true } }] } : {}),
      },
    });
    const comment = checkIssueAnswer(answer, issue);
    return { issue, commentId: comment.id, internal: input.internal === true };
  },
});
