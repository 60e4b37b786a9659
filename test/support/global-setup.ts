/**
 * Runs once per `vitest run`, before any test file: migrates the database templates every test database is
 * copied from (see backend/test-support/database.ts), and removes them when the run ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestTemplates } from '@jira-integration/backend/test-support/database';

export default async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'jira-integration-test-'));
  const templates = await createTestTemplates(path.join(dir, 'pglite-template.tar'));
  return async () => {
    await templates.remove();
    await rm(dir, { recursive: true, force: true });
  };
}
