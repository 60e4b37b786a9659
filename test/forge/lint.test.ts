/**
 * The client-side `forge lint` linters (manifest validation, handlers, invokeRemote keys, the scope each
 * product API call needs), run offline through forge/lint.ts, the same code `npm run forge:lint` runs.
 */
import { describe, expect, it } from 'vitest';
import { FORMS_SCOPE_FINDINGS, forgeSourceFiles, type LintFinding, lintForgeApp } from '../../forge/lint';

const messagesOf = (findings: LintFinding[], file: string) =>
  findings.filter((finding) => finding.file === file).map((finding) => finding.message);

describe('forge lint (client-side linters, offline)', () => {
  it('lints every UI Kit source file of the app', async () => {
    const files = await forgeSourceFiles();
    expect(files).toContain('forge/src/ui/issue-panel.tsx');
    expect(files).toContain('forge/src/ui/admin-page.tsx');
    expect(files.some((file) => file.endsWith('.test.tsx') || file.includes('fake-'))).toBe(false);
  });

  it('finds nothing in the app besides the two Forms scopes missing from the scope catalogue', async () => {
    const findings = await lintForgeApp();
    expect(findings.filter((finding) => finding.file !== 'manifest.yml')).toEqual([]);
    expect(messagesOf(findings, 'manifest.yml')).toEqual(FORMS_SCOPE_FINDINGS);
  });

  it('reports a product API call whose scope the manifest lacks (the code is parsed and checked)', async () => {
    const planted = [
      "import { requestJira } from '@forge/bridge';",
      'export async function createField(): Promise<number> {',
      "  const response = await requestJira('/rest/api/3/field', { method: 'POST', body: '{}' });",
      '  return response.status;',
      '}',
      '',
    ].join('\n');
    const findings = await lintForgeApp({ 'forge/src/ui/planted.ts': planted });
    expect(findings.filter((finding) => finding.file === 'forge/src/ui/planted.ts')).toEqual([
      {
        file: 'forge/src/ui/planted.ts',
        level: 'error',
        line: 3,
        column: 37,
        message: 'Jira endpoint: POST /rest/api/3/field requires "manage:jira-configuration" scope',
        rule: 'permission-scope-required',
      },
    ]);
  });
});
