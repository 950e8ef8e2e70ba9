import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { ClientSessionOptions } from '../../src/core/clientSession';
import { MAX_INDEX } from '../../src/core/entity';
import { SESSION_RECORD_VERSION } from '../../src/core/sessionRecord';
import { InMemorySessionStore } from '../../src/core/sessionStore';
import {
  assertValidEntity,
  eventId,
  FakeClock,
  RecordingLogger,
  CheckedClientSession,
} from '../support/fakes';
import type { ClientSession } from '../../src/core/clientSession';

function setup(options: Partial<ClientSessionOptions> = {}) {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const store = new InMemorySessionStore();
  const session = new CheckedClientSession({
    store,
    clock: clock.now,
    logger,
    foregroundTimeoutSeconds: 60,
    backgroundTimeoutSeconds: 10,
    ...options,
  });
  const track = (s: ClientSession = session) => {
    const entity = s.update(eventId(), clock.now());
    assertValidEntity(entity);
    return entity;
  };
  return { clock, logger, store, session, track };
}

describe('ClientSession: events within one session', () => {
  it('keeps one session across events and counts them from 1', () => {
    const { track, clock } = setup();
    const first = track();
    clock.advanceSeconds(30);
    const second = track();
    clock.advanceSeconds(59);
    const third = track();

    assert.equal(first.sessionIndex, 1);
    assert.equal(first.previousSessionId, null);
    assert.deepEqual(
      [first, second, third].map((e) => e.eventIndex),
      [1, 2, 3],
    );
    assert.equal(second.sessionId, first.sessionId);
    assert.equal(third.sessionId, first.sessionId);
    assert.equal(third.firstEventId, first.firstEventId);
  });

  it('takes firstEventId and firstEventTimestamp from the event that opened the session', () => {
    const { session, clock } = setup();
    const id = eventId();
    const eventTime = Date.UTC(2026, 0, 1, 12, 30, 15, 250);
    const entity = session.update(id, eventTime);
    const next = session.update(eventId(), clock.now());

    assert.equal(entity.firstEventId, id);
    assert.equal(entity.firstEventTimestamp, '2026-01-01T12:30:15.250Z');
    assert.equal(next.firstEventId, id);
    assert.equal(next.firstEventTimestamp, '2026-01-01T12:30:15.250Z');
  });

  it('gives a lowercase UUID user id and reports the store mechanism', () => {
    const { track } = setup({ store: new InMemorySessionStore({ storageMechanism: 'SQLITE' }) });
    const entity = track();
    assert.match(
      entity.userId,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(entity.storageMechanism, 'SQLITE');
  });
});

describe('ClientSession: timeouts', () => {
  it('opens a new session after the foreground timeout, linked to the previous one', () => {
    const { track, clock } = setup();
    const before = track();
    track();
    clock.advanceSeconds(61);
    const after = track();

    assert.notEqual(after.sessionId, before.sessionId);
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(after.sessionIndex, 2);
    assert.equal(after.eventIndex, 1);
    assert.equal(after.userId, before.userId);
  });

  it('keeps the session when the gap equals the timeout exactly', () => {
    const { track, clock } = setup();
    const before = track();
    clock.advanceSeconds(60);
    assert.equal(track().sessionId, before.sessionId);
  });

  it('uses the background timeout while in the background', () => {
    const { track, clock, session } = setup({ isBackground: true });
    const before = track();
    clock.advanceSeconds(11);
    const after = track();
    assert.equal(session.isBackground, true);
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(after.sessionIndex, 2);
  });

  it('does not use the background timeout while in the foreground', () => {
    const { track, clock } = setup();
    const before = track();
    clock.advanceSeconds(11);
    assert.equal(track().sessionId, before.sessionId);
  });

  it('raises the session index once however long the gap', () => {
    const { track, clock } = setup();
    track();
    clock.advanceSeconds(60 * 60 * 24 * 3);
    const after = track();
    clock.advanceSeconds(1);
    const next = track();
    assert.equal(after.sessionIndex, 2);
    assert.equal(next.sessionIndex, 2);
    assert.equal(next.eventIndex, 2);
  });

  it('opens a new session when the clock went back, and warns', () => {
    const { track, clock, logger } = setup();
    const before = track();
    clock.advanceSeconds(-5);
    const after = track();
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0], /clock went back/);
  });

  it('applies timeout changes from the next event on', () => {
    const { track, clock, session } = setup();
    const before = track();
    clock.advanceSeconds(30);
    session.setTimeouts({ foregroundTimeoutSeconds: 20 });
    const after = track();
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(session.foregroundTimeoutSeconds, 20);
    assert.equal(session.backgroundTimeoutSeconds, 10);
  });
});

