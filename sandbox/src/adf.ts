/** Atlassian Document Format: the few operations the sandbox needs (build, check, flatten). */

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
}

export interface Adf {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** One paragraph per line; blank lines become empty paragraphs (ADF forbids empty text nodes). */
export function textToAdf(text: string): Adf {
  return {
    type: 'doc',
    version: 1,
    content: text
      .split('\n')
      .map((line) =>
        line.length > 0
          ? { type: 'paragraph', content: [{ type: 'text', text: line }] }
          : { type: 'paragraph' },
      ),
  };
}

const BLOCK_TYPES = new Set(['paragraph', 'heading', 'listItem', 'codeBlock', 'blockquote', 'rule', 'panel']);

/** Plain text of a document: block nodes end a line; mentions and cards contribute their text. */
export function adfToText(doc: Adf | null | undefined): string {
  if (!doc) return '';
  const parts: string[] = [];
  const walk = (node: AdfNode): void => {
    if (node.type === 'text' && node.text) parts.push(node.text);
    else if (node.type === 'hardBreak') parts.push('\n');
    else if (node.type === 'mention') parts.push(String(node.attrs?.text ?? ''));
    else if (node.type === 'inlineCard') parts.push(String(node.attrs?.url ?? ''));
    for (const child of node.content ?? []) walk(child);
    if (BLOCK_TYPES.has(node.type)) parts.push('\n');
  };
  for (const node of doc.content) walk(node);
  return parts.join('').replace(/\n+$/, '');
}

/** Why a value is not an ADF document Jira would accept, or null when it is one. */
export function adfProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const doc = value as Partial<Adf>;
  if (doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return 'not a doc';
  const check = (node: unknown): string | null => {
    if (typeof node !== 'object' || node === null) return 'node is not an object';
    const n = node as AdfNode;
    if (typeof n.type !== 'string') return 'node without type';
    if (n.type === 'text' && (typeof n.text !== 'string' || n.text.length === 0)) return 'empty text node';
    if (n.content !== undefined) {
      if (!Array.isArray(n.content)) return 'content is not an array';
      for (const child of n.content) {
        const problem = check(child);
        if (problem) return problem;
      }
    }
    return null;
  };
  for (const node of doc.content) {
    const problem = check(node);
    if (problem) return problem;
  }
  return null;
}

export function isAdfEmpty(doc: Adf): boolean {
  return adfToText(doc).trim().length === 0;
}
