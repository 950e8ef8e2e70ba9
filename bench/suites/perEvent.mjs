// Cost per tracked event on the caller's thread, every contender in this one process,
// interleaved: each round runs every contender once over the same number of events, in an
// order rotated from round to round, so that drift of the machine hits all of them alike.
//
// Two figures per event: the time inside the tracking calls (what the caller waits for), and
// that plus the microtasks the calls queued (settled with one setImmediate after each chunk of
// events): work deferred to a microtask is off the call but still on the caller's thread
// before its next task. Work put off to a timer (batched sends) is in neither; the
// CPU-per-delivered-event benchmark counts everything.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { summarize } from '../lib/stats.mjs';
import { okTransport } from '../lib/deliveringTrackers.mjs';
import {
  EVENT_NAME,
  EVENT_PROPERTIES,
  SELF_DESCRIBING_EVENT,
  sessionEntityJson,
} from '../lib/fixtures.mjs';
import {
  CountingMemento,
  createTelemetryLoggerLike,
  createVscodeStandIn,
  installVscodeModule,
  STAND_IN_EXTENSION,
} from '../lib/vscodeStandIn.mjs';

const require = createRequire(import.meta.url);

/** Events between two settles of pending promises. */
const CHUNK = 500;

/** Keeps results alive so that no contender's work can be optimised away. */
let sink = 0;

/** A fetch that answers 200 at once and never touches the network. */
async function okFetch() {
  return new Response(null, { status: 200 });
}

/**
 * The contenders. Each `setup` resolves `{ track(), close?(), checks? }` or `{ missing }`.
 * `track` tracks one event; `close` ends whatever the contender started.
 */
function contenders(ours, delivery, entityJson) {
  const entity = entityJson.data;
  const firstEventTimestamp = entity.firstEventTimestamp;
  return [
    {
      id: 'floor',
      label: 'floor: randomUUID + Date.now + entity + JSON.stringify',
      setup: async () => {
        let eventIndex = 0;
        return {
          track() {
            const eventId = randomUUID();
            const timestamp = Date.now();
            const data = {
              userId: entity.userId,
              sessionId: entity.sessionId,
              sessionIndex: entity.sessionIndex,
              eventIndex: ++eventIndex,
              previousSessionId: entity.previousSessionId,
              firstEventId: eventId,
              firstEventTimestamp,
              storageMechanism: entity.storageMechanism,
            };
            sink += JSON.stringify({ schema: entityJson.schema, data }).length + timestamp;
          },
        };
      },
    },
    {
      id: 'oursSessionOnly',
      label: 'ours: ClientSession.update only (id + time + update; no payload, no queue)',
      setup: async () => {
        const session = new ours.ClientSession({ store: new ours.InMemorySessionStore() });
        return {
          track() {
            sink += session.update(randomUUID(), Date.now()).eventIndex;
          },
          close: () => session.dispose(),
        };
      },
    },
    {
      id: 'oursSender',
      label: 'ours: SnowplowTelemetrySender.sendEventData (no-op transport)',
      setup: async () => oursContender(delivery, (sender) => sender),
    },
    {
      id: 'oursLogger',
      label: 'ours: through a VS Code-like TelemetryLogger (logUsage)',
      // With the logger options our VS Code binding (createSnowplowTelemetry) passes.
      setup: async () =>
        oursContender(delivery, (sender) =>
          createTelemetryLoggerLike(sender, {
            ignoreBuiltInCommonProperties: true,
            ignoreUnhandledErrors: true,
          }),
        ),
    },
    {
      id: 'trackerCore',
      label: '@snowplow/tracker-core track (base64 on, its default)',
      setup: async () => trackerCoreContender(true, entityJson),
    },
    {
      id: 'trackerCoreJson',
      label: '@snowplow/tracker-core track (base64 off)',
      info: true,
      setup: async () => trackerCoreContender(false, entityJson),
    },
    {
      id: 'nodeTracker',
      label: '@snowplow/node-tracker track (no-op fetch, defaults)',
      setup: async () => {
        const { newTracker, buildSelfDescribingEvent } = require('@snowplow/node-tracker');
        let fetches = 0;
        const tracker = newTracker(
          { namespace: 'bench', appId: 'bench' },
          {
            endpoint: 'http://127.0.0.1:9',
            customFetch: (request) => {
              fetches++;
              return okFetch(request);
            },
          },
        );
        return {
          track() {
            tracker.track(buildSelfDescribingEvent({ event: SELF_DESCRIBING_EVENT }), [entityJson]);
          },
          close: async () => {
            await tracker.flush();
            if (fetches === 0) {
              throw new Error('node-tracker never called its fetch: it did not deliver');
            }
          },
        };
      },
    },
    {
      id: 'extensionTelemetry',
      label: '@vscode/extension-telemetry sendTelemetryEvent (App Insights, fetch stubbed)',
      setup: async () => extensionTelemetryContender(),
    },
  ];
}

/**
 * Our tracker as an extension runs it (session over globalState, consent given), sending to a
 * transport that answers 200 at once; `wrap` puts a logger in front of the sender, or not.
 */
