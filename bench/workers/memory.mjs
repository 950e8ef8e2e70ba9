// One memory measurement, in a fresh process (started with --expose-gc): set up, collect
// garbage, take the resident set size as the baseline; then track N events, sampling RSS as
// it goes. The figure is the peak RSS (the larger of the samples and the kernel's high-water
// mark, which also covers setup, so it can only overstate) minus the baseline. Peak RSS
// includes garbage V8 has not collected yet, so the memory still reachable after a full GC is
// taken too, at the start, half-way and at the end: with the collector down, reachable memory
// that still grows in the second half means the queue cap is not holding.
//
// Collector up: events are tracked at `eventsPerSecond` (a steady load a collector on loopback
// can take) with each tracker's default limits, and the run ends when it has sent what it
// kept (`received` says how many arrived). Collector down: as fast as possible, at a closed
// port on 127.0.0.1; nothing is delivered, the queue cap must hold.
//
// input: { contender: 'floor' | 'oursSessionOnly' | 'ours' | 'nodeTracker', events,
//          eventsPerSecond?, port?, collectorDown?, bundle? }
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextMacrotask, setTimeout as sleep } from 'node:timers/promises';
import { makeNodeTracker, makeOurs } from '../lib/deliveringTrackers.mjs';
import { EVENT_PROPERTIES } from '../lib/fixtures.mjs';
import { allowLoopbackOnly, refusedHosts } from '../lib/loopbackOnly.mjs';
import { workerMain } from '../lib/processes.mjs';

const require = createRequire(import.meta.url);

function oursSessionOnly({ bundle }) {
  const ours = require(bundle);
  const session = new ours.ClientSession({ store: new ours.InMemorySessionStore() });
  return {
    track() {
      session.update(randomUUID(), Date.now());
    },
    deliverAll: async () => ({}),
    close: () => session.dispose(),
  };
}

/** What V8 does with the floor's garbage alone: the baseline every tracker is above. */
function floor() {
  let kept = 0;
  return {
    track() {
      const data = { eventId: randomUUID(), timestamp: Date.now(), properties: EVENT_PROPERTIES };
      kept += JSON.stringify(data).length;
    },
    deliverAll: async () => ({ kept }),
    close: async () => {},
  };
}

function makeTracker(input) {
  if (input.contender === 'floor') {
    return floor();
  }
  if (input.contender === 'oursSessionOnly') {
    return oursSessionOnly(input);
  }
  if (input.contender === 'ours') {
    const collectorUrl = `http://127.0.0.1:${input.port}`;
    return makeOurs({ bundle: input.bundle, collectorUrl });
  }
  if (input.contender === 'nodeTracker') {
    return makeNodeTracker({ port: input.port });
  }
  throw new Error(`no such contender here: ${input.contender}`);
}

/** Memory still reachable after a full GC: JS heap plus the buffers outside it. */
function retained() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

async function measure(input) {
  allowLoopbackOnly();
  if (typeof globalThis.gc !== 'function') {
    throw new Error('the memory worker needs --expose-gc');
  }
  const tracker = makeTracker(input);
  const retainedAtBaseline = retained();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  let retainedAtHalf;
  const startedAt = performance.now();
  const half = Math.floor(input.events / 2);
  let tracked = 0;
  const trackUpTo = (target) => {
    for (; tracked < target; tracked++) {
      tracker.track();
      if (tracked === half) {
        retainedAtHalf = retained();
      }
    }
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  if (input.eventsPerSecond === undefined) {
    while (tracked < input.events) {
      trackUpTo(Math.min(input.events, tracked + 1000));
      await nextMacrotask();
    }
  } else {
    while (tracked < input.events) {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * input.eventsPerSecond);
      trackUpTo(Math.min(input.events, due));
      await sleep(5);
    }
  }
  const delivery = input.collectorDown
    ? (tracker.warnings?.() ?? {})
    : await tracker.deliverAll(input.events, true);
  const retainedAtEnd = retained();
  const queued = tracker.queued?.();
  peak = Math.max(peak, process.memoryUsage.rss());
  const highWater = process.resourceUsage().maxRSS * 1024;
  const wallMs = performance.now() - startedAt;
  await tracker.close();
  if (refusedHosts.length > 0) {
    throw new Error(`tried to reach ${refusedHosts.join(', ')}`);
  }
  return {
    baselineBytes: baseline,
    peakGrowthBytes: Math.max(peak, highWater) - baseline,
    sampledPeakGrowthBytes: peak - baseline,
    retainedGrowthBytes: retainedAtEnd - retainedAtBaseline,
    secondHalfRetainedGrowthBytes: retainedAtEnd - (retainedAtHalf ?? retainedAtEnd),
    queuedAtEnd: queued,
    wallMs,
    ...delivery,
  };
}

await workerMain(measure);
