// Delivery in the real web extension host (test-web, the extension host in a worker of the
// page): what this host adds to delivery, that events leave by `fetch` from the worker to the
// collector's origin and wait in files under globalStorageUri through `workspace.fs`.
//
// Not with this extension: the VS Code build that @vscode/test-web serves disables telemetry
// in its product, so the TelemetryLogger allows nothing there and the extension sends nothing
// (its Track Event says "Not sent"; the palette scenario checks that). A small fixture
// extension (fixtures/webFixtureExtension.ts, bundled here for the browser) drives the
// host-independent SnowplowTracker with consent given by the test instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Scenario, CLIENT_SESSION_SCHEMA } from './support/scenario.mjs';
import { notification, stepRunner, waitFor } from './support/ui.mjs';

const require = createRequire(import.meta.url);
const { startCollector } = require('../../scripts/collector/server.cjs');
const here = fileURLToPath(new URL('.', import.meta.url));

async function buildFixture(dir) {
  mkdirSync(join(dir, 'dist', 'web'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'snowplow-web-fixture',
      publisher: 'fixture',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      browser: './dist/web/extension.js',
      activationEvents: ['onStartupFinished'],
      contributes: {
        commands: [
          { command: 'fixture.track', title: 'Track', category: 'Snowplow Web Fixture' },
          { command: 'fixture.files', title: 'Queue Files', category: 'Snowplow Web Fixture' },
        ],
      },
    }),
  );
  await esbuild.build({
    entryPoints: [join(here, 'fixtures', 'webFixtureExtension.ts')],
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    external: ['vscode'],
    define: { global: 'globalThis' },
    outfile: join(dir, 'dist', 'web', 'extension.js'),
    logLevel: 'warning',
  });
}

test('web host: events leave by fetch and wait in workspace.fs files', async (t) => {
  const collector = await startCollector();
  t.after(() => collector.close());
  const fixtureDir = join(here, '..', '..', 'out', 'delivery-web-fixture-extension');
  await buildFixture(fixtureDir);
  const scenario = new Scenario(t, { host: 'web', withTests: false, extensionSource: fixtureDir });
  await scenario.start();
  const page = await scenario.openWorkbench();
  await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
  const step = stepRunner(t, scenario, page);

  await step('while the collector fails, the events wait in a queue file', async () => {
    collector.fail(503);
    await scenario.runFromPalette(page, 'Snowplow Web Fixture: Track');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(collector.url);
    await page.keyboard.press('Enter');
    const [shown] = await notification(page, /fixture: queued=\d+ files=\d+/);
    assert.equal(shown, 'fixture: queued=2 files=1');
    await waitFor(
      () => collector.requests.some((request) => request.status === 503),
      'the worker never reached the collector',
    );
  });

  await step(
    'the collector back, they arrive from the worker, valid, and leave storage',
    async () => {
      collector.recover();
      await waitFor(() => collector.received.length >= 2, 'the queued events were not delivered');
      assert.deepEqual(
        collector.received.map((event) => event.summary.name),
        ['telemetry_event "webFixtureEvent"', 'application_error'],
      );
      for (const event of collector.received) {
        assert.deepEqual(event.problems, []);
        assert.equal(event.summary.entities[0], CLIENT_SESSION_SCHEMA);
      }
      const headers = collector.requests.at(-1).headers;
      assert.equal(headers.cookie, undefined, 'no cookie from the browser');
      assert.equal(headers.referer, undefined, 'no referrer');
      for (const request of collector.requests) {
        assert.deepEqual(request.problems, [], `invalid payload: ${request.body}`);
      }
      let files;
      await waitFor(async () => {
        await scenario.runFromPalette(page, 'Snowplow Web Fixture: Queue Files');
        [files] = await notification(page, /fixture files: \d+/);
        return files === 'fixture files: 0';
      }, `delivered events stayed in storage (last: ${files})`);
    },
  );

  await scenario.checkNothingLeftLoopback();
});
