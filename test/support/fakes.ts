/**
 * Hand-written test doubles shared by the unit tests: a clock the test moves, a logger
 * that remembers, and stores that fail on demand. None of them reach into the code under
 * test; they only stand where a host would.
 */
import assert from 'node:assert/strict';
import { validateData } from '../../scripts/iglu.cjs';
import { ClientSession } from '../../src/core/clientSession';
import type { ClientSessionEntity } from '../../src/core/entity';
import { CLIENT_SESSION_SCHEMA } from '../../src/core/entity';
import type { Logger } from '../../src/core/logger';
import type { SessionStore } from '../../src/core/sessionStore';
import { InMemorySessionStore } from '../../src/core/sessionStore';

/** A wall clock that only moves when the test says so; starts at 2026-01-01T00:00:00Z. */
export class FakeClock {
  nowMs = Date.UTC(2026, 0, 1);
  readonly now = (): number => this.nowMs;
  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}

/** A logger that keeps every line, by level. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string }> = [];
  trace(message: string): void {
    this.lines.push({ level: 'trace', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string | Error): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  at(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

/** An in-memory store that counts its writes and can be told to throw or reject. */
export class FlakyStore implements SessionStore {
  readonly inner: InMemorySessionStore;
  failReads = false;
  /** 'throw' fails synchronously, 'reject' returns a rejected promise. */
  failWrites: false | 'throw' | 'reject' = false;
  sets = 0;
  deletes = 0;

  constructor(initialSession?: string) {
    this.inner = new InMemorySessionStore({ initialSession });
  }
  get storageMechanism() {
    return this.inner.storageMechanism;
  }
  getSession(): string | undefined {
    if (this.failReads) {
      throw new Error('disk on fire');
    }
    return this.inner.getSession();
  }
  setSession(json: string): void | Promise<void> {
    this.sets++;
    if (this.failWrites === 'throw') {
      throw new Error('quota exceeded');
    }
    if (this.failWrites === 'reject') {
      return Promise.reject(new Error('storage unavailable'));
    }
    this.inner.setSession(json);
  }
  deleteSession(): void | Promise<void> {
    this.deletes++;
    if (this.failWrites === 'throw') {
      throw new Error('quota exceeded');
    }
    if (this.failWrites === 'reject') {
      return Promise.reject(new Error('storage unavailable'));
    }
    this.inner.deleteSession();
  }
}

let eventCounter = 0;

/** A fresh, valid event id (a UUID v4 with a recognisable counter at the end). */
export function eventId(): string {
  eventCounter++;
  return `00000000-0000-4000-8000-${eventCounter.toString(16).padStart(12, '0')}`;
}

/** Asserts that `entity` is valid against Snowplow's client_session 1-0-2 schema. */
export function assertValidEntity(entity: ClientSessionEntity | undefined): void {
  assert.ok(entity, 'expected an entity');
  assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, entity), []);
}

/**
 * A ClientSession whose every entity (from `update` and from `snapshot`) is checked against
 * the client_session 1-0-2 schema, so that no test can produce an invalid one unnoticed.
 */
export class CheckedClientSession extends ClientSession {
  override update(eventId: string, eventTimestampMs: number): ClientSessionEntity {
    const entity = super.update(eventId, eventTimestampMs);
    assertValidEntity(entity);
    return entity;
  }

  override snapshot(): ReturnType<ClientSession['snapshot']> {
    const snapshot = super.snapshot();
    assertValidEntity(snapshot.nextEntity);
    if (snapshot.currentEntity !== undefined) {
      assertValidEntity(snapshot.currentEntity);
    }
    return snapshot;
  }
}
