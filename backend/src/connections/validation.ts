import { connectMessages, customFieldRequired, SUBDOMAIN_PATTERN } from '@jira-integration/shared';
import { ApiError } from '../http/errors';

/** `acme` from `acme`, `acme.atlassian.net` or `https://acme.atlassian.net/`: people paste all three. */
export function normalizeSubdomain(value: string): string {
  return value
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .replace(/\.atlassian\.net$/i, '')
    .toLowerCase();
}

/** The managed form's rules; the messages are the spec's, word for word. */
export function validateManagedSubdomain(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined; // API callers may let the site be chosen on Atlassian's screen
  const subdomain = normalizeSubdomain(raw);
  if (!subdomain) throw new ApiError(400, 'subdomain_required', connectMessages.subdomainRequired);
  if (!SUBDOMAIN_PATTERN.test(subdomain))
    throw new ApiError(400, 'subdomain_invalid', connectMessages.subdomainInvalid);
  return subdomain;
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
    if (!input[field]?.trim()) throw new ApiError(400, `${field}_required`, customFieldRequired(field));
  }
  const subdomain = normalizeSubdomain(input.subdomain!);
  if (!SUBDOMAIN_PATTERN.test(subdomain))
    throw new ApiError(400, 'subdomain_invalid', connectMessages.subdomainInvalid);
  return {
    displayName: input.displayName?.trim() || undefined,
    subdomain,
    clientId: input.clientId!.trim(),
    // Secrets are taken exactly as given: whitespace inside them is not ours to change.
    clientSecret: input.clientSecret!,
  };
}
