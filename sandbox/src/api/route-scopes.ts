/**
 * The OAuth scopes each operation needs, from the specs' `x-atlassian-oauth2-scopes` (classic = "Current",
 * granular = "Beta"), through the generated spec index. A token passes with all classic scopes or all granular
 * ones; an operation that lists none (e.g. JSM `info`) needs no scope. test/contract checks the index against
 * the specs.
 */
import { readFileSync } from 'node:fs';
import type { SpecIndex, SpecName, SpecOperationEntry } from './spec-index';

export interface ScopeRule {
  classic: readonly string[];
  granular: readonly string[];
}

/** Read rather than imported: the type checker need not infer a 150 kB literal. */
export const SPEC_INDEX = JSON.parse(
  readFileSync(new URL('./spec-operations.json', import.meta.url), 'utf8'),
) as SpecIndex;

/** Every operation of both specs by `METHOD /path/template`. */
export const SPEC_OPERATIONS: ReadonlyMap<string, SpecOperationEntry & { spec: SpecName }> = new Map(
  (['platform', 'jsm'] as const).flatMap((spec) =>
    SPEC_INDEX[spec].map((op) => [`${op.method} ${op.path}`, { ...op, spec }] as const),
  ),
);

export function hasScopes(tokenScopes: readonly string[], rule: ScopeRule): boolean {
  if (rule.classic.length === 0 && rule.granular.length === 0) return true;
  const granted = new Set(tokenScopes);
  const all = (required: readonly string[]) => required.length > 0 && required.every((s) => granted.has(s));
  return all(rule.classic) || all(rule.granular);
}
