// `npm run bench`: measures this project beside the libraries an extension author would pick
// instead (issue 5), prints the table, and writes bench/results/latest.md and latest.json.
//
//   node scripts/bench.mjs            the full run (about 5 minutes on 2 cores)
//   node scripts/bench.mjs --quick    fewer rounds and events (about a minute)
//   node scripts/bench.mjs --smoke    a few events of each, only to see that it all runs
//   node scripts/bench.mjs --render   rewrite latest.md (and the verdicts) from latest.json
//   --only perEvent,cpu,storeWrites,memory,bundles,activation   run only those
//   --out DIR                         write latest.md and latest.json to DIR instead
//
// Scratch files (bundles, the production build) go to bench/results/tmp, or to
// $BENCH_SCRATCH_DIR when set (the smoke test sets it, to keep out of a real run's way).
//
// Benchmarks are not tests: nothing here fails a build. The exit code is 0 when every
// measurement ran (targets may be missed or not measurable yet), 1 when one crashed.
// Nothing leaves 127.0.0.1: every process of the run refuses other hosts and reports them.
// How each figure is taken is written beside it in bench/suites and bench/workers.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, platform } from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { allowLoopbackOnly, refusedHosts } from '../bench/lib/loopbackOnly.mjs';
import { loadOurs, repoRoot } from '../bench/lib/ours.mjs';
import { loadOursDelivery } from '../bench/lib/oursDelivery.mjs';
import { startSinkCollector } from '../bench/lib/processes.mjs';
import { evaluateTargets, renderMarkdown } from '../bench/lib/report.mjs';
import { buildOursProduction, runBundles } from '../bench/suites/bundles.mjs';
import { runActivation, runCpuPerDelivered, runMemory } from '../bench/suites/delivered.mjs';
import { runPerEvent } from '../bench/suites/perEvent.mjs';
import { runStoreWrites } from '../bench/suites/storeWrites.mjs';

const cliArgs = process.argv.slice(2).join(' ');
const quick = process.argv.includes('--quick');
const smoke = process.argv.includes('--smoke');
const outIndex = process.argv.indexOf('--out');
const outDir =
  outIndex === -1
    ? path.join(repoRoot, 'bench', 'results')
    : path.resolve(process.argv[outIndex + 1]);
const settings = smoke
  ? {
      perEvent: { rounds: 1, eventsPerRound: 500 },
      cpu: { rounds: 1, events: 500 },
      steadySeconds: 1,
      memory: { events: 2_000, eventsDown: 2_000, eventsPerSecond: 5_000 },
      activationRuns: 3,
    }
  : quick
    ? {
        perEvent: { rounds: 3, eventsPerRound: 5_000 },
        cpu: { rounds: 1, events: 10_000 },
        steadySeconds: 3,
        memory: { events: 50_000, eventsDown: 100_000, eventsPerSecond: 5_000 },
        activationRuns: 20,
      }
    : {
        perEvent: { rounds: 9, eventsPerRound: 20_000 },
        cpu: { rounds: 3, events: 10_000 },
        steadySeconds: 10,
        memory: { events: 350_000, eventsDown: 1_000_000, eventsPerSecond: 5_000 },
        activationRuns: 200,
      };

const log = (line) => console.error(line);

/** Writes latest.md and latest.json (formatted as the repository's prettier check wants). */
async function writeResults(results) {
  const markdown = renderMarkdown(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'latest.md'), `${markdown}\n`);
  const json = await prettier.format(JSON.stringify(results), { parser: 'json' });
  writeFileSync(path.join(outDir, 'latest.json'), json);
  console.log(markdown);
  log(`written: ${path.relative(process.cwd(), outDir) || '.'}/latest.{md,json}`);
}

if (process.argv.includes('--render')) {
  const results = JSON.parse(readFileSync(path.join(outDir, 'latest.json'), 'utf8'));
  results.targets = evaluateTargets(results);
  await writeResults(results);
  process.exit(0);
}

const startedAt = performance.now();
allowLoopbackOnly();

function versionOf(name) {
  const file = path.join(repoRoot, 'node_modules', name, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : new Set(process.argv[onlyIndex + 1].split(','));

/**
 * Runs one benchmark (`id` as `--only` names it); a crash is recorded as its result and fails
 * the run, not the rest.
 */
let crashed = false;
async function attempt(id, what, run) {
  if (only !== undefined && !only.has(id)) {
    return { missing: `skipped: this run was limited with --only ${[...only].join(',')}` };
  }
  try {
    return await run();
  } catch (error) {
    crashed = true;
    log(`${what} crashed: ${error.stack ?? error}`);
    return { missing: `the benchmark crashed: ${String(error.message).split('\n')[0]}` };
  }
}

const ours = await loadOurs(
  'core',
  "export { ClientSession } from './src/core/clientSession';\n" +
    "export { InMemorySessionStore } from './src/core/sessionStore';\n",
  ['src/core/clientSession.ts'],
);
if (ours.missing !== undefined) {
  throw new Error(`the session core is needed for every benchmark: ${ours.missing}`);
}
const delivery = await loadOursDelivery();
if (delivery.missing !== undefined) {
  log(`our delivery is not measured: ${delivery.missing}`);
}

const results = { meta: {} };
log('per-event comparison...');
results.perEvent = await attempt('perEvent', 'per event', () =>
  runPerEvent(ours.exports, delivery, { ...settings.perEvent, log }),
);

const collector = await startSinkCollector();
try {
  log('CPU per delivered event...');
  results.cpuPerDelivered = await attempt('cpu', 'CPU per delivered event', () =>
    runCpuPerDelivered(collector, delivery, { ...settings.cpu, log }),
  );
  log('store writes...');
  results.storeWrites = await attempt('storeWrites', 'store writes', () =>
    runStoreWrites(ours.exports, delivery, { steadySeconds: settings.steadySeconds, log }),
  );
  log('memory...');
  results.memory = await attempt('memory', 'memory', () =>
    runMemory(collector, ours, delivery, { ...settings.memory, log }),
  );
} finally {
  await collector.stop();
}

log('bundles and activation...');
const needsBuild = only === undefined || only.has('bundles') || only.has('activation');
const build = needsBuild ? buildOursProduction() : { missing: 'skipped (--only)' };
results.bundles = await attempt('bundles', 'bundles', () => runBundles(build));
results.activation = await attempt('activation', 'activation', () =>
  runActivation(build, { runs: settings.activationRuns, log }),
);

results.meta = {
  date: new Date().toISOString(),
  command: process.argv.length > 2 ? `npm run bench -- ${cliArgs}` : 'npm run bench',
  quick: quick || smoke,
  smoke,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  os: `${platform()} ${release()}`,
  versions: {
    'vscode-client-session': JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))
      .version,
    '@snowplow/tracker-core': versionOf('@snowplow/tracker-core'),
    '@snowplow/node-tracker': versionOf('@snowplow/node-tracker'),
    '@vscode/extension-telemetry': versionOf('@vscode/extension-telemetry'),
    esbuild: versionOf('esbuild'),
  },
  perEvent: settings.perEvent,
  settings,
  refusedHosts,
  totalSeconds: (performance.now() - startedAt) / 1000,
};
results.targets = evaluateTargets(results);

await writeResults(results);
process.exitCode = crashed || refusedHosts.length > 0 ? 1 : 0;
