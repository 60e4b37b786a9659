/** Run inputs are checked against the workflow's JSON Schema with ajv: the same schema the console's form is built from. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonSchema } from './definition';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
addFormats.default(ajv);
// Marks long text the console shows as a text area; any string is valid.
ajv.addFormat('markdown', true);

const compiled = new Map<string, ValidateFunction>();

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'input';
  if (error.keyword === 'required') return `${String(error.params.missingProperty)} is required`;
  if (error.keyword === 'additionalProperties') {
    return `${where === 'input' ? '' : `${where}.`}${String(error.params.additionalProperty)} is not a known field`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
  }
  return `${where} ${error.message ?? 'is not valid'}`;
}

/** The errors of an input as one readable line, or undefined when it is valid (defaults are filled in). */
export function validateInput(cacheKey: string, schema: JsonSchema, input: unknown): string | undefined {
  const key = `${cacheKey}:${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size > 2_000) compiled.clear();
    compiled.set(key, validate);
  }
  if (validate(input)) return undefined;
  return [...new Set((validate.errors ?? []).map(describe))].join('; ');
}
