/**
 * Validates HTTP answers against Atlassian's OpenAPI specs (the repository's specs/ folder).
 * Each spec is parsed once; response schemas are compiled lazily per operation and status, resolving
 * `#/components/schemas/*` through the spec document itself. Reused by the backend's tests.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readSpec, type SpecName } from '../../specs/index';

export type { SpecName };

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
export interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
  'x-atlassian-oauth2-scopes'?: Array<{ scheme: string; state: string; scopes: string[] }>;
}
interface SpecDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown> };
}

export interface SpecValidation {
  operationId: string;
  /** The spec lists this status for the operation. */
  documented: boolean;
  /** The spec gives a JSON schema for the body at this status (otherwise nothing is checked). */
  hasSchema: boolean;
  valid: boolean;
  errors: string[];
}

interface LoadedSpec {
  doc: SpecDocument;
  ajv: Ajv;
  compiled: Map<string, ValidateFunction>;
}

const loaded = new Map<SpecName, LoadedSpec>();

function load(spec: SpecName): LoadedSpec {
  let entry = loaded.get(spec);
  if (!entry) {
    const doc = readSpec<SpecDocument>(spec);
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(ajv);
    // The whole document is the root schema, so `#/components/schemas/X` refs resolve inside it.
    ajv.addSchema(doc as object, spec);
    entry = { doc, ajv, compiled: new Map() };
    loaded.set(spec, entry);
  }
  return entry;
}

function pointer(segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

export function specDocument(spec: SpecName): SpecDocument {
  return load(spec).doc;
}

export function specOperation(
  spec: SpecName,
  method: string,
  pathTemplate: string,
): OperationObject | undefined {
  return load(spec).doc.paths[pathTemplate]?.[method.toLowerCase()];
}

function run(entry: LoadedSpec, ref: string, body: unknown): string[] {
  let validate = entry.compiled.get(ref);
  if (!validate) {
    validate = entry.ajv.compile({ $ref: ref });
    entry.compiled.set(ref, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Validates a JSON body against the schema the spec documents for this operation and status. */
export function validateAgainstSpec(
  spec: SpecName,
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): SpecValidation {
  const entry = load(spec);
  const operation = specOperation(spec, method, pathTemplate);
  if (!operation) throw new Error(`${spec} spec has no operation ${method.toUpperCase()} ${pathTemplate}`);
  const operationId = operation.operationId ?? `${method} ${pathTemplate}`;
  const key = String(status) in (operation.responses ?? {}) ? String(status) : 'default';
  const response = operation.responses?.[key];
  if (!response) return { operationId, documented: false, hasSchema: false, valid: true, errors: [] };
  const mediaType = Object.keys(response.content ?? {}).find((type) => type.includes('json'));
  if (!mediaType || response.content?.[mediaType]?.schema === undefined) {
    return { operationId, documented: true, hasSchema: false, valid: true, errors: [] };
  }
  const ref = `${spec}${pointer(['paths', pathTemplate, method.toLowerCase(), 'responses', key, 'content', mediaType, 'schema'])}`;
  const errors = run(entry, ref, body);
  return { operationId, documented: true, hasSchema: true, valid: errors.length === 0, errors };
}

/** Validates a body against a named component schema, e.g. `ErrorCollection`. */
export function validateComponent(spec: SpecName, schemaName: string, body: unknown): string[] {
  const entry = load(spec);
  if (!(schemaName in entry.doc.components.schemas))
    throw new Error(`${spec} spec has no schema ${schemaName}`);
  return run(entry, `${spec}${pointer(['components', 'schemas', schemaName])}`, body);
}
