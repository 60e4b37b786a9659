/** Every text the sandbox's Forge platform answers with, in one place. */
export const forgeMessages = {
  manifestWithoutAppId: 'manifest.yml has no app.id',
  unknownSite: (cloudId: string) => `No site with cloudId ${cloudId} exists in the sandbox.`,
  notInstalled: (cloudId: string) => `The app is not installed on site ${cloudId}.`,
  notAUiModule: (moduleKey: string) => `Module ${moduleKey} is not a UI module with a resolver endpoint.`,
  uiRemoteFailed: (reason: string) => `The remote did not answer the UI invocation (${reason}).`,
  noScheduledTrigger: 'The manifest has no scheduledTrigger that targets a remote endpoint.',
  missingFields: (fields: string) => `Request body needs ${fields}.`,
  panelNeeds: (fields: string) => `The issue panel needs ${fields}.`,
  adminPageNeeds: (fields: string) => `The admin page needs ${fields}.`,
  systemTokenTooLong: 'systemTokenTtlSeconds must be at most 14400 (4 hours).',
  graphqlUnauthorized: 'A valid app system token is required.',
  graphqlUnknownOperation: 'Only the offlineUserAuthToken mutation is supported.',
  impersonationBadInput: 'offlineUserAuthToken needs input.contextIds (non-empty) and input.userId.',
  impersonationUnknownContext: (contextId: string) => `The app cannot act in context ${contextId}.`,
  impersonationUnknownUser: (userId: string) => `User ${userId} does not exist.`,
  impersonationNoAppAccess: (userId: string) => `User ${userId} does not have access to the app.`,
  impersonationNotOnSite: (userId: string, cloudId: string) =>
    `User ${userId} cannot access site ${cloudId}.`,
} as const;
