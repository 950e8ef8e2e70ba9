import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { APPLICATION_ERROR_SCHEMA } from '../../src/delivery/events';
import { SnowplowTelemetrySender } from '../../src/delivery/sender';
import type { Collector } from './support';
import { FolderQueueStorage, makeTracker, useCollector } from './support';

describe('consent', { timeout: 30_000 }, () => {
  let collector: Collector;
  let storage: FolderQueueStorage;

  useCollector((started) => (collector = started));
  beforeEach(async () => {
    storage = await FolderQueueStorage.temporary();
  });
  afterEach(async () => {
    await storage.remove();
  });

  it('with telemetry off, sends nothing, queues nothing and counts nothing', async () => {
    const { tracker, session, scheduler } = makeTracker(collector.url, {
      storage,
      consent: { usage: false, errors: false },
    });
    assert.equal(tracker.trackNamedEvent('a', {}), undefined);
    assert.equal(tracker.trackError(new Error('b')), undefined);
    tracker.trackStructEvent({ category: 'c', action: 'd' });
    tracker.trackSelfDescribingEvent({
      schema: 'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0',
      data: { version: '1' },
    });
    tracker.trackLifecycle(true);
    await tracker.flush();
    scheduler.advance(3_600_000);
    await tracker.dispose();
    assert.equal(collector.requests.length, 0);
    assert.deepEqual(await storage.list(), [], 'not even an owner file');
    assert.equal(session.snapshot().currentEntity, undefined);
  });

  it('by default (no consent given) tracks nothing', async () => {
    const { tracker } = makeTracker(collector.url, { storage, consent: undefined });
    assert.equal(tracker.trackNamedEvent('a', {}), undefined);
    await tracker.dispose();
    assert.equal(collector.requests.length, 0);
  });

  it('at the error level, sends errors only', async () => {
    const { tracker } = makeTracker(collector.url, {
      storage,
      consent: { usage: false, errors: true },
    });
    tracker.trackNamedEvent('usage', {});
    tracker.trackStructEvent({ category: 'c', action: 'd' });
    tracker.trackError(new Error('kept'));
    await tracker.flush();
    assert.deepEqual(
      collector.received.map((e) => e.unstruct?.data.schema),
      [APPLICATION_ERROR_SCHEMA],
    );
    await tracker.dispose();
  });

  it('at the error level, passes on events logged by name (logError) as errors', async () => {
    const { tracker } = makeTracker(collector.url, {
      storage,
      consent: { usage: false, errors: true },
    });
    const sender = new SnowplowTelemetrySender(tracker);
    // At this level VS Code calls sendEventData only for logError(name, data).
    sender.sendEventData('publisher.ext/commandFailed', { code: 3 });
    await sender.flush();
    assert.equal(collector.received.length, 1);
    assert.equal(tracker.trackNamedEvent('usage', {}), undefined, 'usage itself stays off');
    await tracker.dispose();
  });

  it('discards the queue, in memory and in storage, when telemetry is turned off', async () => {
    collector.fail(503);
    const { tracker, logger } = makeTracker(collector.url, { storage });
    tracker.trackNamedEvent('a', {});
    tracker.trackError(new Error('b'));
    await tracker.flush();
    assert.equal((await storage.eventFiles()).length, 1);

    tracker.setConsent({ usage: false, errors: false });
    await tracker.flush();
    assert.equal(tracker.queuedEventCount, 0);
    assert.deepEqual(await storage.list(), []);
    assert.match(logger.at('info').join('\n'), /Discarded 2 queued event/);

    collector.recover();
    tracker.setConsent({ usage: true, errors: true });
    await tracker.flush();
    assert.equal(collector.received.length, 0, 'nothing comes back when consent returns');
    await tracker.dispose();
  });

  it('turning telemetry off also deletes queues other windows left', async () => {
    collector.fail(503);
    const closed = makeTracker(collector.url, { storage });
    closed.tracker.trackNamedEvent('left behind', {});
    await closed.tracker.dispose({ timeoutMs: 60_000 });
    assert.equal((await storage.eventFiles()).length, 1);

    const { tracker } = makeTracker(collector.url, {
      storage,
      consent: { usage: false, errors: false },
    });
    await tracker.flush();
    assert.deepEqual(await storage.eventFiles(), []);
    await tracker.dispose();
  });

  it('dropping to the error level discards queued usage events and keeps errors', async () => {
    collector.fail(503);
    const { tracker } = makeTracker(collector.url, { storage });
    tracker.trackNamedEvent('usage', {});
    tracker.trackError(new Error('error'));
    await tracker.flush();
    tracker.setConsent({ usage: false, errors: true });
    collector.recover();
    await tracker.flush();
    assert.deepEqual(
      collector.received.map((e) => e.unstruct?.data.schema),
      [APPLICATION_ERROR_SCHEMA],
    );
    assert.deepEqual(await storage.eventFiles(), []);
    await tracker.dispose();
  });

  it('drops events tracked just before consent was withdrawn, unencoded', async () => {
    const { tracker } = makeTracker(collector.url, { storage });
    tracker.trackNamedEvent('a', {});
    tracker.setConsent({ usage: false, errors: false });
    await tracker.flush();
    assert.equal(collector.requests.length, 0);
    await tracker.dispose();
  });

  it('refuses a malformed consent with a TypeError', () => {
    const { tracker } = makeTracker(collector.url);
    assert.throws(
      () => tracker.setConsent({ usage: 'yes' } as unknown as { usage: boolean; errors: boolean }),
      TypeError,
    );
    void tracker.dispose();
  });
});