describe('ClientSession: background transitions', () => {
  it('going to the foreground after the background timeout opens a new session', () => {
    const { track, clock, session } = setup({ isBackground: true });
    const before = track();
    clock.advanceSeconds(15); // past the background timeout, within the foreground one
    session.setIsBackground(false);
    const after = track();
    assert.equal(after.previousSessionId, before.sessionId);
  });

  it('going to the background checks the foreground timeout, not the background one', () => {
    const { track, clock, session } = setup();
    const before = track();
    clock.advanceSeconds(15); // past the background timeout, within the foreground one
    session.setIsBackground(true);
    const after = track();
    assert.equal(after.sessionId, before.sessionId);
    assert.equal(after.eventIndex, 2);
  });

  it('going to the background after the foreground timeout opens a new session', () => {
    const { track, clock, session } = setup();
    const before = track();
    clock.advanceSeconds(61);
    session.setIsBackground(true);
    clock.advanceSeconds(1);
    const after = track();
    assert.equal(after.previousSessionId, before.sessionId);
  });

  it('applies the background timeout once it goes to the background', () => {
    const { track, clock, session } = setup();
    const before = track();
    session.setIsBackground(true);
    assert.equal(session.isBackground, true);
    clock.advanceSeconds(11);
    assert.equal(track().previousSessionId, before.sessionId);
  });

  it('counts a focus change as activity', () => {
    const { track, clock, session } = setup();
    const before = track();
    clock.advanceSeconds(50);
    session.setIsBackground(true);
    clock.advanceSeconds(8); // 58 s after the event, 8 s after the change
    assert.equal(track().sessionId, before.sessionId);
  });

  it('ignores a change to the state it is already in', () => {
    const { track, clock, session } = setup({ isBackground: true });
    const before = track();
    clock.advanceSeconds(9);
    session.setIsBackground(true);
    clock.advanceSeconds(9);
    // Had the repeated call counted as activity, 9 s would be within the timeout.
    assert.equal(track().previousSessionId, before.sessionId);
  });
});

describe('ClientSession: starting anew and forgetting', () => {
  it('startNewSession makes the next event open a linked session', () => {
    const { track, session } = setup();
    const before = track();
    session.startNewSession();
    assert.equal(session.snapshot().currentEntity?.sessionId, before.sessionId);
    const after = track();
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(after.sessionIndex, 2);
    assert.equal(after.eventIndex, 1);
    assert.equal(track().sessionId, after.sessionId);
  });

  it('forgetSession keeping the user id restarts at session 1, no previous', async () => {
    const { track, session, store } = setup();
    track();
    track();
    const before = track();
    await session.forgetSession({ forgetUserId: false });
    const after = track();
    assert.equal(after.sessionIndex, 1);
    assert.equal(after.previousSessionId, null);
    assert.equal(after.userId, before.userId);
    assert.notEqual(after.sessionId, before.sessionId);
    // The kept user id is in the store, so a new instance keeps it even before any event.
    const stored = JSON.parse(store.getSession() ?? 'null');
    assert.equal(stored.userId, before.userId);
  });

  it('forgetSession forgetting the user id deletes the record, new user id', async () => {
    const { track, session, store } = setup();
    const before = track();
    await session.forgetSession({ forgetUserId: true });
    assert.equal(store.getSession(), undefined);
    const after = track();
    assert.notEqual(after.userId, before.userId);
    assert.equal(after.sessionIndex, 1);
    assert.equal(after.previousSessionId, null);
  });

  it('forgetSession without an explicit choice about the user id throws', () => {
    const { session } = setup();
    assert.throws(() => session.forgetSession({} as never), /explicit forgetUserId/);
    assert.throws(() => session.forgetSession(undefined as never), TypeError);
  });
});

