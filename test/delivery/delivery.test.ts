import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { CLIENT_SESSION_SCHEMA } from '../../src/core/entity';
import {
  APPLICATION_ERROR_SCHEMA,
  EVENT_DATA_SCHEMA,
  TELEMETRY_EVENT_SCHEMA,
} from '../../src/delivery/events';
import { TRACKER_VERSION } from '../../src/delivery/payload';
import { SnowplowTelemetrySender } from '../../src/delivery/sender';
import type { Collector } from './support';
import {
  APP_ID,
  FakeScheduler,
  makeTracker,
  PACKAGE_JSON_PATH,
  settle,
  startCollector,
  TRANSPORTS,
  useCollector,
  useTransport,
  validateSelfDescribing,
} from './support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const transport of TRANSPORTS) {
  describe(`delivery to a collector (${transport.name})`, { timeout: 30_000 }, () => {
    let collector: Collector;

    before(() => useTransport(transport.make));
    useCollector((started) => (collector = started));

    it('sends a named event after the delay as a valid tp2 POST with the session', async () => {
      const { tracker, scheduler } = makeTracker(collector.url);
      const entity = tracker.trackNamedEvent(`${APP_ID}/fileOpened`, {
        languageId: 'typescript',
        lines: 120,
        'common.vscodemachineid': 'abcdef',
      });
      assert.ok(entity, 'tracking with consent returns the session entity');
      await settle();
      assert.equal(collector.requests.length, 0, 'nothing is sent before the send delay');
      // The queue's write window (writeDelayMs), then the send delay.
      assert.deepEqual(scheduler.pendingDelays.slice(0, 2), [200, 1000]);
      scheduler.advance(1000);
      await collector.waitForEvents(1);
      await tracker.whenIdle();

      const [request] = collector.requests;
      assert.equal(request?.status, 200, JSON.stringify(request?.problems));
      const [event] = collector.received;
      assert.ok(event);
      const { payload } = event;
      assert.equal(payload.e, 'ue');
      assert.match(payload.eid!, UUID);
      assert.equal(payload.dtm, String(scheduler.nowMs - 1000));
      assert.equal(payload.stm, String(scheduler.nowMs), 'stm is the time of sending');
      assert.equal(payload.tv, TRACKER_VERSION);
      assert.equal(payload.tna, 'vscode-client-session');
      assert.equal(payload.p, 'pc');
      assert.equal(payload.aid, APP_ID);
      assert.deepEqual(Object.keys(payload).sort(), [
        'aid',
        'co',
        'dtm',
        'e',
        'eid',
        'p',
        'stm',
        'tna',
        'tv',
        'ue_pr',
      ]);
      assert.deepEqual(event.unstruct?.data, {
        schema: TELEMETRY_EVENT_SCHEMA,
        data: { name: 'fileOpened', data: { languageId: 'typescript', lines: 120 } },
      });
      const entities = event.contexts?.data ?? [];
      assert.equal(entities.length, 1);
      assert.equal(entities[0]?.schema, CLIENT_SESSION_SCHEMA);
      assert.deepEqual(entities[0]?.data, entity);
      assert.equal(entity.firstEventId, payload.eid, 'the session counted this very event');
      assert.deepEqual(validateSelfDescribing(entities[0]), []);
      assert.equal(tracker.queuedEventCount, 0);
      await tracker.dispose();
    });

    it('keeps VS Code common properties and identifying headers out of the request', async () => {
      const { tracker } = makeTracker(collector.url);
      tracker.trackNamedEvent('x', { 'common.vscodesessionid': 's', 'common.os': 'linux', a: 1 });
      await tracker.flush();
      const [request] = collector.requests;
      assert.ok(request);
      assert.doesNotMatch(request.body, /common\./);
      assert.equal(request.headers['content-type'], 'application/json; charset=UTF-8');
      assert.equal(request.headers.cookie, undefined);
      assert.equal(request.headers.referer, undefined);
      if (transport.name === 'node:http') {
        assert.deepEqual(Object.keys(request.headers).sort(), [
          'connection',
          'content-length',
          'content-type',
          'host',
        ]);
      } else {
        // What Node's fetch adds by itself: nothing that tells one machine from another.
        assert.deepEqual(
          Object.keys(request.headers)
            .filter((header) => !['content-length', 'host', 'connection'].includes(header))
            .sort(),
          [
            'accept',
            'accept-encoding',
            'accept-language',
            'content-type',
            'sec-fetch-mode',
            'user-agent',
          ],
        );
        assert.equal(request.headers['user-agent'], 'node');
      }
      await tracker.dispose();
    });

    it('maps names with eventSchemas and mapEvent, mapEvent first', async () => {
      const { tracker } = makeTracker(collector.url, {
        eventSchemas: {
          focused: 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
          both: 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
        },
        mapEvent: (name, data) =>
          name === 'both'
            ? {
                schema:
                  'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0',
                data: { backgroundIndex: data.n },
              }
            : undefined,
      });
      tracker.trackNamedEvent(`${APP_ID}/focused`, { foregroundIndex: 3 });
      tracker.trackNamedEvent('both', { n: 4 });
      tracker.trackNamedEvent('other', {});
      await tracker.flush();
      assert.equal(
        collector.requests[0]?.status,
        200,
        JSON.stringify(collector.requests[0]?.problems),
      );
      assert.deepEqual(
        collector.received.map((e) => e.unstruct?.data),
        [
          {
            schema: 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
            data: { foregroundIndex: 3 },
          },
          {
            schema: 'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0',
            data: { backgroundIndex: 4 },
          },
          { schema: TELEMETRY_EVENT_SCHEMA, data: { name: 'other', data: {} } },
        ],
      );
      await tracker.dispose();
    });

    it('sends an error as application_error 1-0-2, its data in event_data', async () => {
      const { tracker } = makeTracker(collector.url);
      const error = new TypeError('x'.repeat(3000));
      tracker.trackError(error, { command: 'open' });
      await tracker.flush();
      assert.equal(
        collector.requests[0]?.status,
        200,
        JSON.stringify(collector.requests[0]?.problems),
      );
      const [event] = collector.received;
      assert.equal(event?.unstruct?.data.schema, APPLICATION_ERROR_SCHEMA);
      const data = event?.unstruct?.data.data as Record<string, unknown>;
      assert.equal(data.programmingLanguage, 'JAVASCRIPT');
      assert.equal(data.exceptionName, 'TypeError');
      assert.equal((data.message as string).length, 2048, 'cut to the schema limit');
      assert.match(data.stackTrace as string, /TypeError/);
      assert.deepEqual(event?.contexts?.data[1], {
        schema: EVENT_DATA_SCHEMA,
        data: { data: { command: 'open' } },
      });
      await tracker.dispose();
    });

    it('sends native self-describing, structured and lifecycle events', async () => {
      const { tracker } = makeTracker(collector.url, {
        entities: [
          {
            schema: 'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0',
            data: { version: '1.2.3' },
          },
        ],
      });
      tracker.trackSelfDescribingEvent({
        schema: 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
        data: { foregroundIndex: 1 },
      });
      tracker.trackStructEvent({ category: 'editor', action: 'save', label: 'ts', value: 2.5 });
      tracker.trackLifecycle(false);
      tracker.trackLifecycle(true);
      await tracker.flush();
      assert.equal(
        collector.requests[0]?.status,
        200,
        JSON.stringify(collector.requests[0]?.problems),
      );
      assert.equal(collector.requests.length, 1, 'one batch');
      const [sd, se, background, foreground] = collector.received;
      assert.equal(sd?.payload.e, 'ue');
      assert.equal(se?.payload.e, 'se');
      assert.equal(se?.payload.se_va, '2.5');
      assert.deepEqual(background?.unstruct?.data.data, { backgroundIndex: 1 });
      assert.deepEqual(foreground?.unstruct?.data.data, { foregroundIndex: 1 });
      for (const event of collector.received) {
        assert.deepEqual(
          event.contexts?.data.map((entity) => entity.schema),
          [
            CLIENT_SESSION_SCHEMA,
            'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0',
          ],
        );
      }
      assert.deepEqual(
        collector.received.map(
          (e) => (e.contexts?.data[0]?.data as { eventIndex: number }).eventIndex,
        ),
        [1, 2, 3, 4],
      );
      await tracker.dispose();
    });

    it('drops an event whose data cannot be serialised, logs why, sends the rest', async () => {
      const { tracker, logger } = makeTracker(collector.url);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      tracker.trackNamedEvent('bad', cyclic);
      tracker.trackNamedEvent('good', {});
      await tracker.flush();
      assert.equal(collector.received.length, 1);
      assert.match(logger.at('warn').join('\n'), /could not be encoded and is dropped/);
      await tracker.dispose();
    });

    it('works as a TelemetrySender: events, errors and flush', async () => {
      const { tracker } = makeTracker(collector.url);
      const sender = new SnowplowTelemetrySender(tracker);
      sender.sendEventData(`${APP_ID}/commandRun`, { command: 'x' });
      sender.sendErrorData(new Error('boom'), {});
      await sender.flush();
      assert.deepEqual(
        collector.received.map((e) => e.unstruct?.data.schema),
        [TELEMETRY_EVENT_SCHEMA, APPLICATION_ERROR_SCHEMA],
      );
      await tracker.dispose();
    });

    it('sends the tracker version of package.json', () => {
      const version = JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8')).version;
      assert.equal(TRACKER_VERSION, `vscode-client-session-${version}`);
    });
  });
}

