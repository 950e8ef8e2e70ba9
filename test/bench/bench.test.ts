/**
 * The benchmark harness runs end to end: `node scripts/bench.mjs --smoke` (a few events of
 * each measurement) into a temporary folder. Nothing here looks at a time, a size or a
 * memory figure; only that every measurement produced a figure or said plainly why not,
 * that every target got a verdict, and that nothing tried to leave 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..', '..');

interface Row {
  id: string;
  missing?: string;
  nsPerEvent?: { median: number };
  peakGrowthBytes?: number;
  minifiedBytes?: number;
}

describe('npm run bench', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs every measurement in a smoke run and writes a verdict for every target', () => {
    const run = spawnSync(process.execPath, ['scripts/bench.mjs', '--smoke', '--out', outDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, BENCH_SCRATCH_DIR: path.join(outDir, 'tmp') },
      timeout: 300_000,
    });
    assert.equal(run.status, 0, `bench exited ${run.status ?? run.signal}:\n${run.stderr}`);
    const results = JSON.parse(readFileSync(path.join(outDir, 'latest.json'), 'utf8'));
    const markdown = readFileSync(path.join(outDir, 'latest.md'), 'utf8');

    assert.deepEqual(results.meta.refusedHosts, []);
    const perEvent: Row[] = results.perEvent;
    for (const id of ['floor', 'trackerCore', 'nodeTracker', 'extensionTelemetry']) {
      const row = perEvent.find((r) => r.id === id);
      assert.ok(row?.nsPerEvent !== undefined, `per-event row ${id}: ${JSON.stringify(row)}`);
    }
    for (const row of [...perEvent, ...results.memory, ...results.bundles] as Row[]) {
      const measured =
        row.nsPerEvent !== undefined ||
        row.peakGrowthBytes !== undefined ||
        row.minifiedBytes !== undefined;
      assert.ok(measured || (row.missing ?? '').length > 0, `row ${row.id} has neither`);
    }
    assert.ok(results.targets.length >= 11);
    for (const target of results.targets) {
      assert.ok(['PASS', 'MISS', 'NOT MEASURED'].includes(target.status), target.id);
      if (target.status === 'NOT MEASURED') {
        assert.ok(target.why, `${target.id} says why it was not measured`);
        assert.match(markdown, /not measured: /);
      }
    }
    assert.match(markdown, /^Command: `npm run bench -- --smoke --out .+`$/m);
  });
});
