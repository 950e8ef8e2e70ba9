/**
 * Snowplow client sessions, independent of any host: the rules of Snowplow's trackers for
 * when a session starts and what its `client_session` entity says, kept in a
 * {@link SessionStore} that several windows (or processes) may share.
 */
import { v4 as uuidv4 } from 'uuid';
import type { ClientSessionEntity, StorageMechanism } from './entity';
import { MAX_INDEX } from './entity';
import type { Event } from './event';
import { describeError, Emitter } from './event';
import type { Logger } from './logger';
import { guardLogger, silentLogger } from './logger';
import type { SessionRecord, StoredSession } from './sessionRecord';
import {
  isLowercaseUuid,
  isUuid,
  parseSessionRecord,
  SESSION_RECORD_VERSION,
} from './sessionRecord';
import type { SessionStore } from './sessionStore';

/** Snowplow's mobile trackers' default for both timeouts: 30 minutes, in seconds. */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 30 * 60;

/** The longest timeout accepted: 30 days, in seconds. */
export const MAX_SESSION_TIMEOUT_SECONDS = 30 * 24 * 60 * 60;

/** Options of {@link ClientSession}. Only `store` is required. */
export interface ClientSessionOptions {
  /** Where the session is kept between events, reloads and windows. */
  readonly store: SessionStore;
  /**
   * Inactivity after which the next event opens a new session, while in the foreground,
   * in seconds (fractions allowed, at most {@link MAX_SESSION_TIMEOUT_SECONDS}).
   * @default 1800 (30 minutes)
   */
  readonly foregroundTimeoutSeconds?: number;
  /**
   * The same while in the background (in VS Code: while the window is not focused).
   * @default 1800 (30 minutes)
   */
  readonly backgroundTimeoutSeconds?: number;
  /**
   * Whether the session starts in the background. The VS Code binding sets this from
   * `window.state` and follows focus changes afterwards.
   * @default false
   */
  readonly isBackground?: boolean;
  /**
   * `true` gives the C++ tracker's behaviour: every new instance (window reload, new
   * extension host) opens a new session at its first event. By default a stored session
   * is resumed while its last activity is within the timeout.
   * @default false
   */
  readonly newSessionOnStart?: boolean;
  /**
   * Current wall-clock time in ms since the epoch. Sessions persist across processes, so
   * this must be wall-clock time, not a monotonic clock.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Makes ids for new sessions and users; must return lowercase UUIDs.
   * @default uuid's v4
   */
  readonly generateId?: () => string;
  /** Where diagnostics go. @default a logger that drops everything */
  readonly logger?: Logger;
  /**
   * Least time between two store writes, in ms. Writes are coalesced: a burst of events
   * in one tick is one write, and a steady stream is one write per interval at most.
   * @default 100
   */
  readonly minWriteIntervalMs?: number;
}

/** Why a new session was opened, as told by {@link SessionChangeEvent}. */
export type SessionStartReason =
  | 'first' // no session was stored
  | 'requested' // startNewSession, or an expiry seen at a focus change
  | 'timeout' // inactivity longer than the timeout of the current state
  | 'clockWentBack' // the last activity is later than now
  | 'invalidStore' // the stored record could not be trusted
  | 'newInstance' // newSessionOnStart
  | 'otherWindow'; // another user of the store opened it

/** What {@link ClientSession.onDidChangeSession} reports. */
export type SessionChangeEvent =
  | {
      readonly kind: 'started';
      readonly reason: SessionStartReason;
      readonly entity: ClientSessionEntity;
    }
  | { readonly kind: 'reset'; readonly userIdForgotten: boolean };

/** Options of {@link ClientSession.forgetSession}; the choice must be made explicitly. */
export interface ForgetSessionOptions {
  /**
   * `true` also forgets the user id: the next event carries a new one, as if on a new
   * machine. `false` keeps it, so the user's sessions stay linked across the reset.
   */
  readonly forgetUserId: boolean;
}