function oursContender(delivery, wrap) {
  if (delivery.missing !== undefined) {
    return { missing: delivery.missing };
  }
  const ours = delivery.exports;
  const transport = okTransport();
  const store = new ours.GlobalStateSessionStore(new CountingMemento());
  const session = new ours.ClientSession({ store });
  const tracker = new ours.SnowplowTracker({
    collectorUrl: 'http://127.0.0.1:9',
    appId: STAND_IN_EXTENSION.id,
    session,
    consent: { usage: true, errors: true },
    transport,
  });
  const front = wrap(new ours.SnowplowTelemetrySender(tracker));
  const track =
    typeof front.logUsage === 'function'
      ? () => front.logUsage(EVENT_NAME, EVENT_PROPERTIES)
      : () => front.sendEventData(EVENT_NAME, EVENT_PROPERTIES);
  return {
    track,
    close: async () => {
      await tracker.flush({ timeoutMs: 5000 });
      await tracker.dispose({ timeoutMs: 1000 });
      await session.dispose();
      if (transport.posts === 0) {
        throw new Error('our tracker never called its transport: it did not deliver');
      }
    },
  };
}

function trackerCoreContender(base64, entityJson) {
  const { trackerCore, buildSelfDescribingEvent } = require('@snowplow/tracker-core');
  const core = trackerCore({
    base64,
    callback: (payload) => {
      sink += payload.build().eid.length;
    },
  });
  core.setPlatform('app');
  core.setAppId('bench');
  core.setTrackerNamespace('bench');
  return {
    track() {
      core.track(buildSelfDescribingEvent({ event: SELF_DESCRIBING_EVENT }), [entityJson]);
    },
  };
}

async function extensionTelemetryContender() {
  const { api } = createVscodeStandIn();
  installVscodeModule(api);
  const { TelemetryReporter } = require('@vscode/extension-telemetry');
  let fetches = 0;
  const fetcher = async () => {
    fetches++;
    return new Response('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}', { status: 200 });
  };
  // A connection string that is not a 1DS key selects Application Insights, which is what a
  // third-party extension uses; the ingestion endpoint is loopback, and the fetcher means
  // nothing is sent at all.
  const connectionString =
    'InstrumentationKey=00000000-0000-4000-8000-000000000000;' +
    'IngestionEndpoint=http://127.0.0.1:9/';
  const reporter = new TelemetryReporter(connectionString, undefined, undefined, fetcher);
  // Its client is created asynchronously; events before that only queue.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const measurements = { count: 1 };
  return {
    track() {
      reporter.sendTelemetryEvent(EVENT_NAME, EVENT_PROPERTIES, measurements);
    },
    close: async () => {
      await reporter.dispose();
      if (fetches === 0) {
        throw new Error('extension-telemetry never called its fetcher: it did not deliver');
      }
    },
  };
}

/**
 * Tracks `count` events in chunks. Resolves ns per event spent inside the tracking calls
 * (`call`), and the same plus the microtasks those calls queued, settled after each chunk
 * (`withMicrotasks`; the settling costs one setImmediate per chunk, the same for everyone).
 */
async function timeEvents(track, count) {
  let inCalls = 0n;
  let inTotal = 0n;
  for (let done = 0; done < count; done += CHUNK) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CHUNK; i++) {
      track();
    }
    const afterCalls = process.hrtime.bigint();
    await nextMacrotask();
    const settled = process.hrtime.bigint();
    inCalls += afterCalls - start;
    inTotal += settled - start;
  }
  return { call: Number(inCalls) / count, withMicrotasks: Number(inTotal) / count };
}

/**
 * Runs the per-event comparison.
 * @param options.rounds rounds after one warm-up round
 * @param options.eventsPerRound events each contender tracks per round (a multiple of 500)
 * @returns rows `{ id, label, info, nsPerEvent, nsPerEventWithMicrotasks }` (each
 *   `{min, median, max, rounds}`) or
 *   `{ id, label, missing }`
 */
export async function runPerEvent(ours, delivery, { rounds, eventsPerRound, log }) {
  const entityJson = sessionEntityJson(ours);
  const live = [];
  const rows = [];
  for (const contender of contenders(ours, delivery, entityJson)) {
    const prepared = await contender.setup();
    if (prepared.missing !== undefined) {
      rows.push({ id: contender.id, label: contender.label, missing: prepared.missing });
      continue;
    }
    const row = { id: contender.id, label: contender.label, info: contender.info === true };
    rows.push(row);
    live.push({ row, calls: [], totals: [], ...prepared });
  }
  // The warm-up round lets the JIT settle and fills caches; it is not counted.
  for (const entry of live) {
    await timeEvents(entry.track, eventsPerRound);
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < live.length; k++) {
      const entry = live[(round + k) % live.length];
      const timing = await timeEvents(entry.track, eventsPerRound);
      entry.calls.push(timing.call);
      entry.totals.push(timing.withMicrotasks);
    }
    log(`  per event: round ${round + 1}/${rounds} done`);
  }
  for (const entry of live) {
    entry.row.nsPerEvent = summarize(entry.calls);
    entry.row.nsPerEventWithMicrotasks = summarize(entry.totals);
    try {
      await entry.close?.();
    } catch (error) {
      entry.row.problem = error.message;
    }
  }
  if (sink === 42) {
    log('(the sink says hello)');
  }
  return rows;
}