describe('ClientSession: restarts', () => {
  it('resumes the stored session in a new instance within the timeout', async () => {
    const { track, session, store, clock } = setup();
    track();
    const before = track();
    await session.dispose();
    clock.advanceSeconds(30);
    const reloaded = new CheckedClientSession({
      store,
      clock: clock.now,
      foregroundTimeoutSeconds: 60,
    });
    const after = track(reloaded);
    assert.equal(after.sessionId, before.sessionId);
    assert.equal(after.eventIndex, 3);
    assert.equal(after.userId, before.userId);
  });

  it('opens a new linked session in a new instance after the timeout', async () => {
    const { track, session, store, clock } = setup();
    const before = track();
    await session.dispose();
    clock.advanceSeconds(61);
    const reloaded = new CheckedClientSession({
      store,
      clock: clock.now,
      foregroundTimeoutSeconds: 60,
    });
    const after = track(reloaded);
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(after.sessionIndex, 2);
    assert.equal(after.userId, before.userId);
  });

  it('with newSessionOnStart opens a session at each start, as C++ does', async () => {
    const { track, session, store, clock } = setup();
    const before = track();
    await session.dispose();
    const restarted = new CheckedClientSession({
      store,
      clock: clock.now,
      newSessionOnStart: true,
    });
    const after = track(restarted);
    assert.equal(after.previousSessionId, before.sessionId);
    assert.equal(after.sessionIndex, 2);
    assert.equal(track(restarted).sessionId, after.sessionId);
  });

  it('keeps a requested new session across a restart', async () => {
    const { track, session, store, clock } = setup();
    const before = track();
    session.startNewSession();
    await session.dispose();
    const reloaded = new CheckedClientSession({ store, clock: clock.now });
    assert.equal(track(reloaded).previousSessionId, before.sessionId);
  });
});

describe('ClientSession: one store shared by two windows', () => {
  it('continues the same session and its event count in the other window', async () => {
    const { track, session, store, clock } = setup();
    const other = new CheckedClientSession({
      store,
      clock: clock.now,
      foregroundTimeoutSeconds: 60,
    });
    const a1 = track();
    await session.flush();
    const b1 = track(other);
    await other.flush();
    const a2 = track();
    assert.equal(b1.sessionId, a1.sessionId);
    assert.deepEqual([a1.eventIndex, b1.eventIndex, a2.eventIndex], [1, 2, 3]);
  });

  it("sees the other window's new session and reset", async () => {
    const { track, session, store, clock } = setup();
    const other = new CheckedClientSession({ store, clock: clock.now });
    const first = track();
    await session.flush();
    other.startNewSession();
    await other.flush();
    const second = track();
    assert.equal(second.previousSessionId, first.sessionId);
    assert.equal(second.sessionIndex, 2);
    await session.flush();

    await other.forgetSession({ forgetUserId: false });
    const third = track();
    assert.equal(third.sessionIndex, 1);
    assert.equal(third.previousSessionId, null);
    assert.equal(third.userId, first.userId);
  });

  it('converges on the last written session when both open one at once', async () => {
    const { track, session, store, clock } = setup();
    const other = new CheckedClientSession({ store, clock: clock.now });
    const mine = track();
    const theirs = track(other); // before either write: both open session 1
    assert.notEqual(mine.sessionId, theirs.sessionId);
    await session.flush();
    await other.flush(); // written last, so it wins
    const next = track();
    assert.equal(next.sessionId, theirs.sessionId);
    assert.equal(next.sessionIndex, 1);
    assert.equal(next.eventIndex, 2);
  });

  it('never moves the session index backwards on a late write from another window', async () => {
    const { track, session, store, clock } = setup();
    const laggard = new CheckedClientSession({ store, clock: clock.now });
    track();
    await session.flush();
    track(laggard);
    session.startNewSession();
    const ahead = track();
    assert.equal(ahead.sessionIndex, 2);
    await session.flush();
    // The laggard counted an event in session 1 before it saw session 2, and writes late.
    await laggard.flush();
    const after = track();
    assert.ok(after.sessionIndex >= 2);
    assert.equal(after.sessionId, ahead.sessionId);
    await session.flush();
    assert.equal(JSON.parse(store.getSession() ?? '{}').sessionIndex, 2);
  });

  it('reports a session started in another window through onDidChangeSession', async () => {
    const { track, session, store, clock } = setup();
    const other = new CheckedClientSession({ store, clock: clock.now });
    const seen: string[] = [];
    session.onDidChangeSession((e) => seen.push(e.kind === 'started' ? e.reason : e.kind));
    track();
    await session.flush();
    other.startNewSession();
    track(other);
    await other.flush();
    session.snapshot();
    assert.deepEqual(seen, ['first', 'otherWindow']);
  });
});