/** A read-only view of the session state, for display; nothing is advanced to make it. */
export interface SessionSnapshot {
  /** The entity the next event would carry (with `firstEventId` null if it opens a session). */
  readonly nextEntity: ClientSessionEntity;
  /** Whether the next event opens a new session. */
  readonly nextEventStartsSession: boolean;
  /** The entity of the last event counted, if a session is live. */
  readonly currentEntity: ClientSessionEntity | undefined;
  readonly isBackground: boolean;
  readonly foregroundTimeoutSeconds: number;
  readonly backgroundTimeoutSeconds: number;
  /** Ms until the session expires at the current state's timeout; 0 when it has. */
  readonly msUntilExpiry: number;
  /** Wall-clock time of the last activity, ms since the epoch, if a session is live. */
  readonly lastActivity: number | undefined;
}

type LiveSession = StoredSession;

const NEVER_READ = Symbol('never read');
const READ_FAILED = Symbol('read failed');

/**
 * A Snowplow client session.
 *
 * Call {@link update} once per tracked event, with the event's id and timestamp; attach
 * the returned entity to the event. A new session opens at an event when:
 *
 * | condition | `SessionStartReason` |
 * | --- | --- |
 * | no session is stored (first run, or after {@link forgetSession}) | `first` |
 * | {@link startNewSession} was called, here or in another window | `requested` |
 * | a focus change found the session expired under the state it left | `requested` |
 * | `now - lastActivity` exceeds the timeout of the current state | `timeout` |
 * | `now < lastActivity` (the clock went back) | `clockWentBack` |
 * | the stored record was not valid | `invalidStore` |
 * | `newSessionOnStart` is set and this instance has opened none yet | `newInstance` |
 *
 * The update is synchronous, does no I/O and never throws for runtime faults: the store
 * is read from memory before each event (so every window sharing it sees the others'
 * events and sessions) and written behind it, coalesced, serialized and flushed by
 * {@link flush} and {@link dispose}.
 *
 * Two windows tracking within the same store round trip (for VS Code's globalState about
 * 100 ms on the desktop, seen up to 7 s between code-server tabs) can both count an event
 * with the same `eventIndex`, or both open a
 * session with the same `sessionIndex`; the record written last wins, the other window
 * adopts it at its next event, and `sessionIndex` never goes backwards. Snowplow's browser
 * tracker has the same race between tabs.
 */
export class ClientSession {
  readonly #store: SessionStore;
  readonly #clock: () => number;
  readonly #generateId: () => string;
  readonly #logger: Logger;
  readonly #minWriteIntervalMs: number;
  #foregroundTimeoutMs: number;
  #backgroundTimeoutMs: number;
  #isBackground: boolean;

  #userId: string;
  #sessionIndex = 0;
  #resetCount = 0;
  #session: LiveSession | undefined;
  #newSessionRequested = false;
  #pendingReason: SessionStartReason | undefined;
  #nextSessionId: string | undefined;

  /** The raw value last read from or written to the store: unchanged means nothing to merge. */
  #lastSeenRaw: string | undefined | typeof NEVER_READ = NEVER_READ;
  #storeReadFailed = false;
  #clockFailed = false;
  #warnedUseAfterDispose = false;

  #dirty = false;
  #deletePending = false;
  #writeTimer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #writeFailed = false;
  /** Real time (not the session clock) at which the last store operation started, in ms. */
  #lastWriteStartedAt = -Infinity;
  #disposed = false;

  readonly #onDidChangeSession: Emitter<SessionChangeEvent>;
  readonly #onDidChangeState: Emitter<void>;

  /**
   * Fires after a session starts (here, or in another window as seen at the next read) or is
   * reset.
   */
  readonly onDidChangeSession: Event<SessionChangeEvent>;
  /**
   * Fires after anything a {@link snapshot} shows has changed: an event counted, a focus
   * change, a timeout setting, another window's write seen. Meant for live displays.
   */
  readonly onDidChangeState: Event<void>;

