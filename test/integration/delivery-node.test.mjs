// Delivery in the real Node extension host, with this extension as a user has it: code-server
// with the user's telemetry level at "all" (code-server's own reports go to a dead loopback
// port and the built-ins that phone home are left out, so nothing may leave loopback), the
// setting `clientSession.collectorUrl` pointing at the local collector, and Track Event run
// from the command palette. Extension tests would put the TelemetryLogger in logging-only
// mode, so the workbench is driven as a person drives it. One server and one window serve the
// whole story: delivered, queued while the collector fails, taken over after a reload, and
// discarded when the user turns telemetry off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Scenario, CLIENT_SESSION_SCHEMA } from './support/scenario.mjs';
import { setTelemetryLevel, stepRunner, trackFromPalette, waitFor } from './support/ui.mjs';

const require = createRequire(import.meta.url);
const { startCollector } = require('../../scripts/collector/server.cjs');
const { validateData } = require('../../scripts/iglu.cjs');

const EXTENSION_ID = 'vscode-client-session.vscode-client-session';
const TELEMETRY_EVENT_SCHEMA =
  'iglu:io.github.vscode-client-session/telemetry_event/jsonschema/1-0-0';
/** Each tracked event is this event of ours (no event schemas are configured). */
const eventName = (name) => `telemetry_event "${name}"`;
/** What the extension last logged about the telemetry level it follows. */
const lastConsent = (log) => [...log.matchAll(/Telemetry consent: (.*)/g)].at(-1)?.[1];

