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

/** Node types of the ADF schema (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/). */
const NODE_TYPES = new Set([
  'blockCard',
  'blockquote',
  'bodiedExtension',
  'bulletList',
  'caption',
  'codeBlock',
  'date',
  'decisionItem',
  'decisionList',
  'embedCard',
  'emoji',
  'expand',
  'extension',
  'hardBreak',
  'heading',
  'inlineCard',
  'inlineExtension',
  'layoutColumn',
  'layoutSection',
  'listItem',
  'media',
  'mediaGroup',
  'mediaInline',
  'mediaSingle',
  'mention',
  'multiBodiedExtension',
  'extensionFrame',
  'nestedExpand',
  'orderedList',
  'panel',
  'paragraph',
  'placeholder',
  'rule',
  'status',
  'table',
  'tableCell',
  'tableHeader',
  'tableRow',
  'taskItem',
  'taskList',
  'text',
]);
const MARK_TYPES = new Set([
  'alignment',
  'annotation',
  'backgroundColor',
  'border',
  'breakout',
  'code',
  'dataConsumer',
  'em',
  'fragment',
  'indentation',
  'link',
  'strike',
  'strong',
  'subsup',
  'textColor',
  'underline',
]);
/** Attributes the schema requires, per node or mark type. */
const REQUIRED_ATTRS: Record<string, readonly string[]> = {
  heading: ['level'],
  mention: ['id'],
  emoji: ['shortName'],
  date: ['timestamp'],
  status: ['text', 'color'],
  panel: ['panelType'],
  taskList: ['localId'],
  taskItem: ['localId'],
  decisionList: ['localId'],
  decisionItem: ['localId'],
  media: ['type'],
  link: ['href'],
};

/**
 * Why a value is not an ADF document Jira would accept, or null when it is one. `not-adf`: not a document at
 * all (Jira names the field); `invalid`: a document that breaks the schema (Jira answers `INVALID_INPUT`).
 */
export function adfProblem(value: unknown): { kind: 'not-adf' | 'invalid'; detail: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'not-adf', detail: 'not an object' };
  const doc = value as Partial<Adf>;
  if (doc.type !== 'doc') return { kind: 'not-adf', detail: 'not a doc' };
  if (doc.version !== 1 || !Array.isArray(doc.content)) return { kind: 'invalid', detail: 'bad doc' };
  const missing = (type: string, attrs: unknown) =>
    (REQUIRED_ATTRS[type] ?? []).find(
      (name) =>
        typeof attrs !== 'object' || attrs === null || (attrs as Record<string, unknown>)[name] == null,
    );
  const check = (node: unknown): string | null => {
    if (typeof node !== 'object' || node === null) return 'node is not an object';
    const n = node as AdfNode;
    if (typeof n.type !== 'string' || !NODE_TYPES.has(n.type)) return `unknown node type ${String(n.type)}`;
    const attr = missing(n.type, n.attrs);
    if (attr) return `${n.type} without attrs.${attr}`;
    if (n.type === 'text' && (typeof n.text !== 'string' || n.text.length === 0)) return 'empty text node';
    if (n.marks !== undefined) {
      if (!Array.isArray(n.marks)) return 'marks is not an array';
      for (const mark of n.marks) {
        if (typeof mark?.type !== 'string' || !MARK_TYPES.has(mark.type)) return `unknown mark ${mark?.type}`;
        const markAttr = missing(mark.type, mark.attrs);
        if (markAttr) return `${mark.type} mark without attrs.${markAttr}`;
      }
    }
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
    if (problem) return { kind: 'invalid', detail: problem };
  }
  return null;
}

export function isAdfEmpty(doc: Adf): boolean {
  return adfToText(doc).trim().length === 0;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const HTML_BLOCKS: Record<string, string> = {
  paragraph: 'p',
  blockquote: 'blockquote',
  bulletList: 'ul',
  orderedList: 'ol',
  listItem: 'li',
  table: 'table',
  tableRow: 'tr',
  tableCell: 'td',
  tableHeader: 'th',
};
const HTML_MARKS: Record<string, string> = {
  strong: 'b',
  em: 'em',
  code: 'tt',
  strike: 'del',
  underline: 'u',
};

/** HTML the way Jira's `renderedFields` shows a document (the common nodes and marks). */
export function adfToHtml(doc: Adf | null | undefined): string {
  if (!doc) return '';
  const render = (node: AdfNode): string => {
    const inner = (node.content ?? []).map(render).join('');
    switch (node.type) {
      case 'text': {
        let html = escapeHtml(node.text ?? '');
        for (const mark of node.marks ?? []) {
          if (mark.type === 'link')
            html = `<a href="${escapeHtml(String(mark.attrs?.href ?? ''))}">${html}</a>`;
          else if (HTML_MARKS[mark.type])
            html = `<${HTML_MARKS[mark.type]}>${html}</${HTML_MARKS[mark.type]}>`;
        }
        return html;
      }
      case 'hardBreak':
        return '<br/>';
      case 'rule':
        return '<hr/>';
      case 'heading': {
        const level = Number(node.attrs?.level ?? 1);
        return `<h${level}>${inner}</h${level}>`;
      }
      case 'codeBlock':
        return `<pre>${inner}</pre>`;
      case 'mention':
        return `<a class="user-hover" data-account-id="${escapeHtml(String(node.attrs?.id ?? ''))}">${escapeHtml(String(node.attrs?.text ?? ''))}</a>`;
      case 'inlineCard':
        return `<a href="${escapeHtml(String(node.attrs?.url ?? ''))}">${escapeHtml(String(node.attrs?.url ?? ''))}</a>`;
      default:
        return HTML_BLOCKS[node.type]
          ? `<${HTML_BLOCKS[node.type]}>${inner}</${HTML_BLOCKS[node.type]}>`
          : inner;
    }
  };
  return doc.content.map(render).join('');
}
