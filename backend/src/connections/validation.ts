import { connectMessages, customFieldRequired, subdomainProblem } from '@jira-integration/shared';
import { limitMessages } from '@jira-integration/shared/security-messages';
import { ApiError } from '../http/errors';
import { hasControlCharacters } from '../http/limits';

/** Longest display name and client id accepted (a subdomain's limit, 63, is in SUBDOMAIN_PATTERN). */
export const MAX_NAME_LENGTH = 255;
/** Atlassian's secrets are far shorter; this only keeps absurd input out. */
const MAX_SECRET_LENGTH = 1024;

function checkField(field: string, value: string | undefined, max: number) {
  if (value === undefined) return;
  if (hasControlCharacters(value))
    throw new ApiError('invalid_characters', limitMessages.controlCharacters(field));
  if (value.length > max) throw new ApiError('field_too_long', limitMessages.tooLong(field, max));
}

/** The managed form's rules; the messages are the spec's, word for word. */
export function validateManagedSubdomain(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined; // API callers may let the site be chosen on Atlassian's screen
  checkField('subdomain', raw, MAX_NAME_LENGTH);
  const problem = subdomainProblem(raw);
  if (problem === 'required') throw new ApiError('subdomain_required', connectMessages.subdomainRequired);
  if (problem === 'invalid') throw new ApiError('subdomain_invalid', connectMessages.subdomainInvalid);
  return raw;
}

export interface CustomAppInput {
  displayName?: string;
  subdomain?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Empty required values give "Failed to initiate custom Jira app: <field> is required". */
export function validateCustomApp(input: CustomAppInput) {
  checkField('displayName', input.displayName, MAX_NAME_LENGTH);
  checkField('subdomain', input.subdomain, MAX_NAME_LENGTH);
  checkField('clientId', input.clientId, MAX_NAME_LENGTH);
  checkField('clientSecret', input.clientSecret, MAX_SECRET_LENGTH);
  for (const field of ['clientId', 'clientSecret', 'subdomain'] as const) {
    if (!input[field]?.trim()) throw new ApiError(`${field}_required`, customFieldRequired(field));
  }
  if (subdomainProblem(input.subdomain!))
    throw new ApiError('subdomain_invalid', connectMessages.subdomainInvalid);
  return {
    displayName: input.displayName?.trim() || undefined,
    subdomain: input.subdomain!,
    clientId: input.clientId!.trim(),
    // Secrets are taken exactly as given: whitespace inside them is not ours to change.
    clientSecret: input.clientSecret!,
  };
}