test('node host: events tracked from the palette reach the collector', async (t) => {
  const collector = await startCollector();
  t.after(() => collector.close());
  const scenario = new Scenario(t, {
    host: 'node',
    withTests: false,
    telemetry: true,
    settings: {
      'telemetry.telemetryLevel': 'all',
      'clientSession.collectorUrl': collector.url,
      // The optional entities, read at activation (lifecycle events stay off: focus changes
      // in this test would add events of their own).
      'clientSession.telemetry.applicationContext': true,
      'clientSession.telemetry.desktopContext': true,
    },
  });
  await scenario.start();
  // The extension's globalStorageUri: in code-server, a folder of the server's user data.
  const globalStorage = join(scenario.server.userDataDir, 'User', 'globalStorage', EXTENSION_ID);
  const queueFolder = join(globalStorage, 'snowplow-queue');
  /** The queue's event files (one per burst of events; owner files are not counted). */
  const queued = () =>
    existsSync(queueFolder)
      ? readdirSync(queueFolder).filter((name) => name.startsWith('events-'))
      : [];
  const page = await scenario.openWorkbench();
  await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
  const step = stepRunner(t, scenario, page);

  await step(
    'an event tracked from the palette arrives, valid, as the notification said',
    async () => {
      const properties = '{"via": "palette", "file": "/home/someone/notes.txt"}';
      const tracked = await trackFromPalette(page, 'delivered_event', properties);
      assert.equal(tracked.sent, true, 'the notification says the event was not sent');
      await waitFor(() => collector.received.length >= 1, 'the collector received no event');
      const [event] = collector.received;
      assert.deepEqual(event.problems, [], 'the collector found the event invalid');
      assert.equal(event.summary.name, eventName('delivered_event'));
      assert.equal(event.payload.aid, EXTENSION_ID);
      assert.deepEqual(event.unstruct.data, {
        schema: TELEMETRY_EVENT_SCHEMA,
        // VS Code's TelemetryLogger cleaned the path before our sender saw it.
        data: {
          name: 'delivered_event',
          data: { via: 'palette', file: '<REDACTED: user-file-path>' },
        },
      });
      assert.deepEqual(event.summary.entities, [
        CLIENT_SESSION_SCHEMA,
        'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0',
        'iglu:com.snowplowanalytics.snowplow/desktop_context/jsonschema/1-0-0',
      ]);
      const entity = event.contexts.data[0];
      assert.equal(entity.schema, CLIENT_SESSION_SCHEMA);
      assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, entity.data), []);
      assert.equal(entity.data.sessionId, tracked.sessionId);
      assert.equal(entity.data.sessionIndex, tracked.sessionIndex);
      assert.equal(entity.data.eventIndex, tracked.eventIndex);
      // The session's first event: the entity names it by the id it was sent with.
      assert.equal(tracked.eventIndex, 1);
      assert.equal(entity.data.firstEventId, event.payload.eid);
      assert.deepEqual(Object.keys(collector.requests[0].headers).sort(), [
        'connection',
        'content-length',
        'content-type',
        'host',
      ]);
    },
  );

  let waiting;
  await step('while the collector fails, events wait in files under globalStorageUri', async () => {
    collector.fail(503);
    const before = collector.requests.length;
    await trackFromPalette(page, 'queued_one', '');
    await trackFromPalette(page, 'queued_two', '{"n": 2}');
    // Both events in refused requests (a retry may carry them again), and a queue file.
    const refusedIds = () =>
      new Set(
        collector.requests
          .slice(before)
          .filter((request) => request.status === 503)
          .flatMap((request) => JSON.parse(request.body).data.map((event) => event.eid)),
      );
    await waitFor(() => refusedIds().size === 2, 'the two events never reached the collector');
    await waitFor(() => queued().length > 0, `no queue file in ${queueFolder}`);
    waiting = [...refusedIds()];
  });

  await step('a reloaded window takes the queue over and delivers it, same ids', async () => {
    const delivered = collector.received.length;
    await scenario.reload(page);
    await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
    // The collector recovers only once the new window holds the events, so the old one
    // cannot have delivered them on its way out.
    await waitFor(
      async () => /Took over 2 queued event\(s\)/.test(await scenario.extensionLog()),
      'the new window did not log taking over the 2 queued events',
    );
    collector.recover();
    await waitFor(
      () => collector.received.length >= delivered + 2,
      'the queued events were not delivered after the reload',
    );
    const events = collector.received.slice(delivered);
    assert.deepEqual(
      events.map((event) => event.summary.name),
      [eventName('queued_one'), eventName('queued_two')],
    );
    assert.deepEqual(
      events.map((event) => event.payload.eid),
      waiting,
      'the events queued before the reload, with the ids they had',
    );
    for (const event of events) {
      assert.deepEqual(event.problems, []);
      assert.equal(event.summary.entities[0], CLIENT_SESSION_SCHEMA);
    }
    await waitFor(() => queued().length === 0, 'delivered events stayed in the queue folder');
  });

  await step('turning telemetry off deletes the queue; nothing is sent from then on', async () => {
    collector.fail(503);
    const failedBefore = collector.requests.length;
    await trackFromPalette(page, 'discarded_by_off', '');
    await waitFor(() => queued().length > 0, 'the event was not queued while the collector failed');
    await waitFor(
      () => collector.requests.length > failedBefore,
      'the event never reached the failing collector',
    );
    await setTelemetryLevel(page, 'off');
    await waitFor(() => queued().length === 0, 'the queue was kept after telemetry was turned off');
    collector.recover();
    const requestsWhileOff = collector.requests.length;
    const off = await trackFromPalette(page, 'tracked_while_off', '');
    assert.equal(off.sent, false, 'the notification did not say the event was not sent');
    // Back on: what is sent now is only what is tracked now. The discarded event (or the one
    // tracked while off) would go out with it if anything had kept it.
    await setTelemetryLevel(page, 'all');
    await waitFor(
      async () => lastConsent(await scenario.extensionLog()) === 'usage allowed, errors allowed',
      'the extension did not see telemetry turned back on',
    );
    const delivered = collector.received.length;
    assert.equal(collector.requests.length, requestsWhileOff, 'a request went out while off');
    const on = await trackFromPalette(page, 'tracked_after_on', '');
    assert.equal(on.sent, true);
    await waitFor(() => collector.received.length > delivered, 'nothing arrived after turning on');
    assert.deepEqual(
      collector.received.slice(delivered).map((event) => event.summary.name),
      [eventName('tracked_after_on')],
    );
  });

  await step('every payload sent, refused ones included, was schema-valid', async () => {
    for (const request of collector.requests) {
      assert.deepEqual(request.problems, [], `invalid payload: ${request.body}`);
    }
  });

  await scenario.checkNothingLeftLoopback();
});
