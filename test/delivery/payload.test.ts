/**
 * The payload builder writes the tracker-protocol strings by hand; these tests hold it to what
 * Snowplow's own `@snowplow/tracker-core` (a dev dependency, kept for this and the benchmark)
 * makes of the same events, field for field, and to the schemas.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSelfDescribingEvent,
  buildStructEvent,
  trackerCore,
  type PayloadBuilder,
} from '@snowplow/tracker-core';
import type { ClientSessionEntity, SelfDescribingJson } from '../../src/core/entity';
import { CLIENT_SESSION_SCHEMA } from '../../src/core/entity';
import type { PendingEvent, TrackedEvent } from '../../src/delivery/events';
import {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_ERROR_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  EVENT_DATA_SCHEMA,
  TELEMETRY_EVENT_SCHEMA,
} from '../../src/delivery/events';
import { PayloadEncoder, TRACKER_VERSION } from '../../src/delivery/payload';
import { utf8Length, utf8LengthByLoop } from '../../src/delivery/utf8';
import { validateSelfDescribing } from './support';

const APP = 'acme.extension';
const EXTRA: SelfDescribingJson[] = [
  {
    schema: 'iglu:com.snowplowanalytics.snowplow/application/jsonschema/1-0-0',
    data: { version: '1.2.3 "quoted" \\ é' },
  },
];
const SESSION: ClientSessionEntity = {
  userId: '5d79770b-015b-4af8-8c91-b2ed6faf4b1e',
  sessionId: '1f6f7a0c-8b1e-4b8e-9a9e-6c1b2a3d4e5f',
  sessionIndex: 3,
  eventIndex: 7,
  previousSessionId: null,
  firstEventId: '6f1e5b7a-2c3d-4e8f-9a0b-1c2d3e4f5a6b',
  firstEventTimestamp: '2026-12-03T12:00:00.000Z',
  storageMechanism: 'SQLITE',
};
const EID = '0b7e1c2a-1111-4222-8333-444455556666';
const DTM = Date.UTC(2026, 11, 3, 12, 0, 1);
const CUSTOM = 'iglu:com.acme/file_opened/jsonschema/1-0-0';
const ENTITY = { schema: 'iglu:com.acme/thing/jsonschema/1-0-0', data: { id: 'a\nb\u2028' } };

function encoder(): PayloadEncoder {
  return new PayloadEncoder({
    appId: APP,
    trackerNamespace: 'ns "x"',
    platform: 'pc',
    eventSchemas: { opened: CUSTOM },
    mapEvent: (name, data) => (name === 'mapped' ? { schema: CUSTOM, data } : undefined),
    extraEntities: EXTRA,
  });
}

/** What tracker-core makes of an event given as tracker-core input. */
function byTrackerCore(
  builder: PayloadBuilder,
  entities: SelfDescribingJson[],
): Record<string, string> {
  const core = trackerCore({
    base64: false,
    callback: (payload: PayloadBuilder) => payload.add('eid', EID),
  });
  core.setTrackerVersion(TRACKER_VERSION);
  core.setTrackerNamespace('ns "x"');
  core.setPlatform('pc');
  core.setAppId(APP);
  const session = {
    schema: CLIENT_SESSION_SCHEMA,
    data: SESSION as unknown as Record<string, unknown>,
  };
  const payload = core.track(builder, [session, ...entities, ...EXTRA], DTM);
  return payload as Record<string, string>;
}

function ours(event: TrackedEvent): Record<string, string> {
  const pending: PendingEvent = { consent: 'usage', eid: EID, dtm: DTM, session: SESSION, event };
  const json = encoder().encode(pending);
  return JSON.parse(json) as Record<string, string>;
}

/** Payload fields as sorted entries, nested JSON strings parsed, for a readable diff. */
function comparable(payload: Record<string, string>): Array<[string, unknown]> {
  return Object.entries(payload)
    .map(([key, value]): [string, unknown] =>
      key === 'co' || key === 'ue_pr' ? [key, JSON.parse(value)] : [key, value],
    )
    .sort(([a], [b]) => a.localeCompare(b));
}

const sd = (schema: string, data: unknown) =>
  buildSelfDescribingEvent({ event: { schema, data: data as Record<string, unknown> } });

