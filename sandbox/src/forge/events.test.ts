import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { siteA, siteB, startForgeWorld } from '../../test-support/forge';
import type { JiraChange } from '../contracts';

// Forge's own delays; the manual scheduler moves past them without waiting.
const retryDelayMs = 60_000;
const deliveryTimeoutMs = 5_000;
let world: Awaited<ReturnType<typeof startForgeWorld>>;

beforeAll(async () => {
  // Pushes are kept out of the way: these tests look at triggers only.
  world = await startForgeWorld({ credentialPushIntervalMs: 3_600_000 });
});
beforeEach(async () => {
  await world.platform.install({ cloudId: siteA.cloudId, backendUrl: world.backend.url });
});
afterEach(async () => {
  releaseHeldAnswers();
  await world.platform.close();
  world.platform.reset();
  world.backend.respond = () => 200;
  world.backend.received.length = 0;
});
afterAll(() => world.close());

const issue = (key: string) => ({ id: `1000${key.length}`, key, fields: { summary: `Summary of ${key}` } });

function change(overrides: Partial<JiraChange> = {}): JiraChange {
  return {
    eventType: 'avi:jira:updated:issue',
    cloudId: siteA.cloudId,
    issue: issue('SUP-1'),
    changelog: { items: [{ field: 'summary', fromString: 'Old', toString: 'Summary of SUP-1' }] },
    actorAccountId: 'acc-alice',
    byApp: false,
    timestamp: 1_767_000_000_000,
    ...overrides,
  };
}

const events = () => world.at('/forge/events');
const eventAttempts = () => world.platform.deliveries().filter((record) => record.kind === 'event');

/** Moves past the redelivery delay and waits for the redeliveries it started. */
async function redeliver() {
  world.scheduler.advance(retryDelayMs);
  await world.platform.settled();
}

let heldAnswers: Array<() => void> = [];
function releaseHeldAnswers() {
  for (const release of heldAnswers) release();
  heldAnswers = [];
}
type EventBody = { issue: { key: string } };
/** Issue keys of the delivered events; retries wrap the event in `payload`. */
const eventKeys = () =>
  events().map((request) => {
    const body = request.body as EventBody | { payload: EventBody };
    return ('payload' in body ? body.payload : body).issue.key;
  });

describe('Jira changes', () => {
  it('delivers a change made through the API as an avi:jira event', async () => {
    world.platform.onJiraChange(change());

    await world.platform.settled();
    expect(events()).toHaveLength(1);
    const [delivered] = events();
    expect(delivered.body).toEqual({
      eventType: 'avi:jira:updated:issue',
      selfGenerated: false,
      issue: issue('SUP-1'),
      atlassianId: 'acc-alice',
      timestamp: 1_767_000_000_000,
      changelog: { items: [{ field: 'summary', fromString: 'Old', toString: 'Summary of SUP-1' }] },
      context: `ari:cloud:jira::site/${siteA.cloudId}`,
    });
    expect(delivered.claims).toMatchObject({
      app: { module: { type: 'core:endpoint', key: 'events-endpoint' } },
    });
    expect(delivered.headers['x-forge-oauth-system']).toBeTruthy();
    expect(world.platform.deliveries().at(-1)).toMatchObject({
      kind: 'event',
      moduleKey: 'jira-issue-events',
      endpointKey: 'events-endpoint',
      path: '/forge/events',
      eventType: 'avi:jira:updated:issue',
      ok: true,
      status: 200,
      attempt: 1,
    });
  });

  it('carries the comment of a comment event', async () => {
    const comment = {
      id: '20001',
      body: { type: 'doc', version: 1, content: [] },
      author: { accountId: 'acc-alice' },
    };
    world.platform.onJiraChange(
      change({ eventType: 'avi:jira:commented:issue', changelog: undefined, comment }),
    );

    await world.platform.settled();
    expect(events()).toHaveLength(1);
    expect(events()[0].body).toMatchObject({ eventType: 'avi:jira:commented:issue', comment });
    expect(events()[0].body).not.toHaveProperty('changelog');
  });

  it("drops the app's own changes (ignoreSelf) and changes on sites without the app", async () => {
    world.platform.onJiraChange(change({ issue: issue('SUP-SELF'), byApp: true }));
    world.platform.onJiraChange(change({ issue: issue('SUP-OTHER-SITE'), cloudId: siteB.cloudId }));
    world.platform.onJiraChange(change({ issue: issue('SUP-2') }));

    await world.platform.settled();
    expect(eventKeys()).toEqual(['SUP-2']);
  });
});

