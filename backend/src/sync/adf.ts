/**
 * Markdown ↔ Atlassian Document Format. Markdown → ADF is marklassian's; ADF → Markdown is ours, covering the
 * nodes marklassian writes plus the ones Jira's editor adds (mentions, emoji, panels, tables as text), so a
 * description written on one side reads the same on the other. Unknown nodes keep their text.
 */

import { markdownToAdf } from 'marklassian';
import { adfPlainText, convertWithin, plainTextAdf } from '../atlassian/content';

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
}

export function toAdf(markdown: string): AdfNode {
  return convertWithin(
    () => markdownToAdf(markdown) as AdfNode,
    () => plainTextAdf(markdown),
  );
}

function escapeText(text: string): string {
  return text.replace(/([\\`*_[\]~])/g, '\\$1');
}

function inline(nodes: AdfNode[] | undefined): string {
  let out = '';
  for (const node of nodes ?? []) {
    switch (node.type) {
      case 'text': {
        const marks = node.marks ?? [];
        const code = marks.some((mark) => mark.type === 'code');
        let text = code ? `\`${node.text ?? ''}\`` : escapeText(node.text ?? '');
        for (const mark of marks) {
          if (mark.type === 'strong') text = `**${text}**`;
          else if (mark.type === 'em') text = `*${text}*`;
          else if (mark.type === 'strike') text = `~~${text}~~`;
          else if (mark.type === 'link') text = `[${text}](${String(mark.attrs?.href ?? '')})`;
        }
        out += text;
        break;
      }
      case 'hardBreak':
        out += '  \n';
        break;
      case 'mention':
        out += String(node.attrs?.text ?? `@${String(node.attrs?.id ?? '')}`);
        break;
      case 'emoji':
        out += String(node.attrs?.text ?? node.attrs?.shortName ?? '');
        break;
      case 'inlineCard':
        out += String(node.attrs?.url ?? '');
        break;
      default:
        out += inline(node.content) || (node.text ?? '');
    }
  }
  return out;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? line : line ? `${' '.repeat(prefix.length)}${line}` : line))
    .join('\n');
}

function block(node: AdfNode): string {
  switch (node.type) {
    case 'paragraph':
      return inline(node.content);
    case 'heading':
      return `${'#'.repeat(Number(node.attrs?.level ?? 1))} ${inline(node.content)}`;
    case 'bulletList':
      return (node.content ?? []).map((item) => `- ${indent(itemText(item), '- ')}`).join('\n');
    case 'orderedList': {
      const start = Number(node.attrs?.order ?? 1);
      return (node.content ?? [])
        .map((item, index) => {
          const marker = `${start + index}. `;
          return `${marker}${indent(itemText(item), marker)}`;
        })
        .join('\n');
    }
    case 'blockquote':
      return blocks(node.content)
        .split('\n')
        .map((line) => (line ? `> ${line}` : '>'))
        .join('\n');
    case 'codeBlock': {
      const language = typeof node.attrs?.language === 'string' ? node.attrs.language : '';
      const code = (node.content ?? []).map((child) => child.text ?? '').join('');
      return `\`\`\`${language}\n${code}\n\`\`\``;
    }
    case 'rule':
      return '---';
    case 'panel':
    case 'expand':
    case 'layoutSection':
    case 'layoutColumn':
      return blocks(node.content);
    case 'table':
      return (node.content ?? [])
        .map((row) => `| ${(row.content ?? []).map((cell) => blocks(cell.content)).join(' | ')} |`)
        .join('\n');
    case 'mediaSingle':
    case 'mediaGroup':
      return '';
    default:
      return inline(node.content) || (node.text ?? '');
  }
}

function blocks(nodes: AdfNode[] | undefined, separator = '\n\n'): string {
  return (nodes ?? [])
    .map(block)
    .filter((text) => text !== '')
    .join(separator);
}

/** A list item's paragraph and its nested list sit on consecutive lines (a tight list). */
const itemText = (item: AdfNode) => blocks(item.content, '\n');

/** ADF (a Jira description or comment body) as Markdown; null or empty documents give ''. */
export function toMarkdown(document: unknown): string {
  if (!document || typeof document !== 'object') return '';
  return convertWithin(
    () => blocks((document as AdfNode).content).trim(),
    () => adfPlainText(document),
  );
}

/** The Markdown a text reads as after a trip through Jira: what the sync compares, so echoes compare equal. */
export function canonicalMarkdown(markdown: string): string {
  return markdown.trim() ? toMarkdown(toAdf(markdown)) : '';
}
