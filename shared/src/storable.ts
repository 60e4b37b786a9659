/**
 * What PostgreSQL cannot store: a NUL in text or jsonb, and lone UTF-16 surrogates (jsonb refuses their escapes;
 * text would get them silently replaced). Content from Jira is data, so it is made storable on the way in;
 * content from our own callers is refused instead (the request-shape gate). Both walks are iterative: no
 * recursion over a structure someone else controls.
 */

/** U+FFFD, what a character that cannot be stored becomes. */
export const REPLACEMENT_CHARACTER = '\ufffd';

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** The text with NUL and lone surrogates replaced by U+FFFD; the same string when there are none. */
export function storableText(value: string): string {
  if (isStorableText(value)) return value;
  return value.replaceAll('\u0000', REPLACEMENT_CHARACTER).toWellFormed();
}

/**
 * Makes every string and key of a parsed JSON value storable, in place (the value is the caller's own, fresh
 * from JSON.parse), and returns it.
 */
export function makeStorable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index += 1) {
        const item = node[index];
        if (typeof item === 'string') node[index] = storableText(item);
        else if (item && typeof item === 'object') stack.push(item);
      }
    } else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        let item = record[key];
        if (typeof item === 'string') item = record[key] = storableText(item);
        if (!isStorableText(key)) {
          delete record[key];
          record[storableText(key)] = item;
        }
        if (item && typeof item === 'object') stack.push(item);
      }
    }
  }
  return value;
}

/**
 * Where the first string or key PostgreSQL cannot store sits in a parsed JSON value (`title`, `steps.2.name`),
 * or undefined when there is none. `extraCheck` refuses more (such as other control characters).
 */
export function firstUnstorable(
  value: unknown,
  extraCheck: (text: string) => boolean = () => false,
): string | undefined {
  const bad = (text: string) => !isStorableText(text) || extraCheck(text);
  const stack: Array<{ node: unknown; path: string }> = [{ node: value, path: '' }];
  const at = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
  while (stack.length) {
    const { node, path } = stack.pop() as { node: unknown; path: string };
    if (typeof node === 'string') {
      if (bad(node)) return path || 'body';
    } else if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index -= 1)
        stack.push({ node: node[index], path: at(path, index) });
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, item] = entries[index];
        if (bad(key)) return path || 'body';
        stack.push({ node: item, path: at(path, key) });
      }
    }
  }
  return undefined;
}