describe('ClientSession: listeners', () => {
  it('isolates a listener that throws and still calls the others', () => {
    const { track, session, logger } = setup();
    const calls: string[] = [];
    session.onDidChangeSession(() => {
      throw new Error('listener bug');
    });
    session.onDidChangeSession((e) => calls.push(e.kind));
    track();
    assert.deepEqual(calls, ['started']);
    assert.match(logger.at('error')[0], /listener bug/);
  });

  it('stops calling a listener once its subscription is disposed', () => {
    const { track, session, clock } = setup();
    let calls = 0;
    const subscription = session.onDidChangeSession(() => calls++);
    track();
    subscription.dispose();
    clock.advanceSeconds(100);
    track();
    assert.equal(calls, 1);
  });

  it('fires onDidChangeState for events and focus changes', () => {
    const { track, session } = setup();
    let calls = 0;
    session.onDidChangeState(() => calls++);
    track();
    track();
    session.setIsBackground(true);
    assert.equal(calls, 3);
  });
});

describe('ClientSession: snapshot', () => {
  it('shows the entity the next event will carry without advancing anything', () => {
    const { track, session, clock } = setup();
    const before = session.snapshot();
    assert.equal(before.nextEventStartsSession, true);
    assert.equal(before.currentEntity, undefined);
    const first = track();
    assert.equal(first.sessionId, before.nextEntity.sessionId);
    assert.equal(first.userId, before.nextEntity.userId);

    clock.advanceSeconds(5);
    const peek1 = session.snapshot();
    const peek2 = session.snapshot();
    assert.deepEqual(peek1, peek2);
    assert.equal(peek1.nextEntity.eventIndex, 2);
    assert.equal(peek1.msUntilExpiry, 55_000);
    assert.deepEqual(track(), peek1.nextEntity);
  });

  it('shows what the store really holds, not what is pending', async () => {
    const { track, session, store } = setup();
    assert.equal(session.readStoredRecord(), undefined);
    const entity = track();
    assert.equal(session.readStoredRecord(), undefined, 'the write is still pending');
    await session.flush();
    assert.equal(
      (session.readStoredRecord() as { session: { sessionId: string } }).session.sessionId,
      entity.sessionId,
    );
    store.setSession('not json');
    assert.equal(session.readStoredRecord(), 'not json');
  });

  it('previews the session that the next event will open after a timeout', () => {
    const { track, session, clock } = setup();
    const first = track();
    clock.advanceSeconds(61);
    const peek = session.snapshot();
    assert.equal(peek.nextEventStartsSession, true);
    assert.equal(peek.msUntilExpiry, 0);
    assert.equal(peek.nextEntity.previousSessionId, first.sessionId);
    assert.equal(peek.nextEntity.firstEventId, null);
    const opened = track();
    assert.equal(opened.sessionId, peek.nextEntity.sessionId);
    assert.equal(opened.sessionIndex, peek.nextEntity.sessionIndex);
  });
});

