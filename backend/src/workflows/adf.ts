/**
 * Atlassian Document Format ↔ Markdown for workflow inputs and outputs: Markdown → ADF with marklassian; ADF →
 * Markdown here, for the node and mark types Jira's editor produces (unknown nodes keep their text).
 */
import { markdownToAdf as convertMarkdown } from 'marklassian';
import { adfPlainText, convertWithin, plainTextAdf } from '../atlassian/content';

/** Markdown as ADF; Markdown nested too deeply to convert becomes plain paragraphs. */
export function markdownToAdf(markdown: string) {
  return convertWithin(
    () => convertMarkdown(markdown),
    () => plainTextAdf(markdown) as ReturnType<typeof convertMarkdown>,
  );
}

interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
}

function inline(nodes: AdfNode[] = []): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(node: AdfNode): string {
  switch (node.type) {
    case 'text': {
      let text = node.text ?? '';
      for (const mark of node.marks ?? []) {
        if (mark.type === 'strong') text = `**${text}**`;
        else if (mark.type === 'em') text = `*${text}*`;
        else if (mark.type === 'code') text = `\`${text}\``;
        else if (mark.type === 'strike') text = `~~${text}~~`;
        else if (mark.type === 'link') text = `[${text}](${String(mark.attrs?.href ?? '')})`;
      }
      return text;
    }
    case 'hardBreak':
      return '  \n';
    case 'mention':
      return String(node.attrs?.text ?? `@${String(node.attrs?.id ?? '')}`);
    case 'emoji':
      return String(node.attrs?.text ?? node.attrs?.shortName ?? '');
    case 'inlineCard':
      return String(node.attrs?.url ?? '');
    default:
      return inline(node.content);
  }
}

function block(node: AdfNode, indent = ''): string {
  switch (node.type) {
    case 'paragraph':
      return indent + inline(node.content);
    case 'heading':
      return `${'#'.repeat(Number(node.attrs?.level ?? 1))} ${inline(node.content)}`;
    case 'codeBlock':
      return `\`\`\`${String(node.attrs?.language ?? '')}\n${inline(node.content)}\n\`\`\``;
    case 'blockquote':
      return (node.content ?? []).map((child) => `> ${block(child)}`).join('\n>\n');
    case 'rule':
      return '---';
    case 'bulletList':
    case 'orderedList':
      return (node.content ?? [])
        .map((item, index) => {
          const bullet = node.type === 'bulletList' ? '- ' : `${index + 1}. `;
          const [first, ...rest] = item.content ?? [];
          const head = `${indent}${bullet}${first ? block(first).trimStart() : ''}`;
          const tail = rest.map((child) => block(child, `${indent}  `));
          return [head, ...tail].join('\n');
        })
        .join('\n');
    default:
      return node.content ? blocks(node.content, indent) : inlineNode(node);
  }
}

function blocks(nodes: AdfNode[], indent = ''): string {
  return nodes.map((node) => block(node, indent)).join('\n\n');
}

/** Markdown of an ADF document; plain strings (API v2 style) pass through, null stays null. */
export function adfToMarkdown(document: unknown): string | null {
  if (document === null || document === undefined) return null;
  if (typeof document === 'string') return document;
  const root = document as AdfNode;
  return convertWithin(
    () => blocks(root.content ?? []),
    () => adfPlainText(root),
  );
}