  /** @throws TypeError when an option has the wrong type or range. */
  constructor(options: ClientSessionOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('ClientSession expects an options object with at least a store');
    }
    this.#store = checkStore(options.store);
    this.#foregroundTimeoutMs =
      checkTimeout('foregroundTimeoutSeconds', options.foregroundTimeoutSeconds) * 1000;
    this.#backgroundTimeoutMs =
      checkTimeout('backgroundTimeoutSeconds', options.backgroundTimeoutSeconds) * 1000;
    this.#isBackground = checkOptionalType('isBackground', options.isBackground, 'boolean', false);
    const newSessionOnStart = checkOptionalType(
      'newSessionOnStart',
      options.newSessionOnStart,
      'boolean',
      false,
    );
    this.#clock = checkOptionalType('clock', options.clock, 'function', Date.now);
    this.#generateId = checkOptionalType('generateId', options.generateId, 'function', uuidv4);
    this.#logger = options.logger === undefined ? silentLogger : guardLogger(options.logger);
    this.#minWriteIntervalMs = options.minWriteIntervalMs ?? 100;
    if (!Number.isFinite(this.#minWriteIntervalMs) || this.#minWriteIntervalMs < 0) {
      throw new TypeError(
        `minWriteIntervalMs must be a number of ms >= 0, got ${String(options.minWriteIntervalMs)}`,
      );
    }

    this.#onDidChangeSession = new Emitter(this.#logger);
    this.#onDidChangeState = new Emitter(this.#logger);
    this.onDidChangeSession = this.#onDidChangeSession.event;
    this.onDidChangeState = this.#onDidChangeState.event;

    this.#userId = this.#newId();
    this.#syncFromStore();
    if (newSessionOnStart) {
      this.#requestNewSession('newInstance');
    }
  }

  /**
   * Counts one event and returns the entity to attach to it, opening a new session first
   * if one is due (see the class comment for when).
   *
   * @param eventId The event's id (a UUID); becomes `firstEventId` if the event opens a session.
   * @param eventTimestampMs The event's own time in ms since the epoch; becomes
   *   `firstEventTimestamp` if the event opens a session.
   * @throws TypeError when `eventId` is not a UUID or the timestamp is not a valid time.
   */
  update(eventId: string, eventTimestampMs: number): ClientSessionEntity {
    if (!isUuid(eventId)) {
      throw new TypeError(`update expects the event id as a UUID, got ${JSON.stringify(eventId)}`);
    }
    if (!isValidTime(eventTimestampMs)) {
      throw new TypeError(
        `update expects the event timestamp in ms since the epoch, got ${String(eventTimestampMs)}`,
      );
    }
    // After dispose the event still gets an entity (the caller needs one), from memory.
    this.#warnIfDisposed('update');
    this.#syncFromStore();
    const now = this.#now();
    const reason = this.#newSessionReason(now);
    let session = this.#session;
    if (reason !== undefined || session === undefined) {
      session = this.#openSession(eventId, eventTimestampMs, now);
      this.#scheduleWrite();
      const entity = this.#entityOf(session);
      const why = reason ?? 'first';
      this.#logger.debug(`Session ${entity.sessionIndex} started (${why}): ${entity.sessionId}`);
      this.#onDidChangeSession.fire({ kind: 'started', reason: why, entity });
      this.#fireStateChange();
      return entity;
    }
    if (session.eventIndex < MAX_INDEX) {
      session.eventIndex++;
    }
    session.lastActivity = now;
    this.#scheduleWrite();
    this.#fireStateChange();
    return this.#entityOf(session);
  }

  /**
   * Tells the session whether the app is in the background (in VS Code: the window is not
   * focused). As in Snowplow's trackers, a change first checks whether the session expired
   * under the timeout of the state being left; if so, the next event opens a new one.
   * A change also counts as activity.
   * @throws TypeError when `isBackground` is not a boolean.
   */
  setIsBackground(isBackground: boolean): void {
    if (typeof isBackground !== 'boolean') {
      throw new TypeError(`setIsBackground expects a boolean, got ${typeof isBackground}`);
    }
    if (isBackground === this.#isBackground || this.#warnIfDisposed('setIsBackground')) {
      return;
    }
    this.#syncFromStore();
    const now = this.#now();
    const session = this.#session;
    if (session !== undefined && !this.#newSessionRequested) {
      const reason = this.#newSessionReason(now);
      if (reason !== undefined) {
        this.#requestNewSession(reason === 'timeout' ? 'requested' : reason);
      } else {
        session.lastActivity = now;
      }
      this.#scheduleWrite();
    }
    this.#isBackground = isBackground;
    this.#logger.debug(`Now in the ${isBackground ? 'background' : 'foreground'}`);
    this.#fireStateChange();
  }

