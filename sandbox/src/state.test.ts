import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../test-support/seed';
import { type SandboxSeed, startSandbox } from './index';
import { buildState, loadSeed } from './state';

const seed = loadSeed(undefined);

describe('seed', () => {
  it('the default seed holds the documented sites, people and projects', () => {
    const state = buildState(seed);
    expect([...state.sites.values()].map((s) => [s.name, s.url])).toEqual([
      ['acme', 'https://acme.atlassian.net'],
      ['globex', 'https://globex.atlassian.net'],
    ]);
    expect(state.users.get(DEFAULT_SEED.alice)?.siteIds).toEqual([DEFAULT_SEED.acme, DEFAULT_SEED.globex]);
    expect(state.users.get(DEFAULT_SEED.carol)?.appAccess).toBe(false);
    expect(state.users.get(DEFAULT_SEED.appBot)?.accountType).toBe('app');
    expect([...state.projects.values()].map((p) => `${p.key}:${p.projectTypeKey}`)).toEqual([
      'SUP:service_desk',
      'ENG:software',
      'OPS:software',
    ]);
    expect(state.projects.get('10000')?.nextIssueNumber).toBe(3);
  });

  it('names the broken reference when a seed is inconsistent', () => {
    const broken = structuredClone(seed);
    broken.issues[0].reporter = 'ghost';
    expect(() => buildState(broken)).toThrow('seed: issue SUP-1 reporter refers to unknown user "ghost"');
    const badSite = structuredClone(seed);
    badSite.projects[0].site = 'initech';
    expect(() => buildState(badSite)).toThrow('seed: project SUP refers to unknown site "initech"');
    const badStatus = structuredClone(seed);
    badStatus.issues[2].statusId = '10002';
    expect(() => buildState(badStatus)).toThrow("seed: issue ENG-1 has status 10002, not in ENG's workflow");
  });

  it('startSandbox takes a seed object or a JSON file path', async () => {
    const small: SandboxSeed = { ...structuredClone(seed), issues: [], oauthClients: [] };
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-seed-'));
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(small));
    for (const source of [small, file]) {
      const sandbox = await startSandbox({ seed: source });
      try {
        expect(sandbox.state.issues.size).toBe(0);
        expect(sandbox.state.clients.size).toBe(0);
      } finally {
        await sandbox.close();
      }
    }
  });

  it('changes to the running state never leak into the seed object', async () => {
    const mine = structuredClone(seed);
    const sandbox = await startSandbox({ seed: mine });
    try {
      sandbox.state.issues.get('10020')!.summary = 'changed';
      sandbox.reset();
      expect(sandbox.state.issues.get('10020')?.summary).toBe('Checkout page returns 500');
      expect(mine.issues[2].summary).toBe('Checkout page returns 500');
    } finally {
      await sandbox.close();
    }
  });
});