describe('batching', { timeout: 30_000 }, () => {
  let collector: Collector;
  useCollector((started) => (collector = started));

  const EVENTS = 400;
  for (const maxPostBytes of [undefined, 5000]) {
    const limit = maxPostBytes ?? 40_000;
    it(`fills requests up to ${limit} bytes and never beyond`, async () => {
      const { tracker } = makeTracker(collector.url, maxPostBytes ? { maxPostBytes } : {});
      // Small events, so that what is added at send time (stm, commas) weighs; multi-byte
      // characters, so that the limit is seen to count UTF-8 bytes, not string length.
      for (let i = 0; i < EVENTS; i++) {
        tracker.trackNamedEvent('batched', { i, text: 'é€'.repeat(i % 13) });
      }
      await tracker.flush({ timeoutMs: 60_000 });
      assert.equal(collector.received.length, EVENTS);
      assert.ok(collector.requests.length > 1);
      for (const request of collector.requests) {
        assert.equal(request.status, 200, JSON.stringify(request.problems));
        assert.ok(request.bytes <= limit, `${request.bytes} > ${limit}`);
        assert.equal(request.bytes, Buffer.byteLength(request.body));
      }
      // Every request but the last was full: one more event would not have fitted.
      const sizes = collector.requests.map((r) => r.bytes);
      for (let r = 0; r < sizes.length - 1; r++) {
        const nextEvent = JSON.parse(collector.requests[r + 1]!.body).data[0];
        assert.ok(sizes[r]! + Buffer.byteLength(JSON.stringify(nextEvent)) + 1 > limit);
      }
      assert.deepEqual(
        collector.received.map((e) => (e.unstruct?.data.data as { data: { i: number } }).data.i),
        Array.from({ length: EVENTS }, (_, i) => i),
        'in order',
      );
      await tracker.dispose();
    });
  }

  it('sends once the queued events fill a request, else after the send delay', async () => {
    collector.requests.length = 0;
    const { tracker, scheduler } = makeTracker(collector.url, { maxPostBytes: 5000 });
    tracker.trackNamedEvent('small', {});
    await settle();
    assert.equal(scheduler.pendingDelays.includes(0), false, 'one small event waits');
    assert.ok(scheduler.pendingDelays.includes(1000));
    for (let i = 0; i < 8; i++) {
      tracker.trackNamedEvent('big', { text: 'x'.repeat(600) });
    }
    await settle();
    assert.equal(scheduler.pendingDelays[0], 0, 'a full request does not wait');
    scheduler.advance(0);
    await collector.waitForRequests(1);
    assert.ok(collector.requests[0]!.bytes > 4000, `${collector.requests[0]!.bytes} bytes`);
    await tracker.flush();
    await tracker.dispose();
  });

  it('does not cut a backoff short when the queued events fill a request', async () => {
    collector.requests.length = 0;
    collector.fail(503);
    const { tracker, scheduler } = makeTracker(collector.url, { maxPostBytes: 5000 });
    tracker.trackNamedEvent('first', {});
    await settle();
    const failed = new Promise<void>((resolve) => {
      const listener = tracker.onDidAttemptDelivery(() => {
        listener.dispose();
        resolve();
      });
    });
    scheduler.advance(1000);
    await failed;
    for (let i = 0; i < 8; i++) {
      tracker.trackNamedEvent('big', { text: 'x'.repeat(600) });
    }
    await settle();
    assert.equal(scheduler.pendingDelays.includes(0), false, 'still backing off');
    assert.equal(collector.requests.length, 1);
    collector.recover();
    await tracker.flush();
    await tracker.dispose();
  });

  it('counts to the byte: a body of exactly maxPostBytes is one request', async () => {
    const sizeOfTwo = async (maxPostBytes: number) => {
      collector.requests.length = 0;
      const { tracker } = makeTracker(collector.url, { maxPostBytes });
      const counted: number[] = [];
      tracker.onDidAttemptDelivery((attempt) => counted.push(attempt.bytes));
      tracker.trackNamedEvent('same size', { text: 'é' });
      tracker.trackNamedEvent('same size', { text: 'ü' });
      await tracker.flush();
      await tracker.dispose();
      const sent = collector.requests.map((request) => request.bytes);
      assert.deepEqual(counted, sent, 'the tracker counts what the collector receives');
      return sent;
    };
    const [exact] = await sizeOfTwo(1_000_000);
    assert.ok(exact);
    assert.deepEqual(await sizeOfTwo(exact), [exact]);
    assert.equal((await sizeOfTwo(exact - 1)).length, 2);
  });

  it('sends an event bigger than a request alone, and only once even when that fails', async () => {
    const { tracker, logger, scheduler } = makeTracker(collector.url, { maxPostBytes: 2000 });
    tracker.trackNamedEvent('small', {});
    tracker.trackNamedEvent('huge', { text: 'x'.repeat(5000) });
    tracker.trackNamedEvent('small', {});
    await tracker.flush();
    assert.equal(collector.requests.length, 3);
    assert.ok(collector.requests[1]!.bytes > 2000);
    assert.equal(collector.received.length, 3, 'a collector that takes it gets it');

    collector.fail(500);
    tracker.trackNamedEvent('huge', { text: 'x'.repeat(5000) });
    await tracker.flush();
    assert.equal(collector.requests.length, 4);
    assert.equal(tracker.queuedEventCount, 0, 'not kept for a retry');
    scheduler.advance(600_000);
    await settle();
    assert.equal(collector.requests.length, 4, 'no retry, even ten minutes later');
    assert.match(logger.at('warn').join('\n'), /over the 2000-byte request limit.*dropped/);
    collector.recover();
    await tracker.dispose();
  });
});

