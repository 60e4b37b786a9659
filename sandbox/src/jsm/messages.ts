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
  invalidPaging: {
    message: "The 'start' and 'limit' parameters must be non-negative integers.",
    key: 'sd.paging.invalid',
  },
} as const;
