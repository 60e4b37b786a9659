/**
 * Every prebuilt workflow and common action: each file in definitions/ default-exports one definition, so
 * adding an action is adding a file (nothing to register by hand).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowDefinition } from './definition';

const directory = fileURLToPath(new URL('./definitions/', import.meta.url));
const files = readdirSync(directory)
  .filter((file) => /\.(ts|js)$/.test(file) && !/\.(test|d)\.(ts|js)$/.test(file))
  .sort();

const loaded = await Promise.all(
  files.map(async (file) => (await import(new URL(`./definitions/${file}`, import.meta.url).href)).default),
);

export const WORKFLOW_DEFINITIONS: ReadonlyArray<WorkflowDefinition> = loaded.filter(
  (definition): definition is WorkflowDefinition => Boolean(definition?.key && definition.run),
);

const byKey = new Map(WORKFLOW_DEFINITIONS.map((definition) => [definition.key, definition]));

export function definitionFor(key: string): WorkflowDefinition | undefined {
  return byKey.get(key);
}
