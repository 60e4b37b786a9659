import { defineWorkflow } from '../definition';
import { findUserByEmail, presentUser } from '../people';

export default defineWorkflow<{ email: string }>({
  key: 'find-user-by-email',
  kind: 'action',
  name: 'Find User by Email',
  description: 'Looks a person up in Jira by email and returns their accountId and name.',
  defaultApproval: 'installer-approval',
  writes: false,
  inputSchema: {
    type: 'object',
    required: ['email'],
    additionalProperties: false,
    properties: { email: { type: 'string', title: 'Email', format: 'email', maxLength: 254 } },
  },
  async run({ jira }, input) {
    const user = await findUserByEmail(jira, input.email);
    return { found: Boolean(user), user: user ? presentUser(user) : null };
  },
});