  /** Whether the session is in the background (its timeout is the background one). */
  get isBackground(): boolean {
    return this.#isBackground;
  }

  /** The foreground timeout in seconds. */
  get foregroundTimeoutSeconds(): number {
    return this.#foregroundTimeoutMs / 1000;
  }

  /** The background timeout in seconds. */
  get backgroundTimeoutSeconds(): number {
    return this.#backgroundTimeoutMs / 1000;
  }

  /**
   * Changes the timeouts, e.g. when the user edits the settings; they apply from the next
   * check on. An omitted value is left as it is.
   * @throws TypeError when a value is not a number of seconds in range.
   */
  setTimeouts(timeouts: {
    readonly foregroundTimeoutSeconds?: number;
    readonly backgroundTimeoutSeconds?: number;
  }): void {
    if (timeouts.foregroundTimeoutSeconds !== undefined) {
      this.#foregroundTimeoutMs =
        checkTimeout('foregroundTimeoutSeconds', timeouts.foregroundTimeoutSeconds) * 1000;
    }
    if (timeouts.backgroundTimeoutSeconds !== undefined) {
      this.#backgroundTimeoutMs =
        checkTimeout('backgroundTimeoutSeconds', timeouts.backgroundTimeoutSeconds) * 1000;
    }
    this.#fireStateChange();
  }

  /**
   * Makes the next event open a new session, linked to this one by `previousSessionId`.
   * Lazy, as in Snowplow's mobile trackers: ids change at that event. Other windows sharing
   * the store see the request too.
   */
  startNewSession(): void {
    if (this.#warnIfDisposed('startNewSession')) {
      return;
    }
    this.#syncFromStore();
    this.#requestNewSession('requested');
    this.#scheduleWrite();
    this.#fireStateChange();
  }

