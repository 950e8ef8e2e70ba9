// One measurement of total CPU per delivered event, in a fresh process: set up a tracker
// aimed at the counting collector (not counted), then track N events, 100 per turn of the
// event loop, and flush until the collector has all N. The CPU this process used from the
// first track to that moment (process.cpuUsage: user + system, all its threads) divided by N
// is the figure. The collector is another process, so its CPU is not in it.
//
// input: { contender: 'ours' | 'nodeTracker', port, events, bundle? }
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { makeNodeTracker, makeOurs } from '../lib/deliveringTrackers.mjs';
import { allowLoopbackOnly, refusedHosts } from '../lib/loopbackOnly.mjs';
import { waitForCollector, workerMain } from '../lib/processes.mjs';

const CHUNK = 100;

async function measure({ contender, port, events, bundle }) {
  allowLoopbackOnly();
  const tracker =
    contender === 'ours'
      ? makeOurs({ bundle, collectorUrl: `http://127.0.0.1:${port}`, queueCapEvents: events })
      : makeNodeTracker({ port, storeSize: events });
  const before = process.cpuUsage();
  const startedAt = performance.now();
  for (let done = 0; done < events; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      tracker.track();
    }
    await nextMacrotask();
  }
  const delivery = await tracker.deliverAll(events);
  const reached = await waitForCollector(events);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - startedAt;
  await tracker.close();
  if (refusedHosts.length > 0) {
    throw new Error(`tried to reach ${refusedHosts.join(', ')}`);
  }
  return {
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
    userUs: cpu.user,
    systemUs: cpu.system,
    wallMs,
    received: reached.received,
    requests: reached.requests,
    firstBody: reached.firstBody,
    ...delivery,
  };
}

await workerMain(measure);
