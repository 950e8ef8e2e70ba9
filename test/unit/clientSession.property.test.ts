/**
 * Random sequences of what happens to a session in real use (events, focus changes, clock
 * jumps, restarts, resets, new-session requests, another program corrupting the store),
 * checked against the invariants every consumer of the entity relies on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ClientSessionEntity } from '../../src/core/entity';
import { InMemorySessionStore } from '../../src/core/sessionStore';
import {
  assertValidEntity,
  eventId,
  FakeClock,
  RecordingLogger,
  CheckedClientSession,
} from '../support/fakes';

type Step =
  | { kind: 'track' }
  | { kind: 'wait'; seconds: number }
  | { kind: 'focus'; background: boolean }
  | { kind: 'restart'; newSessionOnStart: boolean }
  | { kind: 'reset'; forgetUserId: boolean }
  | { kind: 'startNewSession' }
  | { kind: 'corrupt'; contents: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'track' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -30, max: 200 }))
      .map((seconds) => ({ kind: 'wait' as const, seconds })),
  },
  {
    weight: 2,
    arbitrary: fc.boolean().map((background) => ({ kind: 'focus' as const, background })),
  },
  {
    weight: 1,
    arbitrary: fc
      .boolean()
      .map((newSessionOnStart) => ({ kind: 'restart' as const, newSessionOnStart })),
  },
  {
    weight: 1,
    arbitrary: fc.boolean().map((forgetUserId) => ({ kind: 'reset' as const, forgetUserId })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'startNewSession' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string(),
        fc.json(),
        fc.constant('{}'),
        fc.constant('{"version":1,"userId":"x","sessionIndex":-1}'),
      )
      .map((contents) => ({ kind: 'corrupt' as const, contents })),
  },
);

describe('ClientSession under random use', () => {
  it('always yields valid entities with consistent indices and first events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 80 }), async (steps) => {
        const clock = new FakeClock();
        const store = new InMemorySessionStore();
        const make = (newSessionOnStart = false) =>
          new CheckedClientSession({
            store,
            clock: clock.now,
            logger: new RecordingLogger(),
            foregroundTimeoutSeconds: 60,
            backgroundTimeoutSeconds: 10,
            newSessionOnStart,
          });
        let session = make();
        let background = false;

        let last: ClientSessionEntity | undefined;
        // Set when nothing can be known of the past: after a reset, or a restart that read
        // a corrupted store. Then the index may start again and no previous id is owed.
        let historyLost = false;
        let storeCorrupted = false;
        const firstEventOf = new Map<string, string>();

        for (const s of steps) {
          switch (s.kind) {
            case 'track': {
              const id = eventId();
              const entity = session.update(id, clock.now());
              assertValidEntity(entity);
              if (!firstEventOf.has(entity.sessionId)) {
                firstEventOf.set(entity.sessionId, id);
                assert.equal(entity.eventIndex, 1, 'a new session starts at event 1');
                if (last !== undefined && !historyLost) {
                  assert.equal(entity.previousSessionId, last.sessionId);
                  assert.equal(entity.sessionIndex, last.sessionIndex + 1);
                }
              } else {
                assert.equal(entity.sessionId, last?.sessionId, 'an old session never returns');
                assert.equal(entity.eventIndex, (last?.eventIndex ?? 0) + 1);
                assert.equal(entity.sessionIndex, last?.sessionIndex);
              }
              assert.equal(entity.firstEventId, firstEventOf.get(entity.sessionId));
              if (last !== undefined && !historyLost) {
                assert.ok(entity.sessionIndex >= last.sessionIndex, 'index never decreases');
                assert.equal(entity.userId, last.userId);
              }
              last = entity;
              historyLost = false;
              break;
            }
            case 'wait':
              clock.advanceSeconds(s.seconds);
              break;
            case 'focus':
              session.setIsBackground(s.background);
              background = s.background;
              break;
            case 'restart':
              await session.dispose();
              historyLost ||= storeCorrupted;
              storeCorrupted = false;
              session = make(s.newSessionOnStart);
              session.setIsBackground(background);
              break;
            case 'reset':
              await session.forgetSession({ forgetUserId: s.forgetUserId });
              storeCorrupted = false;
              historyLost = true;
              break;
            case 'startNewSession':
              session.startNewSession();
              break;
            case 'corrupt':
              // Another program writes; what we wrote before is flushed first, as it
              // would have been long before anyone edited the store by hand.
              await session.flush();
              store.setSession(s.contents);
              storeCorrupted = true;
              break;
          }
        }
        await session.dispose();
      }),
      { numRuns: 300 },
    );
  });
});
