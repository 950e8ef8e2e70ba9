// How often tracking writes to storage. In VS Code each `Memento.update` of globalState is a
// message to the main process and a database write, so a burst must not become a storm.
//
// Measured through our whole tracking path as an extension runs it: SnowplowTelemetrySender ->
// SnowplowTracker -> ClientSession over the real GlobalStateSessionStore, on a Memento that
// counts its `update` calls, with a transport that answers 200 at once. The tracker's queue does
// not use the Memento: it keeps files (globalStorageUri, through workspace.fs); its writes are
// counted apart, at a QueueStorage that counts write/rename/delete.
// Without our delivery code, the session alone is measured and the report says so.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { okTransport } from '../lib/deliveringTrackers.mjs';
import { EVENT_NAME, EVENT_PROPERTIES } from '../lib/fixtures.mjs';
import { CountingMemento, STAND_IN_EXTENSION } from '../lib/vscodeStandIn.mjs';

function countingQueueStorage(inner) {
  const storage = {
    writes: 0,
    list: () => inner.list(),
    read: (name) => inner.read(name),
    write(name, contents) {
      storage.writes++;
      return inner.write(name, contents);
    },
    delete(name) {
      storage.writes++;
      return inner.delete(name);
    },
    rename(from, to) {
      storage.writes++;
      return inner.rename(from, to);
    },
  };
  return storage;
}

/** One tracking path: ours complete when delivery is built, else the session alone. */
function makePath(ours, delivery) {
  const memento = new CountingMemento();
  if (delivery.missing !== undefined) {
    // The Memento is reached through a minimal store of the same shape as the real one.
    const store = {
      storageMechanism: 'SQLITE',
      getSession: () => memento.get('session'),
      setSession: (json) => memento.update('session', json),
      deleteSession: () => memento.update('session', undefined),
    };
    const session = new ours.ClientSession({ store });
    return {
      memento,
      queueStorage: undefined,
      track: () => session.update(randomUUID(), Date.now()),
      finish: () => session.dispose(),
    };
  }
  const d = delivery.exports;
  const session = new d.ClientSession({ store: new d.GlobalStateSessionStore(memento) });
  const queueStorage = countingQueueStorage(new d.InMemoryQueueStorage());
  const tracker = new d.SnowplowTracker({
    collectorUrl: 'http://127.0.0.1:9',
    appId: STAND_IN_EXTENSION.id,
    session,
    consent: { usage: true, errors: true },
    storage: queueStorage,
    transport: okTransport(),
  });
  const sender = new d.SnowplowTelemetrySender(tracker);
  return {
    memento,
    queueStorage,
    track: () => sender.sendEventData(EVENT_NAME, EVENT_PROPERTIES),
    finish: async () => {
      await tracker.dispose({ timeoutMs: 5000 });
      await session.dispose();
    },
  };
}

async function burst(ours, delivery, events) {
  const path = makePath(ours, delivery);
  for (let i = 0; i < events; i++) {
    path.track();
  }
  // Whatever the burst scheduled behind it (a write after the interval) is counted too.
  await sleep(1500);
  const counts = { mementoUpdates: path.memento.updates, queueWrites: path.queueStorage?.writes };
  await path.finish();
  return counts;
}

async function steady(ours, delivery, eventsPerSecond, seconds) {
  const path = makePath(ours, delivery);
  const total = eventsPerSecond * seconds;
  const started = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      // Catch up on what the timer's jitter delayed, so the rate holds on average.
      const elapsedSeconds = (performance.now() - started) / 1000;
      const due = Math.min(total, Math.floor(elapsedSeconds * eventsPerSecond));
      while (sent < due) {
        path.track();
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1000 / eventsPerSecond);
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const counts = { mementoUpdates: path.memento.updates, queueWrites: path.queueStorage?.writes };
  await path.finish();
  return { ...counts, events: sent, elapsedSeconds };
}

/**
 * @returns `{ via, burst: { events, mementoUpdates, queueWrites }, steady: { eventsPerSecond,
 *   seconds, events, elapsedSeconds, mementoUpdates, mementoUpdatesPerSecond, queueWrites } }`
 */
export async function runStoreWrites(ours, delivery, { steadySeconds, log }) {
  const burstEvents = 10_000;
  const burstCounts = await burst(ours, delivery, burstEvents);
  log(`  store writes: burst of ${burstEvents} -> ${burstCounts.mementoUpdates} Memento.update`);
  const rate = 100;
  const steadyCounts = await steady(ours, delivery, rate, steadySeconds);
  log(`  store writes: ${rate}/s for ${steadySeconds} s -> ${steadyCounts.mementoUpdates}`);
  return {
    via:
      delivery.missing === undefined
        ? 'SnowplowTelemetrySender -> SnowplowTracker -> ClientSession -> ' +
          'GlobalStateSessionStore -> counting Memento'
        : `ClientSession -> counting Memento (session only: ${delivery.missing})`,
    burst: { events: burstEvents, ...burstCounts },
    steady: {
      eventsPerSecond: rate,
      seconds: steadySeconds,
      ...steadyCounts,
      mementoUpdatesPerSecond: steadyCounts.mementoUpdates / steadyCounts.elapsedSeconds,
    },
  };
}
