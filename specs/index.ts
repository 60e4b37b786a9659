/**
 * Atlassian's OpenAPI specs, stored gzip-compressed beside this file (licences in README.md).
 * Everything that needs a spec reads it from here, so nothing reaches outside the repository.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const SPEC_FILES = {
  platform: 'jira-platform.v3.json',
  jsm: 'jsm.v3.json',
} as const;

export type SpecName = keyof typeof SPEC_FILES;

const specsDir = path.dirname(fileURLToPath(import.meta.url));

/** The spec's JSON text. */
export function readSpecText(spec: SpecName): string {
  return gunzipSync(readFileSync(path.join(specsDir, `${SPEC_FILES[spec]}.gz`))).toString('utf8');
}

/** The parsed spec document. */
export function readSpec<T = unknown>(spec: SpecName): T {
  return JSON.parse(readSpecText(spec)) as T;
}

/** Writes the uncompressed spec into `dir` (for tools that take a file path) and returns the file's path. */
export async function writeSpecFile(spec: SpecName, dir: string): Promise<string> {
  const file = path.join(dir, SPEC_FILES[spec]);
  await writeFile(file, readSpecText(spec));
  return file;
}
