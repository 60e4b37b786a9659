/** A JSM request type's fields as the JSON Schema of a workflow's input (the run form and its validation). */
import type { JsonSchema } from '../definition';

export interface RequestTypeField {
  fieldId: string;
  name: string;
  description?: string;
  required: boolean;
  validValues?: Array<{ value: string; label: string }>;
  jiraSchema?: { type?: string; items?: string; system?: string; custom?: string };
}

/** Where the requester's email goes in the input; request type field ids never look like this. */
export const REQUESTER_PROPERTY = 'requesterEmail';

function fieldSchema(field: RequestTypeField): JsonSchema {
  const base: JsonSchema = { title: field.name };
  if (field.description) base.description = field.description;
  const choices = (field.validValues ?? []).map((option) => ({ const: option.value, title: option.label }));
  const type = field.jiraSchema?.type ?? 'string';
  if (type === 'array') {
    return {
      ...base,
      type: 'array',
      items: choices.length ? { oneOf: choices } : { type: 'string', minLength: 1 },
      ...(field.required ? { minItems: 1 } : {}),
      uniqueItems: true,
    };
  }
  if (choices.length) return { ...base, oneOf: choices };
  if (type === 'number') return { ...base, type: 'number' };
  if (type === 'date') return { ...base, type: 'string', format: 'date' };
  if (type === 'datetime') return { ...base, type: 'string', format: 'date-time' };
  if (type === 'user')
    return {
      ...base,
      type: 'string',
      minLength: 1,
      description: field.description || 'An accountId or an email address.',
    };
  return {
    ...base,
    type: 'string',
    ...(field.required ? { minLength: 1 } : {}),
    maxLength: field.fieldId === 'summary' ? 255 : 32_000,
    ...(field.fieldId === 'description' || field.jiraSchema?.custom?.endsWith(':textarea')
      ? { format: 'markdown' }
      : {}),
  };
}

export function requestTypeInputSchema(fields: RequestTypeField[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    [REQUESTER_PROPERTY]: {
      type: 'string',
      format: 'email',
      title: 'Requester email',
      description:
        'Raised on behalf of this person when they exist in Jira; otherwise raised by the connection with their email noted on the request.',
    },
  };
  for (const field of fields) properties[field.fieldId] = fieldSchema(field);
  return {
    type: 'object',
    additionalProperties: false,
    required: fields.filter((field) => field.required).map((field) => field.fieldId),
    properties,
  };
}
