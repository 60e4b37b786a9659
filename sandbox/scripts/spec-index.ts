/**
 * Writes sandbox/src/api/spec-operations.json: every operation of Atlassian's Jira platform and JSM specs with
 * the OAuth scopes it needs, so the sandbox knows each operation (and answers 501 for those it does not serve)
 * without reading the 2.8 MB specs at start.
 *
 *   npx tsx sandbox/scripts/spec-index.ts [specs folder]   (default: ATLASSIAN_SPECS_DIR or the repository's specs/)
 * Each spec is read as `<name>.json` or `<name>.json.gz`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildSpecIndex, type SpecDocumentLike } from '../src/api/spec-index';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = process.argv[2] ?? process.env.ATLASSIAN_SPECS_DIR ?? resolve(here, '../../specs');
function read(file: string): SpecDocumentLike {
  const path = resolve(dir, file);
  const bytes = existsSync(path) ? readFileSync(path) : gunzipSync(readFileSync(`${path}.gz`));
  return JSON.parse(bytes.toString('utf8')) as SpecDocumentLike;
}
const index = buildSpecIndex(read('jira-platform.v3.json'), read('jsm.v3.json'));
const target = resolve(here, '../src/api/spec-operations.json');
writeFileSync(target, `${JSON.stringify(index)}\n`);
console.log(`${target}: ${index.platform.length} platform and ${index.jsm.length} JSM operations`);
