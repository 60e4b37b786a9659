/**
 * The client-side half of `forge lint`, run offline. `forge lint` itself needs a login because it always adds a
 * server-side linter; the linters below are the ones it runs locally: the full manifest validation plus code
 * checks such as `invokeRemote` keys, handlers, and the scopes each product API call needs.
 *
 * The scope check (PermissionLinter) reads the product OpenAPI specs. It is given the Jira platform and JSM specs
 * from the repository's `specs/` folder; Jira Software, Confluence and Bitbucket get an empty spec because the app calls none
 * of their APIs.
 *
 * Usage: `npm run forge:lint` (prints the report; exits 1 on any error besides the two known Forms-scope findings),
 * or `lintForgeApp()` from a test.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSpecFile } from '../specs/index';

const require = createRequire(import.meta.url);
// CommonJS packages whose named exports are re-exported through tslib, which ESM named imports do not see.
const cliShared = require('@forge/cli-shared') as typeof import('@forge/cli-shared');
const forgeLint = require('@forge/lint') as typeof import('@forge/lint');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The two Forms scopes belong to this app (product spec), but the scope catalogue bundled with
 * @forge/manifest 13.7.0 does not list them, so every offline validation reports exactly these findings.
 */
export const FORMS_SCOPE_FINDINGS = ['read:form:jira', 'read:form.field:jira'].map(
  (scope) =>
    `Invalid 'scopes' permission in the manifest.yml file - '${scope}'. Learn more about permissions at: https://go.atlassian.com/forge-permissions.`,
);

export interface LintFinding {
  file: string;
  level: 'error' | 'warning';
  line: number;
  column: number;
  message: string;
  rule: string;
}

/** The app's own source files: everything under forge/src except tests and their helpers. */
export async function forgeSourceFiles(): Promise<string[]> {
  const entries = await readdir(path.join(repoRoot, 'forge/src'), { recursive: true });
  return entries
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file) && !file.startsWith('ui/fake-'))
    .map((file) => path.posix.join('forge/src', file.split(path.sep).join('/')))
    .sort();
}

/** Points PermissionLinter at local copies of the product specs while `run` runs. */
async function withLocalSpecs<T>(workDir: string, run: () => Promise<T>): Promise<T> {
  // The linter takes file paths, so the compressed specs are expanded into the staging folder.
  const jira = await writeSpecFile('platform', workDir);
  const jsm = await writeSpecFile('jsm', workDir);
  const empty = path.join(workDir, 'empty-spec.json');
  await writeFile(empty, JSON.stringify({ openapi: '3.0.1', paths: {} }));
  const settings: Record<string, string> = {
    USE_LOCAL_SWAGGER: 'true',
    LOCAL_JIRA_SWAGGER: jira,
    LOCAL_JSM_SWAGGER: jsm,
    LOCAL_JSW_SWAGGER: empty,
    LOCAL_CONF_SWAGGER: empty,
    LOCAL_CONF_V2_SWAGGER: empty,
    LOCAL_BB_SWAGGER: empty,
  };
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  try {
    return await run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Copies the app into a folder laid out as Forge sees it: `manifest.yml`, the source files, static resources,
 * and a `tsconfig.json` (forge/tsconfig.json's options) that lists exactly the files to lint. The linters parse
 * with that tsconfig and skip every .ts/.tsx file it does not list, so the repository root (whose tsconfig is
 * the backend's) cannot be used as it is.
 */
async function stageApp(appDir: string, files: string[], extraFiles: Record<string, string>) {
  const forgeTsconfig = JSON.parse(await readFile(path.join(repoRoot, 'forge/tsconfig.json'), 'utf8'));
  await cp(path.join(repoRoot, 'manifest.yml'), path.join(appDir, 'manifest.yml'));
  await cp(path.join(repoRoot, 'forge/src'), path.join(appDir, 'forge/src'), { recursive: true });
  await cp(path.join(repoRoot, 'forge/static'), path.join(appDir, 'forge/static'), { recursive: true });
  for (const [file, text] of Object.entries(extraFiles)) {
    await mkdir(path.dirname(path.join(appDir, file)), { recursive: true });
    await writeFile(path.join(appDir, file), text);
  }
  await writeFile(
    path.join(appDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: forgeTsconfig.compilerOptions, include: files }),
  );
  await symlink(path.join(repoRoot, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
}

/**
 * Lints the manifest and the app's source files (plus `extraFiles`, path → text, which tests use to plant
 * mistakes). The linters read everything relative to the working directory, so this chdirs into the staged app.
 */
export async function lintForgeApp(extraFiles: Record<string, string> = {}): Promise<LintFinding[]> {
  const files = [...(await forgeSourceFiles()), ...Object.keys(extraFiles)];
  const appDir = await mkdtemp(path.join(tmpdir(), 'forge-lint-'));
  const previousCwd = process.cwd();
  try {
    await stageApp(appDir, files, extraFiles);
    process.chdir(appDir);
    return await withLocalSpecs(appDir, async () => {
      const configFile = new cliShared.ConfigFile(
        new cliShared.FileSystemReader(),
        new cliShared.FileSystemWriter(),
      );
      const manifest = await configFile.readConfig();
      const logger = { info: () => {} };
      // Only the deprecated-runtime lookup is used client-side; it would otherwise ask Atlassian's flag service.
      const statsig = { getDeprecatedRuntimes: async () => [] } as unknown as Parameters<
        typeof forgeLint.lint
      >[4];
      const linters = await forgeLint.getClientSideLintersOnly(manifest, 'development', logger, statsig);
      const results = await forgeLint.lint(files, manifest, 'development', logger, statsig, {
        linter: { mode: 'client-side' },
        linters,
      });
      return results.flatMap((result) =>
        [...result.errors, ...result.warnings].map((rule) => ({
          file: path.relative(appDir, path.resolve(result.file)),
          level: rule.class === 'error' ? ('error' as const) : ('warning' as const),
          line: rule.line,
          column: rule.column,
          message: rule.message,
          rule: rule.reference,
        })),
      );
    });
  } finally {
    process.chdir(previousCwd);
    await rm(appDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const findings = await lintForgeApp();
  for (const finding of findings) {
    console.log(
      `${finding.file}:${finding.line}:${finding.column}  ${finding.level}  ${finding.message}  (${finding.rule})`,
    );
  }
  const known = findings.filter((finding) => FORMS_SCOPE_FINDINGS.includes(finding.message));
  const errors = findings.filter((finding) => finding.level === 'error' && !known.includes(finding));
  console.log(
    findings.length
      ? `${findings.length} finding(s), ${errors.length} error(s); known: ${known.length} (Forms scopes missing from the @forge/manifest scope catalogue)`
      : 'No issues found.',
  );
  process.exitCode = errors.length ? 1 : 0;
}
