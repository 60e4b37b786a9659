import { describe, expect, it } from 'vitest';
import { loadForgeManifest, parseForgeManifest } from './manifest';
import { forgeMessages } from './messages';

describe('loadForgeManifest (repo manifest.yml)', () => {
  const manifest = loadForgeManifest();
  const endpoint = (key: string) => ({ key, remote: 'backend', appSystemToken: true });

  it('maps each trigger module to its endpoint route', () => {
    expect(manifest.appId).toMatch(/^ari:cloud:ecosystem::app\//);
    expect(manifest.triggers).toEqual([
      {
        key: 'app-lifecycle',
        endpoint: { ...endpoint('lifecycle-endpoint'), path: '/forge/lifecycle' },
        events: ['avi:forge:installed:app', 'avi:forge:upgraded:app'],
        ignoreSelf: false,
      },
      {
        key: 'jira-issue-events',
        endpoint: { ...endpoint('events-endpoint'), path: '/forge/events' },
        events: [
          'avi:jira:created:issue',
          'avi:jira:updated:issue',
          'avi:jira:deleted:issue',
          'avi:jira:commented:issue',
        ],
        ignoreSelf: true,
      },
    ]);
    expect(manifest.scheduledTriggers).toEqual([
      {
        key: 'push-credentials',
        endpoint: { ...endpoint('credentials-endpoint'), path: '/forge/credentials' },
      },
    ]);
    expect(manifest.preUninstall).toEqual([
      { key: 'before-uninstall', endpoint: { ...endpoint('uninstall-endpoint'), path: '/forge/uninstall' } },
    ]);
  });

  it('finds the UI modules whose resolver is a remote endpoint', () => {
    const uiEndpoint = { key: 'ui-endpoint', remote: 'backend', path: undefined, appSystemToken: false };
    expect(manifest.uiModules).toEqual([
      { type: 'jira:issuePanel', key: 'sync-status-panel', endpoint: uiEndpoint },
      { type: 'jira:adminPage', key: 'sync-admin-page', endpoint: uiEndpoint },
    ]);
  });

  it('separates the impersonable scopes', () => {
    expect(manifest.impersonationScopes).toEqual(['read:jira-work', 'write:jira-work']);
    expect(manifest.scopes).toContain('read:app-system-token');
  });
});

describe('parseForgeManifest', () => {
  it('accepts the list form of scopes and skips function-backed modules', () => {
    const manifest = parseForgeManifest(`
app: { id: 'ari:cloud:ecosystem::app/x' }
modules:
  function: [{ key: fn, handler: index.run }]
  scheduledTrigger: [{ key: tick, function: fn, interval: hour }]
permissions: { scopes: [read:jira-work] }
`);
    expect(manifest).toEqual({
      appId: 'ari:cloud:ecosystem::app/x',
      triggers: [],
      scheduledTriggers: [],
      preUninstall: [],
      uiModules: [],
      scopes: ['read:jira-work'],
      impersonationScopes: [],
    });
  });

  it('refuses a manifest without app.id', () => {
    expect(() => parseForgeManifest('modules: {}')).toThrow(forgeMessages.manifestWithoutAppId);
  });
});