const CASES: Array<{ name: string; event: TrackedEvent; expected: () => Record<string, string> }> =
  [
    {
      name: 'a named event with our default schema, the prefix and common.* removed',
      event: {
        type: 'telemetry',
        name: `${APP}/fileOpened`,
        data: { languageId: 'type"script', lines: 3, 'common.vscodemachineid': 'x' },
      },
      expected: () =>
        byTrackerCore(
          sd(TELEMETRY_EVENT_SCHEMA, {
            name: 'fileOpened',
            data: { languageId: 'type"script', lines: 3 },
          }),
          [],
        ),
    },
    {
      name: 'a named event mapped by the eventSchemas table',
      event: { type: 'telemetry', name: 'opened', data: { a: [1, { b: null }] } },
      expected: () => byTrackerCore(sd(CUSTOM, { a: [1, { b: null }] }), []),
    },
    {
      name: 'a named event mapped by mapEvent',
      event: { type: 'telemetry', name: 'mapped', data: { a: 'é€😀' } },
      expected: () => byTrackerCore(sd(CUSTOM, { a: 'é€😀' }), []),
    },
    {
      name: 'an error with data',
      event: { type: 'error', name: 'TypeError', message: 'bad', stack: 'at x', data: { q: 1 } },
      expected: () =>
        byTrackerCore(
          sd(APPLICATION_ERROR_SCHEMA, {
            programmingLanguage: 'JAVASCRIPT',
            message: 'bad',
            exceptionName: 'TypeError',
            stackTrace: 'at x',
          }),
          [{ schema: EVENT_DATA_SCHEMA, data: { data: { q: 1 } } }],
        ),
    },
    {
      name: 'an error without a stack or data',
      event: { type: 'error', name: 'Error', message: 'm', stack: undefined, data: {} },
      expected: () =>
        byTrackerCore(
          sd(APPLICATION_ERROR_SCHEMA, {
            programmingLanguage: 'JAVASCRIPT',
            message: 'm',
            exceptionName: 'Error',
            stackTrace: null,
          }),
          [],
        ),
    },
    {
      name: 'a native self-describing event with entities',
      event: {
        type: 'selfDescribing',
        event: { schema: CUSTOM, data: { path: 'x' } },
        context: [ENTITY],
      },
      expected: () => byTrackerCore(sd(CUSTOM, { path: 'x' }), [ENTITY]),
    },
    {
      name: 'a structured event with every field',
      event: {
        type: 'structured',
        event: { category: 'c', action: 'a', label: 'l', property: 'p', value: 1.5 },
        context: [ENTITY],
      },
      expected: () =>
        byTrackerCore(
          buildStructEvent({ category: 'c', action: 'a', label: 'l', property: 'p', value: 1.5 }),
          [ENTITY],
        ),
    },
    {
      name: 'a structured event with empty fields, which are left out, and a value of 0',
      event: {
        type: 'structured',
        event: { category: 'c', action: 'a', label: '', value: 0 },
        context: undefined,
      },
      expected: () =>
        byTrackerCore(buildStructEvent({ category: 'c', action: 'a', label: '', value: 0 }), []),
    },
    {
      name: 'lifecycle events',
      event: { type: 'lifecycle', foreground: true, index: 4 },
      expected: () => byTrackerCore(sd(APPLICATION_FOREGROUND_SCHEMA, { foregroundIndex: 4 }), []),
    },
    {
      name: 'a background event',
      event: { type: 'lifecycle', foreground: false, index: 2 },
      expected: () => byTrackerCore(sd(APPLICATION_BACKGROUND_SCHEMA, { backgroundIndex: 2 }), []),
    },
  ];

describe('the payload builder', () => {
  for (const { name, event, expected } of CASES) {
    it(`writes what tracker-core writes for ${name}`, () => {
      assert.deepEqual(comparable(ours(event)), comparable(expected()));
    });
  }

  it('writes payloads whose event and entities are valid against the schemas', () => {
    for (const { event } of CASES) {
      const payload = ours(event);
      const problems = [...validateSelfDescribing(JSON.parse(payload.co!))];
      if (payload.ue_pr !== undefined) {
        problems.push(...validateSelfDescribing(JSON.parse(payload.ue_pr)));
      }
      assert.deepEqual(problems, [], JSON.stringify(event));
    }
  });

  it('refuses data that JSON cannot hold, so the tracker drops the event and logs why', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => ours({ type: 'telemetry', name: 'x', data: cyclic }), TypeError);
    assert.throws(
      () =>
        ours({
          type: 'telemetry',
          name: 'x',
          data: undefined as unknown as Record<string, unknown>,
        }),
      /undefined is not JSON data/,
    );
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes as Buffer does, with and without Buffer', () => {
    for (const text of ['', 'ascii', 'é', '€', '😀', 'a😀é€\u2028', '"\\\n']) {
      assert.equal(utf8Length(text), Buffer.byteLength(text), text);
      assert.equal(utf8LengthByLoop(text), Buffer.byteLength(text), text);
    }
  });
});