describe('redelivery', () => {
  it('retries a failing event 4 times with retryContext, keeping its timestamp', async () => {
    world.backend.respond = () => 500;
    world.platform.onJiraChange(change());
    await world.platform.settled();
    expect(events()).toHaveLength(1);

    // Nothing is redelivered before Forge's delay has passed.
    world.scheduler.advance(retryDelayMs - 1);
    await world.platform.settled();
    expect(events()).toHaveLength(1);
    world.scheduler.advance(1);
    await world.platform.settled();
    expect(events()).toHaveLength(2);
    for (let retry = 2; retry <= 4; retry++) await redeliver();

    expect(events()).toHaveLength(5);
    const [first, ...retries] = events();
    expect(first.body).toEqual(expect.objectContaining({ eventType: 'avi:jira:updated:issue' }));
    expect(first.body).not.toHaveProperty('retryContext');
    retries.forEach((retry, index) => {
      expect(retry.body).toEqual({
        payload: {
          ...(first.body as Record<string, unknown>),
          retryContext: {
            retryCount: index + 1,
            retryReason: 'INVALID_REMOTE_INVOCATION_ERROR',
            retryData: null,
          },
        },
      });
      expect(retry.verifyError).toBeUndefined();
    });

    expect(world.platform.deliveries()).toHaveLength(6); // + lifecycle
    const attempts = eventAttempts();
    expect(attempts.map((record) => record.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(attempts.map((record) => record.deliveryId)).size).toBe(1);
    expect(world.platform.describe().pendingRetries).toEqual([]);
    // No sixth attempt comes after the fourth retry.
    await redeliver();
    await redeliver();
    expect(eventKeys().filter((key) => key === 'SUP-1')).toHaveLength(5);
  });

  it('redelivers at once through deliverPending, before the delay has passed', async () => {
    let calls = 0;
    world.backend.respond = () => (++calls === 1 ? 500 : 200);
    world.platform.onJiraChange(change());
    await world.platform.settled();

    expect(await world.platform.deliverPending()).toEqual([{ ok: true, status: 200 }]);
    expect(eventAttempts().map((record) => record.attempt)).toEqual([1, 2]);
    expect(world.platform.describe().pendingRetries).toEqual([]);
    await redeliver();
    expect(events()).toHaveLength(2);
  });

  it('stops retrying once an attempt succeeds', async () => {
    let calls = 0;
    world.backend.respond = () => (++calls === 1 ? 502 : 200);
    world.platform.onJiraChange(change());
    await world.platform.settled();
    await redeliver();

    expect(events()).toHaveLength(2);
    expect(world.platform.deliveries().at(-1)?.ok).toBe(true);
    expect(world.platform.describe().pendingRetries).toEqual([]);
    await redeliver();
    expect(events()).toHaveLength(2);
  });

  it('gives INVALID_FORGE_INVOCATION_TOKEN as the reason after a 401', async () => {
    let calls = 0;
    world.backend.respond = () => (++calls === 1 ? 401 : 200);
    world.platform.onJiraChange(change());
    await world.platform.settled();
    await redeliver();

    expect(events()).toHaveLength(2);
    expect(events()[1].body).toMatchObject({
      payload: {
        retryContext: { retryCount: 1, retryReason: 'INVALID_FORGE_INVOCATION_TOKEN', retryData: null },
      },
    });
  });

  it('gives TIMEOUT_ERROR as the reason when the remote answers too late', async () => {
    let calls = 0;
    let firstCallReached = () => {};
    const reached = new Promise<void>((resolve) => {
      firstCallReached = resolve;
    });
    // The first answer is held until the test ends; the platform gives up on it at its time limit.
    world.backend.respond = async () => {
      if (++calls === 1) {
        firstCallReached();
        await new Promise<void>((release) => heldAnswers.push(release));
      }
      return 200;
    };
    world.platform.onJiraChange(change());
    await reached;
    world.scheduler.advance(deliveryTimeoutMs - 1);
    expect(world.platform.describe().pendingRetries).toEqual([]);
    world.scheduler.advance(1);
    await world.platform.settled();
    await redeliver();

    expect(events()).toHaveLength(2);
    expect(events()[1].body).toMatchObject({ payload: { retryContext: { retryReason: 'TIMEOUT_ERROR' } } });
    expect(world.platform.deliveries().find((record) => record.kind === 'event')).toMatchObject({
      ok: false,
      status: null,
      failureReason: 'TIMEOUT_ERROR',
    });
  });

  it('does not retry scheduled credential pushes', async () => {
    world.backend.respond = (request) => (request.path === '/forge/credentials' ? 500 : 200);

    const result = await world.platform.pushCredentialsNow(siteA.cloudId);
    expect(result).toEqual({ ok: false, status: 500, failureReason: 'INVALID_REMOTE_INVOCATION_ERROR' });
    expect(world.platform.describe().pendingRetries).toEqual([]);
    await redeliver();
    await redeliver();
    expect(world.at('/forge/credentials')).toHaveLength(1);
  });

  it('drops pending retries on uninstall', async () => {
    world.backend.respond = () => 500;
    world.platform.onJiraChange(change());
    await world.platform.settled();
    expect(world.platform.describe().pendingRetries).toHaveLength(1);
    expect(world.platform.describe().pendingRetries[0]).toMatchObject({
      cloudId: siteA.cloudId,
      moduleKey: 'jira-issue-events',
      eventType: 'avi:jira:updated:issue',
      retryCount: 1,
      retryReason: 'INVALID_REMOTE_INVOCATION_ERROR',
    });

    await world.platform.uninstall(siteA.cloudId);
    expect(world.platform.describe().pendingRetries).toEqual([]);
    await redeliver();
    expect(events()).toHaveLength(1);
  });
});
