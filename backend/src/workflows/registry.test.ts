import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_DEFINITIONS } from './registry';

describe('the workflow registry', () => {
  it('lists every definition file of definitions/, each once, with a key and a run', async () => {
    const directory = path.join(import.meta.dirname, 'definitions');
    const files = readdirSync(directory).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    const fromFiles = await Promise.all(
      files.map(async (file) => (await import(path.join(directory, file))).default),
    );
    expect(new Set(WORKFLOW_DEFINITIONS)).toEqual(new Set(fromFiles));
    expect(WORKFLOW_DEFINITIONS).toHaveLength(files.length);
    for (const definition of WORKFLOW_DEFINITIONS) {
      expect(definition.key).toBeTruthy();
      expect(typeof definition.run).toBe('function');
    }
  });
});
