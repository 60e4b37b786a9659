/**
 * The operations of Atlassian's specs, reduced to what the sandbox needs at run time: method, path template and
 * the OAuth scopes (`x-atlassian-oauth2-scopes`: "Current" = classic, "Beta" = granular; without it the
 * `security` OAuth2 list counts as classic). Built by sandbox/scripts/spec-index.ts into spec-operations.json.
 */
import type { ScopeRule } from './route-scopes';

export type SpecName = 'platform' | 'jsm';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface SpecOperationEntry extends ScopeRule {
  method: HttpMethod;
  path: string;
  operationId: string;
}

export interface SpecIndex {
  platform: SpecOperationEntry[];
  jsm: SpecOperationEntry[];
}

interface OperationLike {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  'x-atlassian-oauth2-scopes'?: Array<{ state: string; scopes: string[] }>;
}
export interface SpecDocumentLike {
  paths: Record<string, Record<string, OperationLike>>;
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

function entries(doc: SpecDocumentLike): SpecOperationEntry[] {
  const out: SpecOperationEntry[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!op) continue;
      const declared = op['x-atlassian-oauth2-scopes'] ?? [];
      const byState = (state: string) => declared.find((d) => d.state === state)?.scopes ?? [];
      const security = (op.security ?? []).find((s) => 'OAuth2' in s)?.OAuth2 ?? [];
      out.push({
        method,
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        classic: declared.length > 0 ? byState('Current') : security,
        granular: byState('Beta'),
      });
    }
  }
  return out;
}

export function buildSpecIndex(platform: SpecDocumentLike, jsm: SpecDocumentLike): SpecIndex {
  return { platform: entries(platform), jsm: entries(jsm) };
}
