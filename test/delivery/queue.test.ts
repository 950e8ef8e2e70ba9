import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ClientSession } from '../../src/core/clientSession';
import { InMemorySessionStore } from '../../src/core/sessionStore';
import type { Collector } from './support';
import { FakeScheduler, FolderQueueStorage, makeTracker, settle, useCollector } from './support';
import type { QueueStorage } from '../../src/delivery/queueStorage';

/**
 * Passes every call on and records `write NAME`, `delete NAME` and `rename FROM`; `settled()`
 * waits for the changes started so far (real file writes take more than one turn).
 */
class CountingQueueStorage implements QueueStorage {
  readonly operations: string[] = [];
  readonly #started: Array<Promise<unknown>> = [];
  async settled(): Promise<void> {
    await Promise.allSettled(this.#started);
  }
  constructor(readonly inner: QueueStorage) {}
  list(): Promise<string[]> {
    return this.inner.list();
  }
  read(name: string): Promise<string | undefined> {
    return this.inner.read(name);
  }
  write(name: string, contents: string): Promise<void> {
    this.operations.push(`write ${name}`);
    return this.#track(this.inner.write(name, contents));
  }
  delete(name: string): Promise<void> {
    this.operations.push(`delete ${name}`);
    return this.#track(this.inner.delete(name));
  }
  rename(from: string, to: string): Promise<boolean> {
    this.operations.push(`rename ${from}`);
    return this.#track(this.inner.rename(from, to));
  }
  #track<T>(operation: Promise<T>): Promise<T> {
    this.#started.push(operation);
    return operation;
  }
}

