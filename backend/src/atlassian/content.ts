/**
 * Jira's answers are data someone typed (or an Automation rule wrote): a summary or comment may hold a NUL or a
 * lone surrogate, which PostgreSQL refuses. Every answer body the backend reads goes through here, so whatever
 * it stores from Jira is storable (shared/storable.ts); the proxy streams answers on untouched.
 */
import { makeStorable, storableText } from '@jira-integration/shared/storable';

/** The answer's text as JSON, made storable; text that is not JSON comes back as (storable) text. */
export function parseJiraContent(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return storableText(text);
  }
  return makeStorable(parsed);
}

/** A Response's JSON body, made storable. */
export async function readJiraJson<T>(response: Response): Promise<T> {
  return makeStorable(await response.json()) as T;
}

interface AdfLike {
  type?: unknown;
  text?: unknown;
  content?: unknown;
}

/**
 * The text of an ADF document, block by block, read without recursion: what a document too deeply nested for
 * the Markdown converters (their recursion would overflow the stack) reads as.
 */
export function adfPlainText(document: unknown): string {
  const lines: string[] = [];
  let line = '';
  const stack: unknown[] = [document];
  while (stack.length) {
    const node = stack.pop() as AdfLike | 'break' | null;
    if (node === 'break') {
      if (line.trim()) lines.push(line.trim());
      line = '';
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    if (typeof node.text === 'string') line += node.text;
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'codeBlock')
      stack.push('break');
    if (Array.isArray(node.content))
      for (let i = node.content.length - 1; i >= 0; i -= 1) stack.push(node.content[i]);
  }
  if (line.trim()) lines.push(line.trim());
  return lines.join('\n\n');
}

/** Text as an ADF document of plain paragraphs, one per blank-line-separated block, for Markdown too deeply nested to convert. */
export function plainTextAdf(text: string) {
  const paragraphs = text.split(/\n{2,}/).filter((block) => block.trim());
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((block) => ({ type: 'paragraph', content: [{ type: 'text', text: block }] })),
  };
}

/** Runs a recursive converter; a stack overflow (a hostile nesting depth) gives `fallback()` instead. */
export function convertWithin<T>(convert: () => T, fallback: () => T): T {
  try {
    return convert();
  } catch (error) {
    if (error instanceof RangeError) return fallback();
    throw error;
  }
}