  /**
   * **Forgets stored data.** Deletes the stored session, so the next event opens session
   * 1 with no previous session. With `forgetUserId: true` the user id is forgotten as
   * well and the next event carries a new one; with `false` the user id is written back
   * right after the delete.
   * @returns a promise that settles when the store has done it (it never rejects; a store
   *   fault is logged and the write is tried again later).
   * @throws TypeError when the choice about the user id is not given.
   */
  forgetSession(options: ForgetSessionOptions): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('forgetSession expects { forgetUserId: boolean }');
    }
    if (typeof options.forgetUserId !== 'boolean') {
      throw new TypeError(
        'forgetSession needs an explicit forgetUserId: true forgets the user id too, ' +
          'false keeps it',
      );
    }
    if (this.#warnIfDisposed('forgetSession')) {
      return Promise.resolve();
    }
    this.#syncFromStore();
    this.#session = undefined;
    this.#sessionIndex = 0;
    this.#resetCount = Math.min(this.#resetCount + 1, MAX_INDEX);
    this.#newSessionRequested = false;
    this.#pendingReason = undefined;
    this.#nextSessionId = undefined;
    if (options.forgetUserId) {
      this.#userId = this.#newId();
    }
    this.#deletePending = true;
    // Keeping the user id means writing it back: the store holds only one record.
    this.#dirty = !options.forgetUserId;
    this.#logger.debug(
      options.forgetUserId ? 'Session and user id forgotten' : 'Session forgotten; user id kept',
    );
    this.#onDidChangeSession.fire({ kind: 'reset', userIdForgotten: options.forgetUserId });
    this.#fireStateChange();
    this.#kickWrite();
    return this.flush();
  }

  /** A read-only view of the state, for display. Advances nothing and writes nothing. */
  snapshot(): SessionSnapshot {
    this.#syncFromStore();
    const now = this.#now();
    const session = this.#session;
    const startsSession = session === undefined || this.#newSessionReason(now) !== undefined;
    this.#nextSessionId ??= this.#newId();
    const nextEntity: ClientSessionEntity =
      startsSession || session === undefined
        ? {
            userId: this.#userId,
            sessionId: this.#nextSessionId,
            sessionIndex: Math.min(this.#sessionIndex + 1, MAX_INDEX),
            eventIndex: 1,
            previousSessionId: session?.sessionId ?? null,
            firstEventId: null,
            firstEventTimestamp: null,
            storageMechanism: this.#store.storageMechanism,
          }
        : { ...this.#entityOf(session), eventIndex: Math.min(session.eventIndex + 1, MAX_INDEX) };
    const timeoutMs = this.#currentTimeoutMs();
    return {
      nextEntity,
      nextEventStartsSession: startsSession,
      currentEntity: session === undefined ? undefined : this.#entityOf(session),
      isBackground: this.#isBackground,
      foregroundTimeoutSeconds: this.foregroundTimeoutSeconds,
      backgroundTimeoutSeconds: this.backgroundTimeoutSeconds,
      msUntilExpiry:
        startsSession || session === undefined
          ? 0
          : Math.max(0, session.lastActivity + timeoutMs - now),
      lastActivity: session?.lastActivity,
    };
  }

  /**
   * What the store holds right now, for inspection: the parsed record, the raw text when
   * it is not JSON, or `undefined` when the store holds nothing or cannot be read. Until a
   * pending write lands, this lags what {@link snapshot} shows.
   */
  readStoredRecord(): unknown {
    const raw = this.#peekStore();
    if (raw === READ_FAILED || typeof raw !== 'string') {
      return raw === READ_FAILED ? undefined : raw;
    }
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }

  /**
   * Writes what is not yet in the store. Resolves when the store has it; never rejects.
   * Safe to call at any time and after {@link dispose}.
   */
  async flush(): Promise<void> {
    // Each round either writes or waits for a write; a bounded loop keeps a store that
    // fails forever from holding the caller.
    for (let round = 0; round < 4; round++) {
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
        continue;
      }
      if (!this.#dirty && !this.#deletePending) {
        return;
      }
      this.#clearWriteTimer();
      this.#write();
    }
  }

  /**
   * Writes what is pending and releases listeners. Safe to call twice; after it, calls
   * that change the session log a warning and do nothing but count events in memory.
   * @returns the flush, for callers (like `deactivate`) that can wait for it.
   */
  dispose(): Promise<void> {
    if (!this.#disposed) {
      this.#disposed = true;
      this.#onDidChangeSession.dispose();
      this.#onDidChangeState.dispose();
    }
    return this.flush();
  }

  // --- session rules ---------------------------------------------------------------------

  #currentTimeoutMs(): number {
    return this.#isBackground ? this.#backgroundTimeoutMs : this.#foregroundTimeoutMs;
  }

  /** Why the next event must open a new session, or `undefined` if it continues this one. */
  #newSessionReason(now: number): SessionStartReason | undefined {
    const session = this.#session;
    if (session === undefined) {
      return this.#pendingReason ?? 'first';
    }
    if (this.#newSessionRequested) {
      return this.#pendingReason ?? 'requested';
    }
    if (now < session.lastActivity) {
      return 'clockWentBack';
    }
    if (now - session.lastActivity > this.#currentTimeoutMs()) {
      return 'timeout';
    }
    return undefined;
  }

  #requestNewSession(reason: SessionStartReason): void {
    this.#newSessionRequested = true;
    this.#pendingReason = reason;
  }

  #openSession(eventId: string, eventTimestampMs: number, now: number): LiveSession {
    const previous = this.#session;
    if (previous !== undefined && now < previous.lastActivity) {
      this.#logger.warn(
        `The session's last activity is ${previous.lastActivity - now} ms in the future: ` +
          'the clock went back or the stored record is wrong; starting a new session',
      );
    }
    const sessionId = this.#nextSessionId ?? this.#newId();
    this.#nextSessionId = undefined;
    const session: LiveSession = {
      sessionId,
      previousSessionId: previous?.sessionId ?? null,
      eventIndex: 1,
      firstEventId: eventId,
      firstEventTimestamp: new Date(eventTimestampMs).toISOString(),
      lastActivity: now,
    };
    this.#session = session;
    // The schema caps the index; a user who gets there keeps the last value.
    this.#sessionIndex = Math.min(this.#sessionIndex + 1, MAX_INDEX);
    this.#newSessionRequested = false;
    this.#pendingReason = undefined;
    return session;
  }

  #entityOf(session: LiveSession): ClientSessionEntity {
    return {
      userId: this.#userId,
      sessionId: session.sessionId,
      sessionIndex: this.#sessionIndex,
      eventIndex: session.eventIndex,
      previousSessionId: session.previousSessionId,
      firstEventId: session.firstEventId,
      firstEventTimestamp: session.firstEventTimestamp,
      storageMechanism: this.#store.storageMechanism as StorageMechanism,
    };
  }

  #record(): SessionRecord {
    return {
      version: SESSION_RECORD_VERSION,
      userId: this.#userId,
      sessionIndex: this.#sessionIndex,
      resetCount: this.#resetCount,
      newSessionRequested: this.#newSessionRequested,
      session: this.#session === undefined ? null : { ...this.#session },
    };
  }

  // --- reading the shared store -----------------------------------------------------------

  /** Merges what another user of the store wrote since we last looked. */
  #syncFromStore(): void {
    let raw: string | undefined;
    try {
      raw = this.#store.getSession();
    } catch (error) {
      if (!this.#storeReadFailed) {
        this.#storeReadFailed = true;
        this.#logger.warn(
          `Could not read the session store (${describeError(error)}); ` +
            'going on with the session in memory',
        );
      }
      return;
    }
    this.#storeReadFailed = false;
    if (raw === this.#lastSeenRaw) {
      return;
    }
    const firstRead = this.#lastSeenRaw === NEVER_READ;
    this.#lastSeenRaw = raw;

    if (raw === undefined) {
      if (!firstRead) {
        this.#adoptDeletion();
      }
      return;
    }
    if (typeof raw !== 'string') {
      this.#adoptInvalid(firstRead, [`it is a ${typeof raw}, not a JSON string`], {});
      return;
    }
    const parsed = parseSessionRecord(raw);
    if (!parsed.ok) {
      this.#adoptInvalid(firstRead, parsed.problems, parsed.salvaged);
      return;
    }
    this.#merge(parsed.record, firstRead);
  }

  #merge(stored: SessionRecord, firstRead: boolean): void {
    const ours = this.#session;
    const theirs = stored.session;
    let adoptWhole: boolean;
    if (firstRead || stored.resetCount !== this.#resetCount) {
      // A higher reset count is a reset we have not seen; a lower one is a late write from
      // before a reset we made, and our next write replaces it.
      adoptWhole = firstRead || stored.resetCount > this.#resetCount;
    } else if (stored.sessionIndex !== this.#sessionIndex) {
      adoptWhole = stored.sessionIndex > this.#sessionIndex;
    } else if (theirs !== null && ours !== undefined && theirs.sessionId === ours.sessionId) {
      // The same session, continued elsewhere: keep the furthest count and activity.
      ours.eventIndex = Math.max(ours.eventIndex, theirs.eventIndex);
      ours.lastActivity = Math.max(ours.lastActivity, theirs.lastActivity);
      if (stored.newSessionRequested && !this.#newSessionRequested) {
        this.#requestNewSession('requested');
      }
      this.#fireStateChange();
      return;
    } else {
      // Two sessions with one index: the one stored last wins everywhere.
      adoptWhole = theirs !== null;
    }
    if (!adoptWhole) {
      this.#dirty = true;
      return;
    }
    const sessionChanged = theirs?.sessionId !== ours?.sessionId;
    this.#userId = stored.userId;
    this.#sessionIndex = stored.sessionIndex;
    this.#resetCount = stored.resetCount;
    this.#session = theirs === null ? undefined : { ...theirs };
    this.#newSessionRequested = stored.newSessionRequested;
    this.#pendingReason = stored.newSessionRequested ? 'requested' : undefined;
    this.#nextSessionId = undefined;
    if (!firstRead && sessionChanged) {
      if (this.#session === undefined) {
        this.#onDidChangeSession.fire({ kind: 'reset', userIdForgotten: false });
      } else {
        const entity = this.#entityOf(this.#session);
        this.#logger.debug(`Session ${entity.sessionIndex} started in another window`);
        this.#onDidChangeSession.fire({ kind: 'started', reason: 'otherWindow', entity });
      }
    }
    if (!firstRead) {
      this.#fireStateChange();
    }
  }

  /** The record vanished: another user of the store forgot everything. */
  #adoptDeletion(): void {
    this.#session = undefined;
    this.#sessionIndex = 0;
    this.#resetCount = Math.min(this.#resetCount + 1, MAX_INDEX);
    this.#userId = this.#newId();
    this.#newSessionRequested = false;
    this.#pendingReason = undefined;
    this.#nextSessionId = undefined;
    this.#logger.debug('The stored session was deleted elsewhere; the next event starts anew');
    this.#onDidChangeSession.fire({ kind: 'reset', userIdForgotten: true });
    this.#fireStateChange();
  }

  #adoptInvalid(
    firstRead: boolean,
    problems: string[],
    salvaged: { userId?: string; sessionIndex?: number; resetCount?: number },
  ): void {
    const kept: string[] = [];
    if (firstRead) {
      if (salvaged.userId !== undefined) {
        this.#userId = salvaged.userId;
        kept.push('user id');
      }
      if (salvaged.sessionIndex !== undefined) {
        this.#sessionIndex = salvaged.sessionIndex;
        kept.push('session index');
      }
      if (salvaged.resetCount !== undefined) {
        this.#resetCount = salvaged.resetCount;
      }
      this.#session = undefined;
      this.#requestNewSession('invalidStore');
    } else {
      // We hold a valid session already; the bad write does not get to undo it.
      kept.push('the session in memory');
    }
    this.#logger.warn(
      `The stored session is not valid: ${problems.join('; ')}. ` +
        `Kept ${kept.length > 0 ? kept.join(' and ') : 'nothing'}; ` +
        'the next event starts a new session and overwrites it.',
    );
    if (!firstRead) {
      this.#dirty = true;
    }
  }

  // --- writing behind ----------------------------------------------------------------------

  #scheduleWrite(): void {
    if (this.#disposed) {
      return;
    }
    this.#dirty = true;
    this.#kickWrite();
  }

  /**
   * Schedules the next write: at the end of this tick if the last one started at least an
   * interval ago, else at the end of that interval. So a burst in one tick is one write,
   * and a steady stream one write per interval.
   */
  #kickWrite(): void {
    if (this.#writeTimer !== undefined || this.#inFlight !== undefined || this.#disposed) {
      return;
    }
    const sinceLastWrite = Date.now() - this.#lastWriteStartedAt;
    const delay = Math.min(
      this.#minWriteIntervalMs,
      Math.max(0, this.#minWriteIntervalMs - sinceLastWrite),
    );
    this.#writeTimer = unrefTimer(
      setTimeout(() => {
        this.#writeTimer = undefined;
        this.#write();
      }, delay),
    );
  }

  #clearWriteTimer(): void {
    if (this.#writeTimer !== undefined) {
      clearTimeout(this.#writeTimer);
      this.#writeTimer = undefined;
    }
  }

  /** Starts one store operation (delete, then set, as needed); never two at once. */
  #write(): void {
    if (this.#inFlight !== undefined || (!this.#dirty && !this.#deletePending)) {
      return;
    }
    const deleting = this.#deletePending;
    this.#lastWriteStartedAt = Date.now();
    let json: string | undefined;
    let operation: () => void | PromiseLike<void>;
    if (deleting) {
      this.#deletePending = false;
      operation = () => this.#store.deleteSession();
      this.#lastSeenRaw = undefined;
    } else {
      this.#dirty = false;
      json = JSON.stringify(this.#record());
      const value = json;
      operation = () => this.#store.setSession(value);
      // Stores show a write at once (VS Code's Memento does), so our own write is not
      // mistaken for another window's.
      this.#lastSeenRaw = json;
    }
    this.#inFlight = settle(operation).then((error) => {
      if (error === undefined) {
        if (this.#writeFailed) {
          this.#writeFailed = false;
          this.#logger.info('The session store works again');
        }
      } else {
        if (deleting) {
          this.#deletePending = true;
        } else {
          this.#dirty = true;
        }
        // The store still holds what it held: that is not another window's write.
        const current = this.#peekStore();
        if (current !== READ_FAILED) {
          this.#lastSeenRaw = current;
        }
        if (!this.#writeFailed) {
          this.#writeFailed = true;
          this.#logger.warn(
            `Could not ${deleting ? 'delete' : 'save'} the session in the store ` +
              `(${describeError(error)}); the session goes on in memory and the next write ` +
              'tries again',
          );
        }
      }
      this.#inFlight = undefined;
      // Deleting and then writing the kept user id go back to back; other writes wait for
      // the interval. After a failure the next event tries again.
      if (error === undefined && (this.#deletePending || (deleting && this.#dirty))) {
        this.#write();
      } else if (error === undefined && this.#dirty) {
        this.#kickWrite();
      }
    });
  }

  // --- small things ------------------------------------------------------------------------

  /** The store's current value, or {@link READ_FAILED}; never throws. */
  #peekStore(): string | undefined | typeof READ_FAILED {
    try {
      return this.#store.getSession();
    } catch {
      return READ_FAILED;
    }
  }

  #now(): number {
    try {
      const now = this.#clock();
      if (isValidTime(now)) {
        return now;
      }
      throw new Error(`it returned ${String(now)}`);
    } catch (error) {
      if (!this.#clockFailed) {
        this.#clockFailed = true;
        this.#logger.warn(`The session clock failed (${describeError(error)}); using Date.now`);
      }
      return Date.now();
    }
  }

  #newId(): string {
    const id = this.#generateId();
    if (!isLowercaseUuid(id)) {
      throw new TypeError(`generateId must return a lowercase UUID, got ${JSON.stringify(id)}`);
    }
    return id;
  }

  #fireStateChange(): void {
    if (this.#onDidChangeState.hasListeners) {
      this.#onDidChangeState.fire();
    }
  }

  /** Whether the session is disposed; the first use after dispose is logged. */
  #warnIfDisposed(method: string): boolean {
    if (this.#disposed && !this.#warnedUseAfterDispose) {
      this.#warnedUseAfterDispose = true;
      this.#logger.warn(`ClientSession.${method} was called after dispose; nothing is saved`);
    }
    return this.#disposed;
  }
}