describe('the durable queue', { timeout: 30_000 }, () => {
  let collector: Collector;
  let storage: FolderQueueStorage;

  useCollector((started) => (collector = started));
  beforeEach(async () => {
    storage = await FolderQueueStorage.temporary();
  });
  afterEach(async () => {
    await storage.remove();
  });

  it('keeps undelivered events in one file per burst, one line each', async () => {
    collector.fail(503);
    const { tracker } = makeTracker(collector.url, { storage });
    tracker.trackNamedEvent('one', {});
    tracker.trackNamedEvent('two', {});
    tracker.trackError(new Error('three'));
    await tracker.flush();
    assert.equal(collector.requests.length, 1);
    const files = await storage.eventFiles();
    assert.equal(files.length, 1, 'one burst, one file');
    const lines = (await storage.read(files[0]!))!.trim().split('\n');
    assert.equal(lines[0], '#vscode-client-session-queue 1');
    assert.deepEqual(
      lines.slice(1).map((line) => line.slice(0, 2)),
      ['u{', 'u{', 'e{'],
      'usage, usage, error',
    );
    await tracker.dispose({ timeoutMs: 0 });
  });

  it('writes the events of one write window in one file, once the window is over', async () => {
    collector.fail(503);
    const counted = new CountingQueueStorage(storage);
    const { tracker, scheduler } = makeTracker(collector.url, {
      storage: counted,
      sendDelayMs: 60_000,
    });
    await tracker.flush(); // the first heartbeat is written and nothing else
    counted.operations.length = 0;
    for (let i = 0; i < 3; i++) {
      tracker.trackNamedEvent(`early ${i}`, {});
      await settle();
      scheduler.advance(60);
    }
    await settle();
    assert.deepEqual(counted.operations, [], 'nothing written within the 200 ms window');
    scheduler.advance(20); // 200 ms after the first event
    await settle();
    await counted.settled();
    assert.equal(counted.operations.length, 1, counted.operations.join(', '));
    assert.match(counted.operations[0]!, /^write events-/);
    const [file] = await storage.eventFiles();
    assert.equal((await storage.read(file!))!.trim().split('\n').length, 1 + 3);

    tracker.trackNamedEvent('late', {});
    await settle();
    assert.equal(counted.operations.length, 1, 'the next event opens a new window');
    scheduler.advance(200);
    await settle();
    await counted.settled();
    assert.equal((await storage.eventFiles()).length, 2);
    await tracker.dispose({ timeoutMs: 0 });
  });

  it('writes events at once on flush and dispose, without waiting for the window', async () => {
    collector.fail(503);
    const { tracker } = makeTracker(collector.url, { storage, writeDelayMs: 60_000 });
    tracker.trackNamedEvent('flushed', {});
    await tracker.flush({ timeoutMs: 60_000 });
    assert.equal((await storage.eventFiles()).length, 1, 'flush wrote it');
    tracker.trackNamedEvent('disposed', {});
    await tracker.dispose({ timeoutMs: 60_000 });
    assert.equal((await storage.eventFiles()).length, 2, 'dispose wrote it');
  });

  it('writes only the events still queued when the write window ends', async () => {
    const counted = new CountingQueueStorage(storage);
    const { tracker, scheduler } = makeTracker(collector.url, {
      storage: counted,
      maxPostBytes: 5000,
    });
    await tracker.flush();
    for (let i = 0; i < 10; i++) {
      tracker.trackNamedEvent('fills requests', { text: 'x'.repeat(500) });
    }
    await settle();
    // Full requests go at once (a 0 ms timer), one after the other.
    while (scheduler.pendingDelays[0] === 0) {
      const delivered = new Promise<void>((resolve) => {
        const listener = tracker.onDidAttemptDelivery(() => {
          listener.dispose();
          resolve();
        });
      });
      scheduler.advance(0);
      await delivered;
      await settle();
    }
    const sent = collector.received.length;
    assert.ok(sent > 0 && sent < 10, `${sent} sent before the write window ended`);
    await counted.settled();
    assert.deepEqual(await storage.eventFiles(), [], 'nothing written yet');
    scheduler.advance(200);
    await settle();
    await counted.settled();
    const files = await storage.eventFiles();
    assert.equal(files.length, 1);
    const lines = (await storage.read(files[0]!))!.trim().split('\n');
    assert.equal(lines.length - 1, 10 - sent, 'only the events not delivered yet');
    await tracker.flush();
    assert.equal(collector.received.length, 10);
    assert.deepEqual(await storage.eventFiles(), []);
    await tracker.dispose();
  });

  it('delivers what a tracker disposed while the collector was down queued', async () => {
    collector.fail(503);
    const first = makeTracker(collector.url, { storage });
    const trackedIds: string[] = [];
    first.tracker.onDidTrack((event) => trackedIds.push(event.eventId));
    for (const name of ['a', 'b', 'c']) {
      first.tracker.trackNamedEvent(name, {});
    }
    await first.tracker.dispose({ timeoutMs: 60_000 });
    assert.equal(collector.received.length, 0);
    assert.equal((await storage.eventFiles()).length, 1, 'left in storage');
    assert.deepEqual(
      (await storage.list()).filter((name) => name.startsWith('owner-')),
      [],
      'the owner file is gone, so the queue is free to take',
    );

    collector.recover();
    const second = makeTracker(collector.url, { storage });
    await second.tracker.flush();
    assert.deepEqual(
      collector.received.map((e) => e.summary.name),
      ['telemetry_event "a"', 'telemetry_event "b"', 'telemetry_event "c"'],
    );
    assert.deepEqual(
      collector.received.map((e) => e.payload.eid),
      trackedIds,
      'the same event ids: duplicates can be removed downstream',
    );
    assert.deepEqual(await storage.eventFiles(), [], 'delivered events leave storage');
    await second.tracker.dispose();
  });

  it('takes over a crashed window’s queue once its heartbeat is stale', async () => {
    collector.fail(503);
    const crashed = makeTracker(collector.url, { storage, orphanAfterMs: 120_000 });
    crashed.tracker.trackNamedEvent('before the crash', {});
    await crashed.tracker.flush({ timeoutMs: 60_000 }); // written, the POST failed
    assert.equal((await storage.eventFiles()).length, 1);
    // The crashed tracker is never disposed: its owner file keeps its last heartbeat.

    collector.recover();
    const scheduler = new FakeScheduler();
    scheduler.nowMs = crashed.scheduler.nowMs + 1000;
    const other = makeTracker(collector.url, {
      storage,
      scheduler,
      orphanAfterMs: 120_000,
      heartbeatIntervalMs: 30_000,
    });
    await other.tracker.flush();
    assert.equal(collector.received.length, 0, 'a live-looking window keeps its queue');
    for (let i = 0; i < 4; i++) {
      scheduler.advance(30_000);
      await settle();
      await other.tracker.flush();
    }
    assert.equal(collector.received.length, 1);
    assert.equal(collector.received[0]!.summary.name, 'telemetry_event "before the crash"');
    assert.deepEqual(await storage.eventFiles(), []);
    await other.tracker.dispose();
  });

  it('lets only one of two windows take an orphaned queue', async () => {
    collector.fail(503);
    const closed = makeTracker(collector.url, { storage });
    for (let i = 0; i < 5; i++) {
      closed.tracker.trackNamedEvent(`e${i}`, {});
    }
    await closed.tracker.dispose({ timeoutMs: 60_000 });
    collector.recover();

    const a = makeTracker(collector.url, { storage });
    const b = makeTracker(collector.url, { storage });
    await Promise.all([a.tracker.flush(), b.tracker.flush()]);
    assert.equal(collector.received.length, 5, 'each event delivered once');
    await Promise.all([a.tracker.dispose(), b.tracker.dispose()]);
  });

  it('drops the oldest events beyond maxQueuedEvents and logs how many', async () => {
    collector.fail(503);
    const session = new ClientSession({ store: new InMemorySessionStore() });
    const { tracker, logger } = makeTracker(collector.url, {
      storage,
      session,
      maxQueuedEvents: 5,
    });
    for (let i = 1; i <= 8; i++) {
      tracker.trackNamedEvent(`e${i}`, {});
    }
    await tracker.flush();
    assert.equal(tracker.queuedEventCount, 5);
    assert.match(logger.at('warn').join('\n'), /dropped the 3 oldest event\(s\)/);
    collector.recover();
    await tracker.flush();
    assert.deepEqual(
      collector.received.map((e) => e.summary.eventIndex),
      [4, 5, 6, 7, 8],
      'the newest five',
    );
    await tracker.dispose();
  });

  it('drops the oldest events beyond maxQueuedBytes', async () => {
    collector.fail(503);
    const { tracker, logger } = makeTracker(collector.url, { storage, maxQueuedBytes: 3000 });
    for (let i = 0; i < 10; i++) {
      tracker.trackNamedEvent(`e${i}`, { text: 'x'.repeat(500) });
    }
    await tracker.flush();
    assert.ok(tracker.queuedEventCount < 10 && tracker.queuedEventCount > 0);
    assert.match(logger.at('warn').join('\n'), /event queue is full/);
    const files = await storage.eventFiles();
    let bytes = 0;
    for (const file of files) {
      bytes += Buffer.byteLength((await storage.read(file))!);
    }
    assert.ok(bytes < 3000 + 200, `${bytes} bytes stored`);
    await tracker.dispose({ timeoutMs: 0 });
  });

  it('skips unreadable lines of a file cut short by a crash and delivers the rest', async () => {
    collector.fail(503);
    const crashed = makeTracker(collector.url, { storage });
    crashed.tracker.trackNamedEvent('whole', {});
    crashed.tracker.trackNamedEvent('cut', {});
    await crashed.tracker.dispose({ timeoutMs: 60_000 });
    const [file] = await storage.eventFiles();
    const text = (await storage.read(file!))!;
    await storage.write(file!, text.slice(0, text.length - 40));
    collector.recover();

    const { tracker, logger } = makeTracker(collector.url, { storage });
    await tracker.flush();
    assert.deepEqual(
      collector.received.map((e) => e.summary.name),
      ['telemetry_event "whole"'],
    );
    assert.match(logger.at('warn').join('\n'), /Skipped 1 unreadable line/);
    await tracker.dispose();
  });

  it('keeps events in memory and says so once when storage fails', async () => {
    // A folder inside a file: every write fails with ENOTDIR.
    await storage.write('a-file', 'not a folder');
    const failing = new FolderQueueStorage(path.join(storage.folder, 'a-file', 'queue'));
    const { tracker, logger } = makeTracker(collector.url, { storage: failing });
    tracker.trackNamedEvent('a', {});
    tracker.trackNamedEvent('b', {});
    await tracker.flush();
    assert.equal(collector.received.length, 2);
    assert.equal(logger.at('warn').filter((l) => /Could not/.test(l)).length, 1);
    await tracker.dispose();
  });

  it('bounds dispose by its timeout and leaves undelivered events queued', async () => {
    collector.fail('hang');
    const { tracker, scheduler } = makeTracker(collector.url, {
      storage,
      requestTimeoutMs: 60_000,
    });
    tracker.trackNamedEvent('stuck', {});
    const disposed = tracker.dispose({ timeoutMs: 1500 });
    await collector.waitForRequests(1);
    let done = false;
    void disposed.then(() => (done = true));
    await settle();
    assert.equal(done, false);
    scheduler.advance(1500);
    await disposed;
    assert.equal((await storage.eventFiles()).length, 1, 'still queued for the next window');
    collector.recover();
  });
});
