import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_INDEX } from '../../src/core/entity';
import { InMemorySessionStore } from '../../src/core/sessionStore';
import {
  assertValidEntity,
  eventId,
  FakeClock,
  FlakyStore,
  RecordingLogger,
  CheckedClientSession,
} from '../support/fakes';

const USER_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const SESSION_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const FIRST_EVENT_ID = 'a3bb189e-8bf9-4888-9912-ace4e6543002';

/** A record exactly as this version writes it, last active at `lastActivity`. */
function validRecord(lastActivity: number): Record<string, unknown> {
  return {
    version: 1,
    userId: USER_ID,
    sessionIndex: 4,
    resetCount: 0,
    newSessionRequested: false,
    session: {
      sessionId: SESSION_ID,
      previousSessionId: null,
      eventIndex: 7,
      firstEventId: FIRST_EVENT_ID,
      firstEventTimestamp: '2025-12-31T23:59:00.000Z',
      lastActivity,
    },
  };
}

function withSession(patch: Record<string, unknown>, lastActivity: number) {
  const record = validRecord(lastActivity);
  return { ...record, session: { ...(record.session as object), ...patch } };
}

function startOn(stored: string) {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const store = new InMemorySessionStore({ initialSession: stored });
  const session = new CheckedClientSession({ store, clock: clock.now, logger });
  const entity = session.update(eventId(), clock.now());
  assertValidEntity(entity);
  return { entity, logger, store, session, clock };
}

