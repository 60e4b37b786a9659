/**
 * Offline validation of the Forge manifest with `@forge/manifest` used as a library (the same validators the
 * Forge CLI runs: JSON schema, module/endpoint/remote references, trigger-endpoint rules, remote-auth scope
 * rules, event→scope mapping, resource files). `process(path)` takes the manifest path, so no chdir is needed.
 *
 * The client-side `@forge/lint` linters, which add code checks, run in ./lint.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessorBuilder, ValidationTypes } from '@forge/manifest';
import { FORGE_UI_PATHS } from '@jira-integration/shared/forge-ui';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { FORMS_SCOPE_FINDINGS } from '../../forge/lint';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifestPath = path.join(repoRoot, 'manifest.yml');

interface ValidationError {
  message: string;
  level: string;
}

async function validate(type: ValidationTypes, file: string) {
  const result = await ProcessorBuilder.instance()
    .withValidation(type)
    .withOptions({ deprecatedRuntimes: [] })
    .build()
    .process(file);
  const errors = ((result.errors ?? []) as ValidationError[]).filter((error) => error.level === 'error');
  return { result, errors: errors.map((error) => error.message) };
}

// biome-ignore lint/suspicious/noExplicitAny: the raw YAML tree is checked field by field below.
type Yaml = any;
let manifest: Yaml;

beforeAll(async () => {
  manifest = parse(await readFile(manifestPath, 'utf8'));
});

describe('manifest.yml passes @forge/manifest validation offline', () => {
  it('FULL: no errors besides the two Forms scopes missing from the 13.7.0 scope catalogue', async () => {
    const { errors } = await validate(ValidationTypes.FULL, manifestPath);
    expect(errors).toEqual(FORMS_SCOPE_FINDINGS);
  });

  it('FULL: no errors at all once the Forms scopes are set aside', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'forge-manifest-'));
    try {
      const document = parseDocument(await readFile(manifestPath, 'utf8'));
      document.deleteIn(['permissions', 'scopes', 'read:form:jira']);
      document.deleteIn(['permissions', 'scopes', 'read:form.field:jira']);
      // Resource paths resolve against the manifest's folder, so point them back at the repository.
      for (const resource of (document.get('resources') as Yaml).items) {
        resource.set('path', path.join(repoRoot, resource.get('path')));
      }
      const copy = path.join(dir, 'manifest.yml');
      await writeFile(copy, document.toString());
      const { errors } = await validate(ValidationTypes.FULL, copy);
      expect(errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('PRODUCT_TRIGGER: every subscribed event has its scope', async () => {
    const { result, errors } = await validate(ValidationTypes.PRODUCT_TRIGGER, manifestPath);
    expect(errors).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('resolves the remote baseUrl from BACKEND_BASE_URL, with a default', async () => {
    const { result } = await validate(ValidationTypes.FULL, manifestPath);
    const typed = (result.manifestObject as Yaml).typedContent;
    expect(typed.remotes[0].baseUrl.default).toBe(
      process.env.BACKEND_BASE_URL ?? 'https://jira-sync.example.com',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Forge manifest variable, not a JS template.
    expect(manifest.remotes[0].baseUrl).toEqual({ default: '${BACKEND_BASE_URL}' });
    expect(manifest.environment.variables).toEqual([
      { key: 'BACKEND_BASE_URL', default: 'https://jira-sync.example.com' },
    ]);
  });
});

describe('the validator catches a broken manifest (temp copy)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'forge-manifest-broken-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function brokenCopy(edit: (document: ReturnType<typeof parseDocument>) => void): Promise<string> {
    const document = parseDocument(await readFile(manifestPath, 'utf8'));
    edit(document);
    const copy = path.join(dir, `${Math.random().toString(36).slice(2)}.yml`);
    await writeFile(copy, document.toString());
    return copy;
  }

  it('rejects the interval "fiveMinutes"', async () => {
    const copy = await brokenCopy((document) =>
      document.setIn(['modules', 'scheduledTrigger', 0, 'interval'], 'fiveMinutes'),
    );
    const { errors } = await validate(ValidationTypes.FULL, copy);
    expect(errors).toContain(
      "scheduledTrigger property interval 'fiveMinutes' allowed values are 'fiveMinute', 'hour', 'day', 'week'",
    );
  });

  it('rejects Jira events without read:jira-work', async () => {
    const copy = await brokenCopy((document) =>
      document.deleteIn(['permissions', 'scopes', 'read:jira-work']),
    );
    const { errors } = await validate(ValidationTypes.PRODUCT_TRIGGER, copy);
    expect(errors).toEqual([
      "Trigger event: 'avi:jira:created:issue' requires 'read:jira-work' scope",
      "Trigger event: 'avi:jira:updated:issue' requires 'read:jira-work' scope",
      "Trigger event: 'avi:jira:deleted:issue' requires 'read:jira-work' scope",
      "Trigger event: 'avi:jira:commented:issue' requires 'read:jira-work' scope",
    ]);
  });

  it('rejects an endpoint that names a missing remote', async () => {
    const copy = await brokenCopy((document) =>
      document.setIn(['modules', 'endpoint', 0, 'remote'], 'no-such-remote'),
    );
    const { errors } = await validate(ValidationTypes.FULL, copy);
    expect(errors).toContain("endpoint remote property 'no-such-remote' was not found.");
  });
});

describe('manifest.yml content', () => {
  const endpointOf = (key: string) =>
    manifest.modules.endpoint.find((endpoint: { key: string }) => endpoint.key === key);

  it('has the backend remote doing compute and storing in-scope end-user data, without fetch', () => {
    expect(manifest.remotes).toHaveLength(1);
    expect(manifest.remotes[0]).toMatchObject({
      key: 'backend',
      operations: ['compute', 'storage'],
      storage: { inScopeEUD: true },
    });
  });

  it('routes the backend endpoints with the app system token', () => {
    const routes = Object.fromEntries(
      ['credentials-endpoint', 'lifecycle-endpoint', 'events-endpoint', 'uninstall-endpoint'].map((key) => [
        key,
        endpointOf(key),
      ]),
    );
    for (const endpoint of Object.values(routes) as Yaml[]) {
      expect(endpoint.remote).toBe('backend');
      expect(endpoint.auth).toEqual({ appSystemToken: { enabled: true } });
    }
    expect(Object.values(routes).map((endpoint: Yaml) => endpoint.route.path)).toEqual([
      '/forge/credentials',
      '/forge/lifecycle',
      '/forge/events',
      '/forge/uninstall',
    ]);
  });

  it('pushes credentials every five minutes', () => {
    expect(manifest.modules.scheduledTrigger).toEqual([
      { key: 'push-credentials', endpoint: 'credentials-endpoint', interval: 'fiveMinute' },
    ]);
  });

  it('sends install and upgrade events to the lifecycle endpoint', () => {
    const lifecycle = manifest.modules.trigger.find(
      (trigger: Yaml) => trigger.endpoint === 'lifecycle-endpoint',
    );
    expect(lifecycle.events).toEqual(['avi:forge:installed:app', 'avi:forge:upgraded:app']);
  });

  it('sends the four Jira issue events, ignoring its own, to the events endpoint', () => {
    const events = manifest.modules.trigger.find((trigger: Yaml) => trigger.endpoint === 'events-endpoint');
    expect(events.events).toEqual([
      'avi:jira:created:issue',
      'avi:jira:updated:issue',
      'avi:jira:deleted:issue',
      'avi:jira:commented:issue',
    ]);
    expect(events.filter).toEqual({ ignoreSelf: true });
  });

  it('calls the uninstall endpoint before uninstall', () => {
    expect(manifest.modules.preUninstall).toEqual([
      { key: 'before-uninstall', endpoint: 'uninstall-endpoint' },
    ]);
  });

  it('renders the issue panel and admin page natively, calling the backend through ui-endpoint', () => {
    const [panel] = manifest.modules['jira:issuePanel'];
    const [adminPage] = manifest.modules['jira:adminPage'];
    for (const module of [panel, adminPage]) {
      expect(module).toMatchObject({ render: 'native', resolver: { endpoint: 'ui-endpoint' } });
    }
    expect(panel).toMatchObject({ key: 'sync-status-panel', icon: 'resource:icons;sync.svg' });
    expect(adminPage.key).toBe('sync-admin-page');
    expect(endpointOf('ui-endpoint')).toEqual({
      key: 'ui-endpoint',
      remote: 'backend',
      auth: { appSystemToken: { enabled: false } },
    });
    expect(Object.values(FORGE_UI_PATHS).every((uiPath) => uiPath.startsWith('/forge/ui/'))).toBe(true);
  });

  it('points every resource at an existing file or folder, and the icon exists', () => {
    for (const resource of manifest.resources) {
      expect(existsSync(path.join(repoRoot, resource.path)), resource.path).toBe(true);
    }
    const icons = manifest.resources.find((resource: Yaml) => resource.key === 'icons');
    expect(existsSync(path.join(repoRoot, icons.path, 'sync.svg'))).toBe(true);
  });

  it('asks for the least scopes, impersonation only where the backend acts as a user', () => {
    expect(manifest.permissions.scopes).toEqual({
      'read:jira-work': { allowImpersonation: true },
      'write:jira-work': { allowImpersonation: true },
      'read:jira-user': {},
      'read:servicedesk-request': {},
      'write:servicedesk-request': {},
      'read:app-system-token': {},
      'read:form:jira': {},
      'read:form.field:jira': {},
    });
    expect(manifest.permissions.external).toBeUndefined();
  });
});
