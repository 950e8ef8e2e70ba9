// The benchmarks that need a collector or a process of their own: total CPU per delivered
// event, and memory. Each measurement is a fresh worker process; the counting collector is a
// third process, so neither its CPU nor its memory is ever the tracker's.
import { runWorker } from '../lib/processes.mjs';
import { summarize } from '../lib/stats.mjs';
import { createServer } from 'node:net';

const CPU_METHOD =
  'Each round forks a fresh process per contender (ours, node-tracker; interleaved), sets up ' +
  'its tracker aimed at the counting collector on 127.0.0.1 (not counted), then tracks the ' +
  'events 100 per event-loop turn and flushes until the collector has every one ' +
  '(node-tracker sends one request per flush, so it is flushed repeatedly; ours once). ' +
  'The figure is process.cpuUsage() (user + system) of the tracker process from the first ' +
  'track to that moment, divided by the events; it includes the JIT warming up, as a real ' +
  'extension host pays it. The collector runs in its own process and is not counted.';

/**
 * @returns `{ method, events, rows: [{ id, label, cpuUsPerEvent: summary, runs }] }`
 */
export async function runCpuPerDelivered(collector, delivery, { rounds, events, log }) {
  const contenders = [
    {
      id: 'ours',
      label: 'ours: SnowplowTelemetrySender (defaults; queue caps raised to hold the run)',
      missing: delivery.missing,
    },
    {
      id: 'nodeTracker',
      label: '@snowplow/node-tracker (defaults; event store raised to hold the run)',
    },
  ];
  const live = contenders.filter((c) => c.missing === undefined);
  const runs = new Map(live.map((c) => [c.id, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < live.length; k++) {
      const contender = live[(round + k) % live.length];
      await collector.reset();
      const result = await runWorker(
        'cpuPerDelivered.mjs',
        { contender: contender.id, port: collector.port, events, bundle: delivery.file },
        { collector },
      );
      if (result.received !== events) {
        throw new Error(
          `${contender.id}: the collector got ${result.received} of ${events} events`,
        );
      }
      runs.get(contender.id).push(result);
    }
    log(`  CPU per delivered event: round ${round + 1}/${rounds} done`);
  }
  return {
    method: CPU_METHOD,
    events,
    rows: contenders.map((c) =>
      c.missing !== undefined
        ? { id: c.id, label: c.label, missing: c.missing }
        : {
            id: c.id,
            label: c.label,
            cpuUsPerEvent: summarize(runs.get(c.id).map((r) => r.cpuUsPerEvent)),
            runs: runs.get(c.id),
            note:
              `${median(runs.get(c.id).map((r) => r.requests))} POSTs, ` +
              `${median(runs.get(c.id).map((r) => r.flushes))} flush calls (medians); ` +
              validity(runs.get(c.id)),
          },
    ),
  };
}

/** What the collector's validator said of the first body of each run. */
function validity(runs) {
  const checks = runs.map((r) => r.firstBody);
  if (checks.some((check) => check === undefined || !check.checked)) {
    return 'payloads not validated (scripts/collector/validate.cjs missing)';
  }
  const problems = checks.flatMap((check) => check.problems);
  return problems.length === 0
    ? 'first POST of each run valid against the Iglu schemas'
    : `INVALID payloads: ${problems.slice(0, 3).join('; ')}`;
}

function median(values) {
  return summarize(values).median;
}

/** A port on 127.0.0.1 that nothing listens on: connections to it are refused at once. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * @returns rows `{ id, label, events, peakGrowthBytes, ... }` or `{ id, label, events, missing }`
 */
export async function runMemory(collector, ours, delivery, options) {
  const { events, eventsDown, eventsPerSecond, log } = options;
  const rows = [];
  const measure = async (id, label, input) => {
    if (input.missing !== undefined) {
      rows.push({ id, label, events: input.events, missing: input.missing });
      return;
    }
    await collector.reset();
    const result = await runWorker('memory.mjs', input, {
      collector,
      execArgv: ['--expose-gc'],
      timeoutMs: 900_000,
    });
    rows.push({ id, label, events: input.events, ...result, note: memoryNote(input, result) });
    log(`  memory: ${label}: done`);
  };
  const up = { port: collector.port, events, eventsPerSecond };
  await measure('oursCollectorUp', `ours: TelemetrySender, collector up, ${eventsPerSecond}/s`, {
    contender: 'ours',
    bundle: delivery.file,
    missing: delivery.missing,
    ...up,
  });
  await measure('nodeTracker', `@snowplow/node-tracker, collector up, ${eventsPerSecond}/s`, {
    contender: 'nodeTracker',
    ...up,
  });
  await measure('oursCollectorDown', 'ours: TelemetrySender, collector down, full speed', {
    contender: 'ours',
    bundle: delivery.file,
    missing: delivery.missing,
    port: await closedPort(),
    events: eventsDown,
    collectorDown: true,
  });
  await measure('floor', `floor (UUID, time, JSON.stringify; no tracker), ${eventsPerSecond}/s`, {
    contender: 'floor',
    events,
    eventsPerSecond,
  });
  await measure('oursSessionOnly', 'ours: ClientSession.update alone, full speed', {
    contender: 'oursSessionOnly',
    bundle: ours.file,
    events,
  });
  return rows;
}

function memoryNote(input, result) {
  const parts = [];
  if (input.collectorDown) {
    const secondHalf = (result.secondHalfRetainedGrowthBytes / 1024 / 1024).toFixed(2);
    parts.push(`reachable memory grew ${secondHalf} MiB over the second half`);
    if (result.queuedAtEnd !== undefined) {
      parts.push(`${result.queuedAtEnd} events queued at the end`);
    }
  }
  if (result.received !== undefined) {
    parts.push(`${result.received} of ${input.events} delivered`);
  }
  if (result.warnings > 0) {
    parts.push(`${result.warnings} warnings from the tracker, the first: "${result.firstWarning}"`);
  }
  if (result.mementoUpdates !== undefined) {
    parts.push(`${result.mementoUpdates} Memento.update`);
  }
  parts.push(`${(result.wallMs / 1000).toFixed(1)} s`);
  return parts.join('; ');
}

/**
 * Activation in two configurations: as installed, and with a collector URL set (the tracker
 * and its queue start then).
 * @returns `{ rows: [{ id, label, first, loadMs, activateMs, standInLacked }] }` (ms summaries)
 *   or `{ missing }`
 */
export async function runActivation(build, { runs, log }) {
  if (build.missing !== undefined) {
    return { missing: build.missing };
  }
  const configurations = [
    {
      id: 'default',
      label: 'settings as installed (no collector URL: nothing is sent)',
      settings: {},
    },
    {
      id: 'collector',
      label: 'clientSession.collectorUrl set (a loopback URL nothing listens on)',
      settings: { 'clientSession.collectorUrl': 'http://127.0.0.1:9' },
    },
  ];
  const rows = [];
  for (const { id, label, settings } of configurations) {
    const result = await runWorker('activation.mjs', {
      bundle: `${build.root}/dist/extension.js`,
      runs,
      settings,
    });
    log(`  activation (${id}): ${runs} runs done`);
    rows.push({
      id,
      label,
      first: result.first,
      loadMs: summarize(result.loadSamples),
      activateMs: summarize(result.activateSamples),
      standInLacked: result.standInLacked,
    });
  }
  return { rows };
}