function isValidTime(value: unknown): value is number {
  // Date's range: beyond it toISOString throws.
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}

function checkStore(store: SessionStore | undefined): SessionStore {
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.getSession !== 'function' ||
    typeof store.setSession !== 'function' ||
    typeof store.deleteSession !== 'function'
  ) {
    throw new TypeError(
      'ClientSession needs a store with getSession, setSession and deleteSession',
    );
  }
  return store;
}

function checkTimeout(name: string, value: number | undefined): number {
  if (value === undefined) {
    return DEFAULT_SESSION_TIMEOUT_SECONDS;
  }
  if (typeof value !== 'number' || !(value > 0) || value > MAX_SESSION_TIMEOUT_SECONDS) {
    throw new TypeError(
      `${name} must be a number of seconds in (0, ${MAX_SESSION_TIMEOUT_SECONDS}], ` +
        `got ${String(value)}`,
    );
  }
  return value;
}

function checkOptionalType<T>(
  name: string,
  value: T | undefined,
  type: 'boolean' | 'function',
  fallback: T,
): T {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== type) {
    throw new TypeError(`${name} must be a ${type}, got ${typeof value}`);
  }
  return value;
}

/** Runs a store operation and resolves with its error, or `undefined` if it succeeded. */
async function settle(operation: () => void | PromiseLike<void>): Promise<unknown> {
  try {
    await operation();
    return undefined;
  } catch (error) {
    return error ?? new Error('the store rejected without a reason');
  }
}

/** Keeps a pending write from holding a Node process open; browsers have no unref. */
function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