describe('ClientSession: persistence', () => {
  it('writes a burst of events in one tick as one store write', async () => {
    const clock = new FakeClock();
    let writes = 0;
    const inner = new InMemorySessionStore();
    const store = {
      storageMechanism: inner.storageMechanism,
      getSession: () => inner.getSession(),
      setSession: (json: string) => {
        writes++;
        inner.setSession(json);
      },
      deleteSession: () => inner.deleteSession(),
    };
    const session = new CheckedClientSession({ store, clock: clock.now });
    let last;
    for (let i = 0; i < 1000; i++) {
      last = session.update(eventId(), clock.now());
    }
    assert.equal(writes, 0, 'the update itself does no I/O');
    await session.flush();
    assert.equal(writes, 1);
    const stored = JSON.parse(inner.getSession() ?? '{}');
    assert.equal(stored.version, SESSION_RECORD_VERSION);
    assert.equal(stored.session.eventIndex, 1000);
    assert.equal(stored.session.sessionId, last?.sessionId);
  });

  it('writes a steady stream of events at most once per interval', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const clock = new FakeClock();
    let writes = 0;
    const inner = new InMemorySessionStore();
    const store = {
      storageMechanism: inner.storageMechanism,
      getSession: () => inner.getSession(),
      setSession: (json: string) => {
        writes++;
        inner.setSession(json);
      },
      deleteSession: () => inner.deleteSession(),
    };
    const session = new CheckedClientSession({ store, clock: clock.now, minWriteIntervalMs: 100 });
    // 100 events a second for two seconds.
    for (let i = 0; i < 200; i++) {
      session.update(eventId(), clock.now());
      t.mock.timers.tick(10);
      // Let the write's promise settle between ticks, as the event loop would.
      await Promise.resolve();
      await Promise.resolve();
    }
    t.mock.timers.tick(100);
    await Promise.resolve();
    assert.ok(writes >= 19 && writes <= 21, `${writes} writes in 2 s`);
    assert.equal(JSON.parse(inner.getSession() ?? '{}').session.eventIndex, 200);
    mock.timers.reset();
  });

  it('never has two writes in flight and writes the latest state last', async () => {
    const clock = new FakeClock();
    const inner = new InMemorySessionStore();
    const pending: Array<() => void> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const store = {
      storageMechanism: inner.storageMechanism,
      getSession: () => inner.getSession(),
      setSession: (json: string) => {
        inner.setSession(json);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise<void>((resolve) =>
          pending.push(() => {
            inFlight--;
            resolve();
          }),
        );
      },
      deleteSession: () => inner.deleteSession(),
    };
    const session = new CheckedClientSession({ store, clock: clock.now, minWriteIntervalMs: 0 });
    session.update(eventId(), clock.now());
    const flushed = session.flush();
    session.update(eventId(), clock.now());
    session.update(eventId(), clock.now());
    while (pending.length > 0 || inFlight > 0) {
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flushed;
    await session.flush();
    while (pending.length > 0) {
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(maxInFlight, 1);
    assert.equal(JSON.parse(inner.getSession() ?? '{}').session.eventIndex, 3);
  });

  it('flushes pending state on dispose, and dispose is safe twice', async () => {
    const { track, session, store } = setup();
    track();
    track();
    await session.dispose();
    await session.dispose();
    assert.equal(JSON.parse(store.getSession() ?? '{}').session.eventIndex, 2);
  });

  it('after dispose, logs once and saves nothing more', async () => {
    const { track, session, store, logger } = setup();
    track();
    await session.dispose();
    const saved = store.getSession();
    track();
    session.startNewSession();
    await session.flush();
    assert.equal(store.getSession(), saved);
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0], /after dispose/);
  });
});

