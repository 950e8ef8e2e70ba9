// Real web-host check of delivery (run: node --test test/delivery/host/webHost.smoke.mjs).
// Bundles webFixtureExtension.ts for the browser, serves it with @vscode/test-web through the
// integration harness, and from the palette: tracks while the local collector fails (the
// events wait in a queue file under globalStorageUri), lets it recover, and checks that the
// events arrive by fetch from the extension host worker, schema-valid with the session entity,
// and that the queue file is gone. Needs the hosts installed by scripts/hosts/install.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Scenario } from '../../integration/support/scenario.mjs';

const require = createRequire(import.meta.url);
const { startCollector } = require('../../../scripts/collector/server.cjs');
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
    entryPoints: [join(here, 'webFixtureExtension.ts')],
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    external: ['vscode'],
    define: { global: 'globalThis' },
    outfile: join(dir, 'dist', 'web', 'extension.js'),
    logLevel: 'warning',
  });
}

async function runCommand(scenario, page, title) {
  for (const deadline = Date.now() + 30000; Date.now() < deadline;) {
    await scenario.openPalette(page, title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
    if ((await row.count()) > 0) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  assert.fail(`"${title}" never appeared in the palette`);
}

test(
  'web host: fetch from the worker, queue in globalStorageUri',
  { timeout: 180_000 },
  async (t) => {
    const collector = await startCollector();
    t.after(() => collector.close());
    const fixtureDir = join(here, '..', '..', '..', 'out', 'delivery-web-fixture-extension');
    await buildFixture(fixtureDir);
    const scenario = new Scenario(t, {
      host: 'web',
      withTests: false,
      extensionSource: fixtureDir,
    });
    await scenario.start();
    const page = await scenario.openWorkbench();
    await page.locator('.part.statusbar').waitFor({ timeout: 30000 });

    collector.fail(503);
    await runCommand(scenario, page, 'Snowplow Web Fixture: Track');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(collector.url);
    await page.keyboard.press('Enter');
    const first = page.locator('.notification-toast', { hasText: 'fixture: queued' }).first();
    await first.waitFor({ timeout: 30000 });
    assert.match(await first.innerText(), /queued=2 files=1/);
    assert.ok(collector.requests.length >= 1, 'the worker reached the collector');

    collector.recover();
    await collector.waitForEvents(2);
    assert.deepEqual(
      collector.received.map((event) => event.summary.name),
      ['telemetry_event "webFixtureEvent"', 'application_error'],
    );
    for (const event of collector.received) {
      assert.deepEqual(event.problems, []);
      assert.equal(
        event.summary.entities[0],
        'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
      );
    }
    const headers = collector.requests.at(-1).headers;
    assert.equal(headers.cookie, undefined, 'no cookie from the browser');
    assert.equal(headers.referer, undefined, 'no referrer');

    let files = '';
    for (const deadline = Date.now() + 15000; !files.endsWith(': 0') && Date.now() < deadline;) {
      await runCommand(scenario, page, 'Snowplow Web Fixture: Queue Files');
      const toast = page.locator('.notification-toast', { hasText: 'fixture files' }).last();
      await toast.waitFor({ timeout: 10000 });
      files = (await toast.innerText()).split('\n')[0].trim();
    }
    assert.match(files, /fixture files: 0$/, 'delivered events leave storage');
  },
);
