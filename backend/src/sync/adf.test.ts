import { describe, expect, it } from 'vitest';
import { canonicalMarkdown, toAdf, toMarkdown } from './adf';

describe('Markdown ↔ ADF', () => {
  it('reads what Jira writes: marks, links, lists, code, quotes, rules, breaks, mentions', () => {
    const document = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Steps' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Ask ' },
            { type: 'mention', attrs: { id: 'abc', text: '@Bob' } },
            { type: 'text', text: ' about ' },
            { type: 'text', text: 'this', marks: [{ type: 'strong' }, { type: 'em' }] },
            { type: 'text', text: ' and ' },
            { type: 'text', text: 'docs', marks: [{ type: 'link', attrs: { href: 'https://x.example' } }] },
            { type: 'hardBreak' },
            { type: 'text', text: 'run ' },
            { type: 'text', text: 'npm *', marks: [{ type: 'code' }] },
          ],
        },
        {
          type: 'orderedList',
          attrs: { order: 3 },
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'three' }] }],
            },
            { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'four' }] }] },
          ],
        },
        { type: 'blockquote', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'quoted' }] }] },
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'echo 1\necho 2' }] },
        { type: 'rule' },
        { type: 'panel', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a_b' }] }] },
      ],
    };
    expect(toMarkdown(document)).toBe(
      [
        '## Steps',
        'Ask @Bob about ***this*** and [docs](https://x.example)  \nrun `npm *`',
        '3. three\n4. four',
        '> quoted',
        '```sh\necho 1\necho 2\n```',
        '---',
        'a\\_b',
      ].join('\n\n'),
    );
  });

  it('empty and missing documents are the empty string', () => {
    expect(toMarkdown(null)).toBe('');
    expect(toMarkdown({ type: 'doc', version: 1, content: [] })).toBe('');
    expect(canonicalMarkdown('   ')).toBe('');
  });

  it('a trip through Jira is stable: canonical Markdown reads back unchanged (so echoes compare equal)', () => {
    const samples = [
      '# Title\n\nSome **bold**, *em*, `code`, ~~gone~~ and [a link](https://example.com).',
      '- one\n- two\n  - nested\n\n1. first\n2. second',
      '> quote\n\n```js\nconst a = 1;\n```\n\n---\n\nline one  \nline two',
      'Stars * and _underscores_ and [brackets]',
    ];
    for (const markdown of samples) {
      const once = canonicalMarkdown(markdown);
      expect(toMarkdown(toAdf(once))).toBe(once);
      expect(canonicalMarkdown(once)).toBe(once);
    }
  });
});