describe('ClientSession: misuse throws precise errors', () => {
  const store = new InMemorySessionStore();

  it('rejects a missing or incomplete store', () => {
    assert.throws(() => new CheckedClientSession(undefined as never), /options object/);
    assert.throws(
      () => new CheckedClientSession({} as never),
      /getSession, setSession and deleteSession/,
    );
    assert.throws(
      () => new CheckedClientSession({ store: { getSession() {} } as never }),
      /getSession, setSession and deleteSession/,
    );
  });

  for (const bad of [0, -1, Number.NaN, Infinity, '60', 30 * 24 * 3600 + 1]) {
    it(`rejects the timeout ${String(bad)}`, () => {
      assert.throws(
        () => new CheckedClientSession({ store, foregroundTimeoutSeconds: bad as number }),
        /foregroundTimeoutSeconds must be a number of seconds/,
      );
      assert.throws(
        () => new CheckedClientSession({ store, backgroundTimeoutSeconds: bad as number }),
        /backgroundTimeoutSeconds must be a number of seconds/,
      );
    });
  }

  it('rejects event ids that are not UUIDs and timestamps that are not times', () => {
    const session = new CheckedClientSession({ store: new InMemorySessionStore() });
    assert.throws(() => session.update('event-1', Date.now()), /event id as a UUID/);
    assert.throws(() => session.update(undefined as never, Date.now()), TypeError);
    assert.throws(() => session.update(eventId(), Number.NaN), /timestamp in ms/);
    assert.throws(() => session.update(eventId(), 1e20), /timestamp in ms/);
    assert.throws(() => session.update(eventId(), '2026-01-01' as never), TypeError);
  });

  it('rejects a non-boolean background state', () => {
    const session = new CheckedClientSession({ store: new InMemorySessionStore() });
    assert.throws(() => session.setIsBackground('yes' as never), /expects a boolean/);
  });

  it('rejects an id generator that does not make lowercase UUIDs', () => {
    assert.throws(
      () =>
        new CheckedClientSession({
          store: new InMemorySessionStore(),
          generateId: () => 'ABCDEF00-0000-4000-8000-000000000000',
        }),
      /lowercase UUID/,
    );
  });
});

describe('ClientSession: runtime faults stay off the tracking path', () => {
  it('falls back to Date.now when the clock throws, warning once', () => {
    const logger = new RecordingLogger();
    const session = new CheckedClientSession({
      store: new InMemorySessionStore(),
      logger,
      clock: () => {
        throw new Error('no time');
      },
    });
    assertValidEntity(session.update(eventId(), Date.now()));
    assertValidEntity(session.update(eventId(), Date.now()));
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0], /clock failed \(no time\)/);
  });

  it('keeps the session index at the schema maximum instead of overflowing', () => {
    const clock = new FakeClock();
    const store = new InMemorySessionStore({
      initialSession: JSON.stringify({
        version: 1,
        userId: '0f8fad5b-d9cb-469f-a165-70867728950e',
        sessionIndex: MAX_INDEX,
        resetCount: 0,
        newSessionRequested: true,
        session: {
          sessionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          previousSessionId: null,
          eventIndex: MAX_INDEX,
          firstEventId: '7c9e6679-7425-40de-944b-e07fc1f90ae8',
          firstEventTimestamp: '2026-01-01T00:00:00.000Z',
          lastActivity: clock.now(),
        },
      }),
    });
    const session = new CheckedClientSession({ store, clock: clock.now });
    const entity = session.update(eventId(), clock.now());
    assertValidEntity(entity);
    assert.equal(entity.sessionIndex, MAX_INDEX);
  });

  it('is quiet at info level and above in normal use', async () => {
    const { track, session, clock, logger } = setup();
    for (let i = 0; i < 5; i++) {
      track();
      clock.advanceSeconds(100);
      session.setIsBackground(i % 2 === 0);
    }
    await session.flush();
    assert.deepEqual(
      logger.lines.filter((l) => !['trace', 'debug'].includes(l.level)),
      [],
    );
  });
});
