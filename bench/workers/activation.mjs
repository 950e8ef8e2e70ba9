// Activation time of the shipped Node bundle, in a fresh process. Each run loads
// dist/extension.js anew (its require cache entry dropped) with a fresh `vscode` stand-in and
// context, times the load and `activate(context)` (awaited if it returns a promise) apart,
// then calls `deactivate`, disposes the subscriptions and removes the run's storage folder
// (a fresh one in the OS temp folder each run). The first run (cold JIT, file read) is
// reported apart as `first`; the medians are over the runs after it.
//
// input: { bundle (absolute path of dist/extension.js), runs, settings (as `section.key`) }
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allowLoopbackOnly, refusedHosts } from '../lib/loopbackOnly.mjs';
import { workerMain } from '../lib/processes.mjs';
import {
  createExtensionContext,
  createVscodeStandIn,
  installVscodeModule,
} from '../lib/vscodeStandIn.mjs';

const require = createRequire(import.meta.url);

async function activateOnce(bundle, settings) {
  const { api, missing } = createVscodeStandIn({ settings });
  installVscodeModule(api);
  delete require.cache[require.resolve(bundle)];
  const loadStarted = performance.now();
  const extension = require(bundle);
  const loadMs = performance.now() - loadStarted;
  if (typeof extension.activate !== 'function') {
    throw new Error(`${bundle} exports no activate function`);
  }
  const storageDir = mkdtempSync(path.join(tmpdir(), 'bench-activation-'));
  const context = createExtensionContext(storageDir);
  const started = performance.now();
  const returned = extension.activate(context);
  if (returned !== null && typeof returned?.then === 'function') {
    await returned;
  }
  const activateMs = performance.now() - started;
  await extension.deactivate?.();
  for (const disposable of context.subscriptions) {
    await disposable?.dispose?.();
  }
  rmSync(storageDir, { recursive: true, force: true });
  return { loadMs, activateMs, missing };
}

async function measure({ bundle, runs, settings }) {
  allowLoopbackOnly();
  const first = await activateOnce(bundle, settings);
  const loadSamples = [];
  const activateSamples = [];
  const missing = new Set(first.missing);
  for (let i = 0; i < runs; i++) {
    const run = await activateOnce(bundle, settings);
    loadSamples.push(run.loadMs);
    activateSamples.push(run.activateMs);
    run.missing.forEach((name) => missing.add(name));
  }
  if (refusedHosts.length > 0) {
    throw new Error(`tried to reach ${refusedHosts.join(', ')}`);
  }
  return {
    first: { loadMs: first.loadMs, activateMs: first.activateMs },
    loadSamples,
    activateSamples,
    standInLacked: [...missing].sort(),
  };
}

await workerMain(measure);
