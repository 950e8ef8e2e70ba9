// Turns the results into the targets' verdicts and the table that goes to the terminal and to
// bench/results/latest.md. A target whose figure is missing says "NOT MEASURED" and why; no
// figure is ever filled in.
import { kilobytes, mebibytes, round } from './stats.mjs';

const MiB = 1024 * 1024;

function row(rows, id) {
  return Array.isArray(rows) ? rows.find((r) => r.id === id) : undefined;
}

/** The rows of a suite, or one row saying why there are none (the suite crashed). */
function rowsOf(section, label) {
  if (Array.isArray(section)) {
    return section;
  }
  return [{ id: 'none', label, missing: section?.missing ?? 'did not run' }];
}

function notMeasured(id, text, why) {
  return { id, text, status: 'NOT MEASURED', why };
}

/** PASS/MISS of `measured <= limit` (or `>=` when `atLeast`), with how far off a miss is. */
function verdict(id, text, measured, limit, { atLeast = false, unit = '', digits = 3 } = {}) {
  const pass = atLeast ? measured >= limit : measured <= limit;
  const shown = `${round(measured, digits)}${unit}`;
  const result = { id, text, status: pass ? 'PASS' : 'MISS', measured, limit, shown };
  if (!pass) {
    const off = atLeast ? (limit - measured) / limit : (measured - limit) / limit;
    const bound = `${atLeast ? '>=' : '<='} ${round(limit, 3)}${unit}`;
    result.by = `${atLeast ? 'short' : 'over'} by ${round(off * 100, 2)}% (${shown} vs ${bound})`;
  }
  return result;
}

/** Evaluates every target of issue 5 against the results. */
export function evaluateTargets(results) {
  const targets = [];
  const perEvent = rowsOf(results.perEvent, 'per event');
  const floor = row(perEvent, 'floor');
  const sender = row(perEvent, 'oursSender');
  const senderWhy =
    sender?.missing ?? row(perEvent, 'none')?.missing ?? 'the per-event benchmark did not run';
  const perEventTarget = (id, text, compute) => {
    if (sender?.nsPerEvent === undefined) {
      targets.push(notMeasured(id, text, senderWhy));
    } else {
      targets.push(compute(sender.nsPerEvent.median));
    }
  };
  perEventTarget('perEventVsFloor', "caller's cost per event <= 2x the floor", (ours) =>
    verdict(
      'perEventVsFloor',
      "caller's cost per event <= 2x the floor",
      ours / floor.nsPerEvent.median,
      2,
      { unit: 'x' },
    ),
  );
  for (const [id, other, times] of [
    ['perEventVsTrackerCore', 'trackerCore', 7],
    ['perEventVsExtensionTelemetry', 'extensionTelemetry', 10],
  ]) {
    const name = row(perEvent, other)?.label ?? other;
    const text = `caller's cost per event >= ${times}x faster than ${name}`;
    const theirs = row(perEvent, other)?.nsPerEvent?.median;
    perEventTarget(id, text, (ours) =>
      theirs === undefined
        ? notMeasured(id, text, `${other} was not measured`)
        : verdict(id, text, theirs / ours, times, { atLeast: true, unit: 'x' }),
    );
  }

  const cpu = results.cpuPerDelivered;
  const cpuText = "total CPU per delivered event <= 1/3 of node-tracker's";
  const cpuOurs = row(cpu?.rows, 'ours');
  const cpuTheirs = row(cpu?.rows, 'nodeTracker');
  if (cpuOurs?.cpuUsPerEvent === undefined || cpuTheirs?.cpuUsPerEvent === undefined) {
    targets.push(
      notMeasured(
        'cpuPerDelivered',
        cpuText,
        cpuOurs?.missing ?? cpuTheirs?.missing ?? cpu?.missing,
      ),
    );
  } else {
    targets.push(
      verdict(
        'cpuPerDelivered',
        cpuText,
        cpuOurs.cpuUsPerEvent.median / cpuTheirs.cpuUsPerEvent.median,
        1 / 3,
        {
          unit: 'x of node-tracker',
        },
      ),
    );
  }

  const writes = results.storeWrites;
  const burstText = 'a burst of 10 000 events: <= 2 store writes (Memento.update)';
  const steadyText = 'steady 100 events/s: <= 10 store writes/s (Memento.update)';
  if (writes?.burst === undefined) {
    targets.push(notMeasured('burstWrites', burstText, writes?.missing));
    targets.push(notMeasured('steadyWrites', steadyText, writes?.missing));
  } else {
    targets.push(verdict('burstWrites', burstText, writes.burst.mementoUpdates, 2));
    targets.push(
      verdict('steadyWrites', steadyText, writes.steady.mementoUpdatesPerSecond, 10, {
        unit: '/s',
      }),
    );
  }

  const memory = rowsOf(results.memory, 'memory');
  const rssText = 'peak RSS growth over 350 000 events <= 10 MiB';
  const oursUp = row(memory, 'oursCollectorUp');
  if (oursUp?.peakGrowthBytes === undefined) {
    targets.push(notMeasured('rss350k', rssText, oursUp?.missing ?? memory[0]?.missing));
  } else {
    targets.push(verdict('rss350k', rssText, oursUp.peakGrowthBytes / MiB, 10, { unit: ' MiB' }));
  }
  const capText =
    'collector down, 1 000 000 events: the queue cap bounds memory ' +
    '(memory reachable after GC grows <= 1 MiB over the second half of the run)';
  const oursDown = row(memory, 'oursCollectorDown');
  if (oursDown?.secondHalfRetainedGrowthBytes === undefined) {
    targets.push(notMeasured('queueCap', capText, oursDown?.missing ?? memory[0]?.missing));
  } else {
    targets.push(
      verdict('queueCap', capText, oursDown.secondHalfRetainedGrowthBytes / MiB, 1, {
        unit: ' MiB',
      }),
    );
  }

  // Until the extension wires our delivery in, its bundle and activation leave it out.
  const withoutDelivery =
    row(results.bundles, 'oursNode')?.hasDelivery === false
      ? 'the extension does not include our delivery yet: to be measured again when it does'
      : undefined;
  for (const id of ['oursNode', 'oursWeb']) {
    const bundle = row(results.bundles, id);
    const text = `${bundle?.label ?? id} <= 70 KB minified`;
    if (bundle?.minifiedBytes === undefined) {
      targets.push(notMeasured(`bundle_${id}`, text, bundle?.missing));
    } else {
      targets.push({
        ...verdict(`bundle_${id}`, text, bundle.minifiedBytes / 1000, 70, { unit: ' KB' }),
        note: bundle.hasDelivery ? undefined : withoutDelivery,
      });
    }
  }

  const activation = results.activation;
  if (activation?.rows === undefined) {
    targets.push(notMeasured('activation', '`activate` <= 5 ms median', activation?.missing));
  } else {
    for (const a of activation.rows) {
      const text = `\`activate\` <= 5 ms median, ${a.label}`;
      targets.push({
        ...verdict(`activation_${a.id}`, text, a.activateMs.median, 5, { unit: ' ms' }),
        note: withoutDelivery,
      });
    }
  }
  return targets;
}