describe('configuration', { timeout: 30_000 }, () => {
  it('refuses a collector URL that is not https (except loopback) and sends nothing', async () => {
    const collector = await startCollector();
    try {
      for (const url of ['http://collector.example.com', 'not a url', 'ftp://127.0.0.1']) {
        const { tracker, logger, session } = makeTracker(url);
        assert.match(tracker.configurationError ?? '', /collector URL/);
        assert.match(logger.at('error').join('\n'), /nothing is sent until it is fixed/);
        assert.equal(tracker.trackNamedEvent('x', {}), undefined);
        assert.equal(session.snapshot().currentEntity, undefined, 'not even counted');
        await tracker.flush();
        assert.equal(tracker.queuedEventCount, 0);
        await tracker.dispose();
      }
      assert.equal(collector.requests.length, 0);
      // Fixing the URL lets events through.
      const { tracker } = makeTracker('http://collector.example.com');
      tracker.setCollectorUrl(collector.url);
      assert.equal(tracker.configurationError, undefined);
      tracker.trackNamedEvent('x', {});
      await tracker.flush();
      assert.equal(collector.received.length, 1);
      await tracker.dispose();
    } finally {
      await collector.close();
    }
  });

  it('treats an empty collector URL as no collector: nothing tracked, no error', async () => {
    const { tracker, logger, session } = makeTracker('  ');
    assert.equal(tracker.configurationError, undefined);
    assert.deepEqual(logger.at('error'), []);
    assert.equal(tracker.trackNamedEvent('x', {}), undefined);
    assert.equal(session.snapshot().currentEntity, undefined);
    await tracker.dispose();
  });

  it('throws a TypeError for missing required options', () => {
    const scheduler = new FakeScheduler();
    assert.throws(() => makeTracker('https://c.example.com', { appId: '', scheduler }), /appId/);
    assert.throws(
      () => makeTracker('https://c.example.com', { maxPostBytes: -1, scheduler }),
      /maxPostBytes must be a positive number/,
    );
  });
});
