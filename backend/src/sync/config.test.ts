import { syncConfigMessages, syncReadinessMessages } from '@jira-integration/shared/sync-messages';
import { describe, expect, it } from 'vitest';
import { TICKET_PRIORITIES } from '../db/schema';
import { checkMapping } from './config';
import { decideSyncReadiness } from './readiness';

const priorities = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
];
const full = { urgent: '1', high: ['2'], medium: ['3'], low: ['4'] };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('mapping checks', () => {
  it('accepts a complete mapping and lists every value', () => {
    expect(checkMapping('priority', TICKET_PRIORITIES, full, priorities, 'on this site')).toEqual({
      urgent: ['1'],
      high: ['2'],
      medium: ['3'],
      low: ['4'],
    });
  });

  it('names the platform value left unmapped, the Jira id the site lacks, and the Jira value no one maps', () => {
    const { low: _low, ...noLow } = full;
    expect(
      refusal(() => checkMapping('priority', TICKET_PRIORITIES, noLow, priorities, 'on this site')),
    ).toBe(syncConfigMessages.platformValueUnmapped('priority', 'low'));
    expect(
      refusal(() =>
        checkMapping('priority', TICKET_PRIORITIES, { ...full, low: ['4', '9'] }, priorities, 'on this site'),
      ),
    ).toBe("Jira priority '9' does not exist on this site.");
    expect(
      refusal(() =>
        checkMapping('priority', TICKET_PRIORITIES, { ...full, high: '1' }, priorities, 'on this site'),
      ),
    ).toBe("The Jira priority 'High' is not mapped to a platform priority.");
  });
});

describe('sync readiness: one decision, the first failing condition named', () => {
  const connection = { method: 'managed' as const, forgeUpgradedAt: new Date(), ticketSyncing: true };
  const site = {
    installed: true,
    credentialsFresh: true,
    lastPushAt: null,
    expiresAt: null,
    uninstalledAt: null,
  };

  it('is ready only when every condition holds', () => {
    expect(decideSyncReadiness(connection, site, true)).toMatchObject({ ready: true, reason: null });
  });

  it('names the first failing condition, in the order an admin fixes them', () => {
    const reason = (
      c: Parameters<typeof decideSyncReadiness>[0],
      s: Parameters<typeof decideSyncReadiness>[1],
      saved: boolean,
    ) => decideSyncReadiness(c, s, saved).reason;
    const m = syncReadinessMessages;
    expect(reason({ ...connection, method: 'custom' }, site, true)).toBe(m.notReady(m.checkManaged));
    expect(reason(connection, undefined, true)).toBe(m.notReady(m.checkInstalled));
    expect(reason(connection, { ...site, credentialsFresh: false }, true)).toBe(m.notReady(m.checkFresh));
    expect(reason({ ...connection, forgeUpgradedAt: null }, site, true)).toBe(m.notReady(m.checkUpgraded));
    expect(reason({ ...connection, ticketSyncing: false }, site, true)).toBe(m.notReady(m.checkEnabled));
    expect(reason(connection, site, false)).toBe(m.notReady(m.checkConfigured));
    expect(m.notReady(m.checkEnabled)).toBe('Sync is not running. Missing: Ticket Syncing turned on.');
  });
});
