import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Collector } from './support';
import { startCollector } from './support';

const PAYLOAD_DATA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
const SESSION = {
  schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
  data: {
    userId: 'a3b1c2d4-0000-4000-8000-000000000001',
    sessionId: 'a3b1c2d4-0000-4000-8000-000000000002',
    sessionIndex: 1,
    eventIndex: 1,
    storageMechanism: 'LOCAL_STORAGE',
    previousSessionId: null,
    firstEventId: 'a3b1c2d4-0000-4000-8000-000000000003',
    firstEventTimestamp: '2026-01-01T00:00:00.000Z',
  },
};

function event(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    e: 'se',
    tv: 'test',
    p: 'pc',
    se_ca: 'c',
    se_ac: 'a',
    co: JSON.stringify({
      schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
      data: [SESSION],
    }),
    ...overrides,
  };
}

describe('the local collector', { timeout: 30_000 }, () => {
  let collector: Collector;
  const seen: string[] = [];
  before(async () => {
    collector = await startCollector({ onEvent: (e) => seen.push(e.summary.name) });
  });
  after(async () => {
    await collector.close();
  });

  const post = (body: string, path = '/com.snowplowanalytics.snowplow/tp2') =>
    fetch(collector.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });

  it('listens on 127.0.0.1 only', () => {
    assert.match(collector.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('accepts a valid batch, hands each event to onEvent and summarises its session', async () => {
    const response = await post(JSON.stringify({ schema: PAYLOAD_DATA, data: [event()] }));
    assert.equal(response.status, 200);
    assert.deepEqual(seen, ['se c/a']);
    const last = collector.received.at(-1)!;
    assert.equal(last.summary.sessionId, SESSION.data.sessionId);
    assert.equal(last.summary.sessionIndex, 1);
    assert.equal(last.summary.eventIndex, 1);
  });

  it('answers 400 with the reason for a payload that breaks payload_data', async () => {
    const response = await post(
      JSON.stringify({ schema: PAYLOAD_DATA, data: [{ e: 'se', p: 'pc', extra: 'x' }] }),
    );
    assert.equal(response.status, 400);
    const text = await response.text();
    assert.match(text, /required property 'tv'/);
    assert.match(text, /additional properties/);
  });

  it('answers 400 for an invalid entity inside the contexts', async () => {
    const broken = { ...SESSION, data: { ...SESSION.data, userId: 'NOT-A-UUID' } };
    const co = JSON.stringify({
      schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
      data: [broken],
    });
    const response = await post(JSON.stringify({ schema: PAYLOAD_DATA, data: [event({ co })] }));
    assert.equal(response.status, 400);
    assert.match(await response.text(), /client_session.*userId/);
  });

  it('validates self-describing events against our own schemas too', async () => {
    const ue = (data: unknown) =>
      JSON.stringify({
        schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
        data: {
          schema: 'iglu:io.github.vscode-client-session/telemetry_event/jsonschema/1-0-0',
          data,
        },
      });
    const good = await post(
      JSON.stringify({
        schema: PAYLOAD_DATA,
        data: [event({ e: 'ue', ue_pr: ue({ name: 'x', data: {} }) })],
      }),
    );
    assert.equal(good.status, 200);
    const bad = await post(
      JSON.stringify({ schema: PAYLOAD_DATA, data: [event({ e: 'ue', ue_pr: ue({ name: 3 }) })] }),
    );
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /telemetry_event/);
  });

  it('answers 400 for a body that is not JSON and 404 elsewhere', async () => {
    assert.equal((await post('{nope')).status, 400);
    assert.equal((await post('{}', '/i')).status, 404);
  });

  it('answers a CORS preflight, as a web extension host needs', async () => {
    const response = await fetch(collector.endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
  });

  it('fails on demand: a status a number of times, with Retry-After, then recovers', async () => {
    collector.fail(429, { times: 1, retryAfter: 3 });
    const refused = await post(JSON.stringify({ schema: PAYLOAD_DATA, data: [event()] }));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '3');
    const accepted = await post(JSON.stringify({ schema: PAYLOAD_DATA, data: [event()] }));
    assert.equal(accepted.status, 200);
  });
});