describe('stored data that is not what we wrote', () => {
  const now = new FakeClock().now();

  it('resumes a valid record (the control case for the ones below)', () => {
    const { entity, logger } = startOn(JSON.stringify(validRecord(now - 1000)));
    assert.equal(entity.sessionId, SESSION_ID);
    assert.equal(entity.eventIndex, 8);
    assert.equal(entity.sessionIndex, 4);
    assert.deepEqual(logger.at('warn'), []);
  });

  // Each case: the stored text, what the warning must name, and what is kept.
  const cases: Array<{
    name: string;
    stored: string;
    names: RegExp;
    keepsUser: boolean;
    keepsIndex: boolean;
  }> = [
    {
      name: 'an empty object',
      stored: '{}',
      names: /version/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'not JSON',
      stored: '{"userId": "abc',
      names: /not valid JSON/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'a JSON array',
      stored: '[1,2]',
      names: /not a JSON object/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'JSON null',
      stored: 'null',
      names: /not a JSON object/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'a number',
      stored: '42',
      names: /not a JSON object/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'a record from another version',
      stored: JSON.stringify({ ...validRecord(now), version: 2 }),
      names: /version 2; this library reads version 1/,
      keepsUser: false,
      keepsIndex: false,
    },
    {
      name: 'a user id that is not a lowercase UUID',
      stored: JSON.stringify({ ...validRecord(now), userId: USER_ID.toUpperCase() }),
      names: /userId .* is not a lowercase UUID/,
      keepsUser: false,
      keepsIndex: true,
    },
    {
      name: 'a negative session index',
      stored: JSON.stringify({ ...validRecord(now), sessionIndex: -3 }),
      names: /sessionIndex -3 is not an integer/,
      keepsUser: true,
      keepsIndex: false,
    },
    {
      name: 'a fractional session index',
      stored: JSON.stringify({ ...validRecord(now), sessionIndex: 2.5 }),
      names: /sessionIndex 2.5/,
      keepsUser: true,
      keepsIndex: false,
    },
    {
      name: 'an oversized session index',
      stored: JSON.stringify({ ...validRecord(now), sessionIndex: MAX_INDEX + 1 }),
      names: /sessionIndex 2147483648/,
      keepsUser: true,
      keepsIndex: false,
    },
    {
      name: 'a session index of the wrong type',
      stored: JSON.stringify({ ...validRecord(now), sessionIndex: '4' }),
      names: /sessionIndex "4"/,
      keepsUser: true,
      keepsIndex: false,
    },
    {
      name: 'a session id that is not a UUID',
      stored: JSON.stringify(withSession({ sessionId: 'session-1' }, now)),
      names: /session.sessionId "session-1" is not a UUID/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'a negative event index',
      stored: JSON.stringify(withSession({ eventIndex: -1 }, now)),
      names: /session.eventIndex -1/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'an unparsable first event timestamp',
      stored: JSON.stringify(withSession({ firstEventTimestamp: 'yesterday' }, now)),
      names: /firstEventTimestamp "yesterday"/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'an impossible date',
      stored: JSON.stringify(withSession({ firstEventTimestamp: '2025-02-31T00:00:00.000Z' }, now)),
      names: /firstEventTimestamp/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'a last activity that is not a time',
      stored: JSON.stringify(withSession({ lastActivity: 'now' }, now)),
      names: /lastActivity "now"/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'unknown fields',
      stored: JSON.stringify({ ...validRecord(now), favouriteColour: 'green' }),
      names: /unknown fields favouriteColour/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'unknown session fields',
      stored: JSON.stringify(withSession({ extra: 1 }, now)),
      names: /session has unknown fields extra/,
      keepsUser: true,
      keepsIndex: true,
    },
    {
      name: 'a session that is not an object',
      stored: JSON.stringify({ ...validRecord(now), session: 'yes' }),
      names: /session "yes" is neither null nor an object/,
      keepsUser: true,
      keepsIndex: true,
    },
  ];

  for (const c of cases) {
    it(`starts a new session, warns once and keeps what is valid for ${c.name}`, () => {
      const { entity, logger, session, clock } = startOn(c.stored);
      const warnings = logger.at('warn');
      assert.equal(warnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
      assert.match(warnings[0], c.names);
      assert.notEqual(entity.sessionId, SESSION_ID);
      assert.equal(entity.eventIndex, 1);
      assert.equal(entity.previousSessionId, null);
      assert.equal(entity.userId === USER_ID, c.keepsUser, 'user id kept?');
      assert.equal(entity.sessionIndex, c.keepsIndex ? 5 : 1);
      // The next events go on normally and do not warn again.
      assertValidEntity(session.update(eventId(), clock.now()));
      assert.equal(logger.at('warn').length, 1);
    });
  }

  it('overwrites the bad record with a valid one at the next write', async () => {
    const { store, session, clock } = startOn('{"broken": true}');
    await session.flush();
    const restarted = new CheckedClientSession({
      store,
      clock: clock.now,
      logger: new RecordingLogger(),
    });
    const entity = restarted.update(eventId(), clock.now());
    assert.equal(entity.eventIndex, 2);
  });

  it('treats a last activity in the future as the clock going back', () => {
    const { entity, logger } = startOn(JSON.stringify(validRecord(now + 3_600_000)));
    assert.equal(entity.previousSessionId, SESSION_ID);
    assert.equal(entity.sessionIndex, 5);
    assert.equal(entity.userId, USER_ID);
    assert.match(logger.at('warn')[0], /in the future/);
  });

  it('keeps its valid session when another program writes garbage into the store', () => {
    const clock = new FakeClock();
    const logger = new RecordingLogger();
    const store = new InMemorySessionStore();
    const session = new CheckedClientSession({ store, clock: clock.now, logger });
    const first = session.update(eventId(), clock.now());
    store.setSession('not json at all');
    const second = session.update(eventId(), clock.now());
    assert.equal(second.sessionId, first.sessionId);
    assert.equal(second.eventIndex, 2);
    assert.match(logger.at('warn')[0], /not valid JSON.*Kept the session in memory/);
  });

  it('treats a store that returns a non-string as invalid, without throwing', () => {
    const logger = new RecordingLogger();
    const inner = new InMemorySessionStore();
    const store = {
      storageMechanism: inner.storageMechanism,
      getSession: () => ({ some: 'object' }) as unknown as string,
      setSession: () => {},
      deleteSession: () => {},
    };
    const session = new CheckedClientSession({ store, logger });
    assertValidEntity(session.update(eventId(), Date.now()));
    assert.match(logger.at('warn')[0], /not a JSON string/);
  });
});

describe('a store that fails', () => {
  for (const mode of ['throw', 'reject'] as const) {
    it(`goes on in memory when writes ${mode}, warns once and tries again`, async () => {
      const clock = new FakeClock();
      const logger = new RecordingLogger();
      const store = new FlakyStore();
      const session = new CheckedClientSession({
        store,
        clock: clock.now,
        logger,
        minWriteIntervalMs: 0,
      });
      store.failWrites = mode;
      const a = session.update(eventId(), clock.now());
      await session.flush();
      const b = session.update(eventId(), clock.now());
      await session.flush();
      assertValidEntity(b);
      assert.equal(b.sessionId, a.sessionId);
      assert.equal(b.eventIndex, 2);
      assert.ok(store.sets >= 2, 'each new write tries again');
      assert.equal(logger.at('warn').length, 1);
      assert.match(logger.at('warn')[0], /Could not save the session/);

      store.failWrites = false;
      session.update(eventId(), clock.now());
      await session.flush();
      assert.equal(JSON.parse(store.inner.getSession() ?? '{}').session.eventIndex, 3);
      assert.match(logger.at('info').join('\n'), /works again/);
    });
  }

  it('goes on in memory when reads throw, warning once', () => {
    const clock = new FakeClock();
    const logger = new RecordingLogger();
    const store = new FlakyStore();
    const session = new CheckedClientSession({ store, clock: clock.now, logger });
    store.failReads = true;
    const a = session.update(eventId(), clock.now());
    const b = session.update(eventId(), clock.now());
    assertValidEntity(a);
    assert.equal(b.sessionId, a.sessionId);
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0], /Could not read the session store \(disk on fire\)/);
  });

  it('keeps a reset whose delete failed, and does it at the next write', async () => {
    const clock = new FakeClock();
    const store = new FlakyStore();
    const session = new CheckedClientSession({
      store,
      clock: clock.now,
      logger: new RecordingLogger(),
    });
    session.update(eventId(), clock.now());
    await session.flush();
    store.failWrites = 'reject';
    await session.forgetSession({ forgetUserId: true });
    assert.notEqual(store.inner.getSession(), undefined);
    store.failWrites = false;
    const entity = session.update(eventId(), clock.now());
    await session.flush();
    assert.equal(entity.sessionIndex, 1);
    assert.ok(store.deletes >= 2);
    assert.equal(JSON.parse(store.inner.getSession() ?? '{}').userId, entity.userId);
  });
});
