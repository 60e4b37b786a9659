import {
  connectMessages,
  customFieldRequired,
  normalizeSubdomain,
  subdomainProblem,
} from '@jira-integration/shared';
import { ApiError } from '../http/errors';

/** The managed form's rules; the messages are the spec's, word for word. */
export function validateManagedSubdomain(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined; // API callers may let the site be chosen on Atlassian's screen
  const problem = subdomainProblem(raw);
  if (problem === 'required') throw new ApiError('subdomain_required', connectMessages.subdomainRequired);
  if (problem === 'invalid') throw new ApiError('subdomain_invalid', connectMessages.subdomainInvalid);
  return normalizeSubdomain(raw);
}

export interface CustomAppInput {
  displayName?: string;
  subdomain?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Empty required values give "Failed to initiate custom Jira app: <field> is required". */
export function validateCustomApp(input: CustomAppInput) {
  for (const field of ['clientId', 'clientSecret', 'subdomain'] as const) {
    if (!input[field]?.trim()) throw new ApiError(`${field}_required`, customFieldRequired(field));
  }
  // Something was typed, so anything wrong with it (even nothing left once normalised) is "invalid".
  if (subdomainProblem(input.subdomain!))
    throw new ApiError('subdomain_invalid', connectMessages.subdomainInvalid);
  return {
    displayName: input.displayName?.trim() || undefined,
    subdomain: normalizeSubdomain(input.subdomain!),
    clientId: input.clientId!.trim(),
    // Secrets are taken exactly as given: whitespace inside them is not ours to change.
    clientSecret: input.clientSecret!,
  };
}
