// The two trackers that deliver to a real collector in the worker benchmarks, set up the same
// way: the same event, a client_session entity on every event, POSTs to the counting
// collector on 127.0.0.1.
import { createRequire } from 'node:module';
import { EVENT_NAME, EVENT_PROPERTIES, SELF_DESCRIBING_EVENT } from './fixtures.mjs';
import { collectorCount } from './processes.mjs';
import { CountingMemento, STAND_IN_EXTENSION } from './vscodeStandIn.mjs';

const require = createRequire(import.meta.url);

/** A mid-session entity for node-tracker, which has no client session of its own. */
const ENTITY = Object.freeze({
  schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
  data: Object.freeze({
    userId: '5d79770b-015b-4af8-8c91-b2ed6faf4b1e',
    sessionId: '1f6f7a0c-8b1e-4b8e-9a9e-6c1b2a3d4e5f',
    sessionIndex: 3,
    eventIndex: 0,
    previousSessionId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    firstEventId: '6f1e5b7a-2c3d-4e8f-9a0b-1c2d3e4f5a6b',
    firstEventTimestamp: '2026-12-03T12:00:00.000Z',
    storageMechanism: 'SQLITE',
  }),
});

/**
 * A transport for our tracker (its `HttpTransport` seam) that answers 200 at once and never
 * touches the network; `posts` counts the batches it was given.
 */
export function okTransport() {
  const transport = {
    posts: 0,
    async post() {
      transport.posts++;
      return { status: 200, statusText: 'OK', retryAfter: null, text: '' };
    },
  };
  return transport;
}

/**
 * @snowplow/node-tracker with its defaults (POST, buffer of 10, 40 000-byte requests). Its
 * event store keeps 1 000 events by default and drops the oldest when tracking outpaces
 * sending; `storeSize` raises that (to the run's event count, for a run that must deliver
 * everything).
 */
export function makeNodeTracker({ port, storeSize = 1000 }) {
  // node-tracker's own copy of tracker-core, for its event store.
  const core = createRequire(require.resolve('@snowplow/node-tracker'))('@snowplow/tracker-core');
  const { newTracker, buildSelfDescribingEvent } = require('@snowplow/node-tracker');
  const eventStore = core.newInMemoryEventStore({ maxSize: storeSize });
  const tracker = newTracker(
    { namespace: 'bench', appId: STAND_IN_EXTENSION.id },
    { endpoint: `http://127.0.0.1:${port}`, eventStore },
  );
  let eventIndex = 0;
  return {
    track() {
      // The entity changes with every event, as a session's does.
      const entity = { schema: ENTITY.schema, data: { ...ENTITY.data, eventIndex: ++eventIndex } };
      tracker.track(buildSelfDescribingEvent({ event: SELF_DESCRIBING_EVENT }), [entity]);
    },
    /**
     * Flushes until the collector has `events` (or, with `untilEmpty`, until the store is
     * empty). node-tracker sends one request per flush and leaves the rest for the next track
     * or flush; an application that wants its events out calls flush again, and so does this.
     */
    async deliverAll(events, untilEmpty = false) {
      for (let flushes = 1; flushes <= 100_000; flushes++) {
        await tracker.flush();
        const { received } = await collectorCount();
        if (untilEmpty ? (await eventStore.count()) === 0 : received >= events) {
          return { flushes, received };
        }
      }
      throw new Error(`node-tracker: events were still unsent after 100 000 flushes`);
    },
    async close() {},
  };
}

/**
 * Ours as an extension would run it: a ClientSession over the GlobalStateSessionStore (on a
 * Memento that counts its writes), a SnowplowTracker with consent, our TelemetrySender,
 * events queued in memory (the extension's file-backed queue storage is not modelled).
 * `queueCapEvents`, when given, raises the queue's caps (10 000 events, 5 MB by default) to
 * hold that many events, for a run that must deliver everything, as node-tracker's store is.
 * @param bundle path of the bundled delivery code (bench/results/tmp/delivery.cjs)
 */
export function makeOurs({ bundle, collectorUrl, queueCapEvents }) {
  const ours = require(bundle);
  const memento = new CountingMemento();
  const session = new ours.ClientSession({ store: new ours.GlobalStateSessionStore(memento) });
  const caps =
    queueCapEvents === undefined
      ? {}
      : { maxQueuedEvents: queueCapEvents, maxQueuedBytes: queueCapEvents * 4096 };
  // The tracker reports a full queue (and dropped events) as warnings; they are counted and
  // the first is kept, so the results can say why events were not delivered.
  const warnings = { count: 0, first: undefined };
  const logger = {
    trace() {},
    debug() {},
    info() {},
    warn(message) {
      warnings.count++;
      warnings.first ??= String(message);
    },
    error(message) {
      warnings.count++;
      warnings.first ??= String(message);
    },
  };
  const tracker = new ours.SnowplowTracker({
    collectorUrl,
    appId: STAND_IN_EXTENSION.id,
    session,
    consent: { usage: true, errors: true },
    logger,
    ...caps,
  });
  const sender = new ours.SnowplowTelemetrySender(tracker);
  return {
    track() {
      sender.sendEventData(EVENT_NAME, EVENT_PROPERTIES);
    },
    /** Flushes until nothing is queued; resolves the flush count and the collector's count. */
    async deliverAll() {
      for (let flushes = 1; flushes <= 1000; flushes++) {
        await tracker.flush({ timeoutMs: 60_000 });
        if (tracker.queuedEventCount === 0) {
          const { received } = await collectorCount();
          return {
            flushes,
            received,
            mementoUpdates: memento.updates,
            warnings: warnings.count,
            firstWarning: warnings.first,
          };
        }
      }
      throw new Error(`ours: the queue still held ${tracker.queuedEventCount} after 1000 flushes`);
    },
    queued: () => tracker.queuedEventCount,
    warnings: () => ({ warnings: warnings.count, firstWarning: warnings.first }),
    async close() {
      await tracker.dispose({ timeoutMs: 1000 });
      await session.dispose();
    },
  };
}
