// Real-host check of the delivery binding (run: node --test test/delivery/host/nodeHost.smoke.mjs).
// Bundles fixtureExtension.ts as an extension, starts code-server with telemetry at "all" (its
// own telemetry pointed at a dead loopback port) through the integration harness, runs the
// fixture's command from the palette while the local collector fails, checks that the events
// wait in files under globalStorageUri, reloads the window, lets the collector recover, and
// checks that the new extension host delivers them, with the same ids, schema-valid, with the
// session entity, and that they leave storage; then turns telemetry off while events wait and
// checks that they are deleted and nothing more is tracked or sent. Needs the hosts installed
// by scripts/hosts/install.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Scenario } from '../../integration/support/scenario.mjs';
import { startCodeServer } from '../../../scripts/hosts/code-server.mjs';

const require = createRequire(import.meta.url);
const { startCollector } = require('../../../scripts/collector/server.cjs');
const here = fileURLToPath(new URL('.', import.meta.url));
const EXTENSION_ID = 'fixture.snowplow-fixture';

/** The harness's scenario with code-server's telemetry on (the harness turns it off). */
class TelemetryScenario extends Scenario {
  async startServer() {
    this.server = await startCodeServer({
      stateDir: join(this.dir, 'code-server'),
      port: this.server?.port,
      settings: this.settings,
      guardLog: this.guardLog,
      logLevel: 'debug',
      telemetry: true,
      env: { CS_TELEMETRY_URL: 'http://127.0.0.1:9/telemetry' },
    });
    this.workspace = join(this.dir, 'workspace');
    mkdirSync(this.workspace, { recursive: true });
  }
}

/** Runs a command from the palette, waiting for the extension to have registered it. */
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

/** Polls `ready` every 100 ms for up to `ms` (real hosts have no fake clock). */
async function waitUntil(ready, ms = 10000) {
  for (const deadline = Date.now() + ms; !ready() && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function buildFixture(dir) {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'snowplow-fixture',
      publisher: 'fixture',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './dist/extension.js',
      activationEvents: ['onStartupFinished'],
      contributes: {
        commands: [
          { command: 'fixture.track', title: 'Track', category: 'Snowplow Fixture' },
          {
            command: 'fixture.telemetryOff',
            title: 'Telemetry Off',
            category: 'Snowplow Fixture',
          },
        ],
        configuration: {
          properties: { 'fixture.collectorUrl': { type: 'string', default: '' } },
        },
      },
    }),
  );
  await esbuild.build({
    entryPoints: [join(here, 'fixtureExtension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    outfile: join(dir, 'dist', 'extension.js'),
    logLevel: 'warning',
  });
}

test(
  'node host: palette → TelemetryLogger → durable queue → collector',
  { timeout: 180_000 },
  async (t) => {
    const collector = await startCollector();
    t.after(() => collector.close());
    const fixtureDir = join(here, '..', '..', '..', 'out', 'delivery-fixture-extension');
    await buildFixture(fixtureDir);
    const scenario = new TelemetryScenario(t, {
      host: 'node',
      withTests: false,
      extensionSource: fixtureDir,
      settings: { 'telemetry.telemetryLevel': 'all', 'fixture.collectorUrl': collector.url },
    });
    await scenario.start();
    const queueDir = join(
      scenario.server.userDataDir,
      'User',
      'globalStorage',
      EXTENSION_ID,
      'snowplow-queue',
    );
    collector.fail(503);
    const page = await scenario.openWorkbench();
    await page.locator('.part.statusbar').waitFor({ timeout: 30000 });

    await runCommand(scenario, page, 'Snowplow Fixture: Track');
    const toast = page.locator('.notification-toast', { hasText: 'fixture:' }).first();
    await toast.waitFor({ timeout: 30000 });
    assert.match(await toast.innerText(), /usage=true errors=true eventIndex=1/);

    await collector.waitForRequests(1);
    const queued = () =>
      existsSync(queueDir)
        ? readdirSync(queueDir).filter((name) => name.startsWith('events-'))
        : [];
    // The file is written beside the request, not before it: give the write a moment.
    await waitUntil(() => queued().length > 0);
    assert.equal(queued().length, 1, `a queue file in ${queueDir} while the collector fails`);
    const queuedIds = JSON.parse(collector.requests[0].body).data.map((event) => event.eid);

    // A window reload: the old extension host is deactivated (the fixture returns dispose),
    // and the new one takes over the queue the old one left.
    await scenario.reload(page);
    await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
    collector.recover();
    await collector.waitForEvents(2);
    const names = collector.received.map((event) => event.summary.name);
    assert.deepEqual(names, ['telemetry_event "fixtureEvent"', 'application_error']);
    assert.deepEqual(
      collector.received.map((event) => event.payload.eid),
      queuedIds,
      'the events queued before the reload, with their ids',
    );
    for (const event of collector.received) {
      assert.deepEqual(event.problems, []);
      assert.equal(event.payload.aid, EXTENSION_ID);
      assert.equal(
        event.summary.entities[0],
        'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
      );
    }
    const usage = collector.received[0].unstruct.data.data;
    assert.deepEqual(usage, {
      name: 'fixtureEvent',
      data: { n: 1, file: '<REDACTED: user-file-path>' },
    });
    const lastRequest = collector.requests.at(-1);
    assert.deepEqual(Object.keys(lastRequest.headers).sort(), [
      'connection',
      'content-length',
      'content-type',
      'host',
    ]);
    await waitUntil(() => queued().length === 0);
    assert.deepEqual(queued(), [], 'delivered events leave storage');

    // The user turns telemetry off while events wait: they are deleted, and nothing more is
    // tracked or sent.
    collector.fail(503);
    await runCommand(scenario, page, 'Snowplow Fixture: Track');
    await waitUntil(() => queued().length === 1);
    assert.equal(queued().length, 1);
    await runCommand(scenario, page, 'Snowplow Fixture: Telemetry Off');
    await waitUntil(() => queued().length === 0);
    assert.deepEqual(queued(), [], 'the queue is discarded when telemetry is turned off');
    collector.recover();
    const delivered = collector.received.length;
    await runCommand(scenario, page, 'Snowplow Fixture: Track');
    const off = page.locator('.notification-toast', { hasText: 'usage=false' }).first();
    await off.waitFor({ timeout: 30000 });
    assert.match(await off.innerText(), /usage=false errors=false eventIndex=none/);
    // Long enough for the fixture's retries (at most 1 s apart) to have sent anything left.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(collector.received.length, delivered, 'nothing sent after telemetry is off');
    assert.deepEqual(queued(), []);
  },
);
