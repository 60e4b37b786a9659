import { describe, expect, it } from 'vitest';
import { firstUnstorable, makeStorable, storableText } from './storable';

describe('storable content', () => {
  it('replaces NUL and lone surrogates, keeps valid pairs and leaves clean text as it is', () => {
    expect(storableText('a\u0000b\ud800c\udfffd')).toBe('a\ufffdb\ufffdc\ufffdd');
    expect(storableText('emoji \ud83d\ude00')).toBe('emoji \ud83d\ude00');
    const clean = 'plain text';
    expect(storableText(clean)).toBe(clean);
  });

  it('makes every string and key of a deep value storable without recursion', () => {
    let deep: unknown = 'bottom\u0000';
    for (let level = 0; level < 20_000; level += 1) deep = [{ 'k\u0000': deep }];
    makeStorable(deep);
    let node = deep as unknown;
    for (let level = 0; level < 20_000; level += 1)
      node = (node as Array<Record<string, unknown>>)[0]['k\ufffd'];
    expect(node).toBe('bottom\ufffd');
  });

  it('names the first field holding what cannot be stored', () => {
    expect(firstUnstorable({ title: 'ok', steps: [{ name: 'x' }, { name: 'y\u0000' }] })).toBe(
      'steps.1.name',
    );
    expect(firstUnstorable({ ['bad\ud800']: 1 })).toBe('body');
    expect(firstUnstorable('\u0000')).toBe('body');
    expect(firstUnstorable({ a: [1, true, null, 'fine'] })).toBeUndefined();
    expect(firstUnstorable({ note: 'bell\u0007' }, (text) => text.includes('\u0007'))).toBe('note');
  });
});
