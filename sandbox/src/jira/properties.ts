/** Issue entity properties: validation shared by PUT property and create-with-properties. */
import { JIRA_MESSAGES } from './messages';

const MAX_VALUE_LENGTH = 32_768;
const MAX_KEY_LENGTH = 255;

export function propertyProblem(key: string, value: unknown): string | null {
  if (key.length === 0) return JIRA_MESSAGES.propertyValueRequired;
  if (key.length > MAX_KEY_LENGTH) return JIRA_MESSAGES.propertyKeyTooLong;
  if (value === undefined) return JIRA_MESSAGES.propertyValueRequired;
  if (JSON.stringify(value).length > MAX_VALUE_LENGTH) return JIRA_MESSAGES.propertyTooLong;
  return null;
}
