/** JSM error texts and their i18n keys (ErrorResponse shape). */
export const JSM_MESSAGES = {
  serviceDeskNotFound: (id: string) => ({
    message: `Service Desk with id '${id}' does not exist or you do not have permission to see it.`,
    key: 'sd.service.desk.not.found',
  }),
  requestTypeNotFound: (id: string) => ({
    message: `Request type with id '${id}' does not exist in this service desk.`,
    key: 'sd.request.type.not.found',
  }),
  requestNotFound: (key: string) => ({
    message: `The request '${key}' does not exist or you do not have permission to see it.`,
    key: 'sd.request.not.found',
  }),
  serviceDeskIdRequired: {
    message: 'The serviceDeskId is required.',
    key: 'sd.request.create.servicedesk.required',
  },
  requestTypeIdRequired: {
    message: 'The requestTypeId is required.',
    key: 'sd.request.create.requesttype.required',
  },
  fieldValuesRequired: {
    message: 'requestFieldValues must be an object of field ids to values.',
    key: 'sd.request.create.fields.invalid',
  },
  fieldRequired: (label: string) => ({
    message: `${label}: This field is required.`,
    key: 'sd.field.required',
  }),
  fieldUnknown: (fieldId: string) => ({
    message: `The field '${fieldId}' is not valid for this request type.`,
    key: 'sd.field.not.valid',
  }),
  fieldInvalid: (label: string) => ({
    message: `${label}: The value is not valid.`,
    key: 'sd.field.value.invalid',
  }),
  userNotFound: (user: string) => ({
    message: `The user '${user}' does not exist.`,
    key: 'sd.user.not.found',
  }),
  raiseOnBehalfForbidden: {
    message: 'You do not have permission to raise requests on behalf of other customers.',
    key: 'sd.request.create.raise.on.behalf.forbidden',
  },
  commentBodyRequired: { message: 'The comment body can not be empty.', key: 'sd.comment.body.required' },
  internalCommentForbidden: {
    message: 'You do not have permission to add internal comments.',
    key: 'sd.comment.internal.forbidden',
  },
  commentForbidden: {
    message: 'You do not have permission to comment on this request.',
    key: 'sd.comment.forbidden',
  },
  transitionInvalid: (id: string) => ({
    message: `The transition with id '${id}' is not valid for this request.`,
    key: 'sd.customer.transition.invalid',
  }),
  approvalNotFound: (id: string) => ({
    message: `The approval with id '${id}' does not exist on this request.`,
    key: 'sd.approval.not.found',
  }),
  approvalDecisionInvalid: {
    message: "The decision must be 'approve' or 'decline'.",
    key: 'sd.approval.decision.invalid',
  },
  notAnApprover: { message: 'You are not an approver of this approval.', key: 'sd.approval.not.approver' },
  approvalAlreadyAnswered: {
    message: 'This approval has already been answered.',
    key: 'sd.approval.already.answered',
  },
  accountIdsRequired: {
    message: 'accountIds must list at least one account.',
    key: 'sd.account.ids.required',
  },
  participantsForbidden: {
    message: 'You do not have permission to manage the participants of this request.',
    key: 'sd.participants.forbidden',
  },
  agentOnly: {
    message: 'Only agents of this service desk can do this.',
    key: 'sd.agent.permission.required',
  },
  slaNotFound: (id: string) => ({
    message: `The SLA metric with id '${id}' does not exist.`,
    key: 'sd.sla.not.found',
  }),
  commentNotFound: (id: string) => ({
    message: `The comment with id '${id}' does not exist or you do not have permission to see it.`,
    key: 'sd.comment.not.found',
  }),
  feedbackNotFound: { message: 'No feedback has been given on this request.', key: 'sd.feedback.not.found' },
  feedbackRatingInvalid: {
    message: 'The rating must be an integer from 1 to 5.',
    key: 'sd.feedback.rating.invalid',
  },
  feedbackForbidden: {
    message: 'Only the customer who raised the request can give feedback.',
    key: 'sd.feedback.forbidden',
  },
  customerAdminRequired: {
    message: 'You must be an agent of a service desk or a Jira administrator to manage customers.',
    key: 'sd.customer.admin.required',
  },
  customerEmailInvalid: { message: 'The email address is not valid.', key: 'sd.customer.email.invalid' },
  customerExists: (email: string) => ({
    message: `A user with the email '${email}' already exists.`,
    key: 'sd.customer.already.exists',
  }),
  organizationNotFound: (id: string) => ({
    message: `The organization with id '${id}' does not exist.`,
    key: 'sd.organization.not.found',
  }),
  organizationNameRequired: {
    message: 'The organization name is required.',
    key: 'sd.organization.name.required',
  },
  organizationExists: (name: string) => ({
    message: `An organization with the name '${name}' already exists.`,
    key: 'sd.organization.name.exists',
  }),
  propertyNotFound: (key: string) => ({
    message: `The property with key '${key}' does not exist.`,
    key: 'sd.property.not.found',
  }),
  queueNotFound: (id: string) => ({
    message: `The queue with id '${id}' does not exist.`,
    key: 'sd.queue.not.found',
  }),
  invalidPaging: {
    message: "The 'start' and 'limit' parameters must be non-negative integers.",
    key: 'sd.paging.invalid',
  },
} as const;
