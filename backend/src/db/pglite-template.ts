/**
 * A new embedded database starts from a prepared, empty PGlite data folder instead of creating one (initdb:
 * about 2.5 s of a first `npm start`, against 0.7 s to load the prepared folder). `npm install` prepares it
 * (the root package's postinstall); without it, or for another PGlite version, PGlite creates the folder itself.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** PGlite's package folder (its exports do not include package.json, so it is found from the entry point). */
function pglitePackageDir(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** Under node_modules/.cache, named by PGlite's version: a template never meets another version's engine. */
export function defaultPgliteTemplateFile(): string {
  const packageDir = pglitePackageDir();
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return path.join(packageDir, '../../.cache/jira-integration', `pglite-${version}.tar`);
}

/** The template's bytes, or undefined when none was prepared. */
export function readPgliteTemplate(file: string): Buffer<ArrayBuffer> | undefined {
  return existsSync(file) ? (readFileSync(file) as Buffer<ArrayBuffer>) : undefined;
}

/** Creates an empty data folder once and keeps its dump; written whole or not at all. */
export async function preparePgliteTemplate(file = defaultPgliteTemplateFile()): Promise<string> {
  if (existsSync(file)) return file;
  const client = await PGlite.create();
  try {
    const dump = await client.dumpDataDir('none');
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await client.close();
  }
  return file;
}
