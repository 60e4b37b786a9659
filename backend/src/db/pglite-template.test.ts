import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client';
import { defaultPgliteTemplateFile } from './pglite-template';

/** Whether the database holds the table only the test's template has. */
async function hasMarker(database: Awaited<ReturnType<typeof openDatabase>>) {
  const { rows } = await database.executor.executeSql(
    "select count(*)::int as n from information_schema.tables where table_name = 'from_template'",
    [],
  );
  return (rows[0] as { n: number }).n === 1;
}

describe('a new embedded database starts from the prepared template', () => {
  let workDir: string;
  let template: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'pglite-template-'));
    // A template told apart from a created folder by one table.
    const client = await PGlite.create();
    await client.exec('create table from_template (id int)');
    template = path.join(workDir, 'template.tar');
    await writeFile(template, Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
    await client.close();
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('loads it into a new data folder, and never into one that exists', async () => {
    const dataDir = path.join(workDir, 'new');
    const first = await openDatabase({ dataDir, pgliteTemplateFile: template });
    expect(await hasMarker(first)).toBe(true);
    await first.executor.executeSql('drop table from_template', []);
    await first.close();
    const again = await openDatabase({ dataDir, pgliteTemplateFile: template });
    expect(await hasMarker(again)).toBe(false);
    await again.close();
  });

  it('creates the folder itself when the template is missing or does not load', async () => {
    const broken = path.join(workDir, 'broken.tar');
    await writeFile(broken, 'not a data folder');
    for (const [name, file] of [
      ['missing', path.join(workDir, 'nowhere.tar')],
      ['broken', broken],
    ]) {
      const database = await openDatabase({ dataDir: path.join(workDir, name), pgliteTemplateFile: file });
      expect(await hasMarker(database)).toBe(false);
      expect((await database.executor.executeSql('select 1 as one', [])).rows).toEqual([{ one: 1 }]);
      await database.close();
    }
  });

  it("is kept under node_modules/.cache, named by PGlite's version", () => {
    expect(defaultPgliteTemplateFile()).toMatch(
      /node_modules\/\.cache\/jira-integration\/pglite-\d+\.\d+\.\d+\.tar$/,
    );
  });
});