function table(header, lines) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ].join('\n');
}

const us = (ns) => (ns / 1000).toFixed(2);

/** The whole report as markdown (also what the terminal shows). */
export function renderMarkdown(results) {
  const m = results.meta;
  const out = [];
  out.push('# Benchmark results', '');
  out.push(`Command: \`${m.command}\``, '');
  out.push(
    `${m.date} · Node ${m.node} · ${m.cpu} (${m.cores} cores) · ${m.os} · ` +
      `${m.smoke ? 'smoke run (figures meaningless)' : m.quick ? 'quick run' : 'full run'} · ` +
      `total ${round(m.totalSeconds, 3)} s`,
    '',
  );
  out.push(
    `Versions: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
  );

  out.push('## Targets', '');
  out.push(
    table(
      ['target', 'result', 'measured', 'note'],
      results.targets.map((t) => [
        t.text,
        `**${t.status}**`,
        t.status === 'NOT MEASURED' ? '—' : t.shown,
        [
          t.status === 'MISS' ? t.by : '',
          t.status === 'NOT MEASURED' ? `not measured: ${t.why}` : '',
          t.note ?? '',
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    ),
    '',
  );

  const pe = rowsOf(results.perEvent, 'per event');
  const floor = row(pe, 'floor')?.nsPerEvent?.median;
  const floorWithMicrotasks = row(pe, 'floor')?.nsPerEventWithMicrotasks?.median;
  out.push(
    "## Per tracked event, on the caller's thread",
    '',
    `${m.perEvent.rounds} rounds (after one warm-up round) of ` +
      `${m.perEvent.eventsPerRound} events ` +
      'per contender, interleaved, order rotated each round; one process. µs per event: inside ' +
      'the tracking calls (min, median, max), and with the microtasks they queued settled ' +
      '(median). Targets use the first.',
    '',
  );
  out.push(
    table(
      [
        'contender',
        'min',
        'median',
        'max',
        'x floor',
        'with microtasks: median',
        'x floor',
        'note',
      ],
      pe.map((r) =>
        r.nsPerEvent === undefined
          ? [r.label, '—', '—', '—', '—', '—', '—', `not measured: ${r.missing}`]
          : [
              r.label,
              us(r.nsPerEvent.min),
              `**${us(r.nsPerEvent.median)}**`,
              us(r.nsPerEvent.max),
              `${round(r.nsPerEvent.median / floor, 3)}x`,
              us(r.nsPerEventWithMicrotasks.median),
              `${round(r.nsPerEventWithMicrotasks.median / floorWithMicrotasks, 3)}x`,
              [r.info ? 'for information' : '', r.problem ?? ''].filter(Boolean).join('; '),
            ],
      ),
    ),
    '',
  );

  const withMicrotasks = (id) => row(pe, id)?.nsPerEventWithMicrotasks?.median;
  const oursAll = withMicrotasks('oursSender');
  if (oursAll !== undefined) {
    const times = (id) => round(withMicrotasks(id) / oursAll, 3);
    out.push(
      'Counting the microtasks too (our tracker encodes and queues there, right after the ' +
        `call), ours is ${round(oursAll / floorWithMicrotasks, 3)}x the floor, ` +
        `${times('trackerCore')}x faster than tracker-core and ` +
        `${times('extensionTelemetry')}x faster than extension-telemetry.`,
      '',
    );
  }

  const cpu = results.cpuPerDelivered;
  out.push('## Total CPU per delivered event', '');
  if (cpu?.rows) {
    out.push(cpu.method, '');
    out.push(
      table(
        ['contender', 'min', 'median', 'max', 'note'],
        cpu.rows.map((r) =>
          r.cpuUsPerEvent === undefined
            ? [r.label, '—', '—', '—', `not measured: ${r.missing}`]
            : [
                r.label,
                r.cpuUsPerEvent.min.toFixed(2),
                `**${r.cpuUsPerEvent.median.toFixed(2)}**`,
                r.cpuUsPerEvent.max.toFixed(2),
                r.note ?? '',
              ],
        ),
      ),
      '',
    );
    out.push('µs of CPU (user + system) per event.', '');
  } else {
    out.push(`not measured: ${cpu?.missing}`, '');
  }

  const w = results.storeWrites;
  out.push('## Store writes', '');
  if (w?.burst) {
    out.push(`Path: ${w.via}.`, '');
    const queue = (n) => (n === undefined ? '—' : String(n));
    out.push(
      table(
        ['load', 'Memento.update', 'queue storage writes'],
        [
          [
            `burst of ${w.burst.events} events in one tick`,
            `**${w.burst.mementoUpdates}**`,
            queue(w.burst.queueWrites),
          ],
          [
            `${w.steady.eventsPerSecond} events/s for ${w.steady.seconds} s ` +
              `(${w.steady.events} events)`,
            `**${w.steady.mementoUpdates}** (${round(w.steady.mementoUpdatesPerSecond, 3)}/s)`,
            queue(w.steady.queueWrites),
          ],
        ],
      ),
      '',
    );
  } else {
    out.push(`not measured: ${w?.missing}`, '');
  }

  out.push('## Memory', '');
  out.push(
    'One fresh process per measurement; peak RSS minus the RSS after setup and a GC, and the ' +
      'memory still reachable (heap used + external) after a full GC at the end, minus the same ' +
      'at the start.',
    '',
  );
  out.push(
    table(
      ['run', 'events', 'peak RSS growth', 'reachable after GC: growth', 'note'],
      rowsOf(results.memory, 'memory').map((r) =>
        r.peakGrowthBytes === undefined
          ? [r.label, String(r.events), '—', '—', `not measured: ${r.missing}`]
          : [
              r.label,
              String(r.events),
              `**${mebibytes(r.peakGrowthBytes)}**`,
              mebibytes(r.retainedGrowthBytes),
              r.note ?? '',
            ],
      ),
    ),
    '',
  );

  out.push('## Bundle sizes', '');
  out.push(
    table(
      ['bundle', 'minified', 'gzip', 'note'],
      rowsOf(results.bundles, 'bundles').map((r) =>
        r.minifiedBytes === undefined
          ? [r.label, '—', '—', `not measured: ${r.missing}`]
          : [
              r.label,
              `**${kilobytes(r.minifiedBytes)}**`,
              kilobytes(r.gzipBytes),
              r.ours
                ? `production build${r.hasDelivery ? '' : '; our delivery is not in it yet'}`
                : 'esbuild, minified',
            ],
      ),
    ),
    '',
  );

  const built = row(results.bundles, 'oursNode')?.builtFrom;
  if (built !== undefined) {
    out.push(`Ours were built from ${built}.`, '');
  }

  const activation = results.activation;
  out.push('## Activation', '');
  if (activation?.rows) {
    const runs = activation.rows[0].activateMs.rounds;
    out.push(
      'dist/extension.js (production build) with a stand-in `vscode` and context; each run ' +
        `loads the module anew; ${runs} runs after a first one, in ms.`,
      '',
    );
    const ms = (summary) => [
      summary.min.toFixed(2),
      `**${summary.median.toFixed(2)}**`,
      summary.max.toFixed(2),
    ];
    out.push(
      table(
        ['configuration', 'what', 'first run', 'min', 'median', 'max'],
        activation.rows.flatMap((a) => [
          [a.label, '`activate(context)`', a.first.activateMs.toFixed(2), ...ms(a.activateMs)],
          [a.label, 'loading the module', a.first.loadMs.toFixed(2), ...ms(a.loadMs)],
        ]),
      ),
      '',
    );
    const lacked = [...new Set(activation.rows.flatMap((a) => a.standInLacked))];
    if (lacked.length > 0) {
      out.push(`The stand-in answered these with no-ops: ${lacked.join(', ')}.`, '');
    }
  } else {
    out.push(`not measured: ${activation?.missing}`, '');
  }
  if (m.refusedHosts.length > 0) {
    out.push(`**Refused connections to non-loopback hosts: ${m.refusedHosts.join(', ')}**`, '');
  }
  return out.join('\n');
}
