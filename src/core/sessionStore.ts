import type { StorageMechanism } from './entity';

/**
 * Where a {@link ClientSession} keeps its state between events, reloads and windows: the
 * session as one JSON string, read, replaced or deleted whole (the C++ tracker's
 * `SessionStore`, in TypeScript naming).
 *
 * `getSession` is synchronous because the session reads it before every event (so that
 * events and new sessions of other windows sharing the store are seen) and that update
 * does no I/O: a store keeps what it holds in memory, as VS Code's `Memento` does.
 * Writes may complete later; the session serializes them and never has two in flight.
 *
 * A store may throw or reject: the session logs one warning, goes on in memory and
 * tries again on its next write.
 */
export interface SessionStore {
  /** What this store reports as the entity's `storageMechanism`. */
  readonly storageMechanism: StorageMechanism;
  /** The stored session JSON, or `undefined` when there is none. */
  getSession(): string | undefined;
  /** Replaces the stored session with `sessionJson`. */
  setSession(sessionJson: string): void | PromiseLike<void>;
  /** Forgets the stored session. */
  deleteSession(): void | PromiseLike<void>;
}

/** Options of {@link InMemorySessionStore}. */
export interface InMemorySessionStoreOptions {
  /**
   * The `storageMechanism` to report. The schema has no value for memory; the default,
   * `'LOCAL_STORAGE'`, is what Snowplow's mobile trackers report for app-local storage.
   * @default 'LOCAL_STORAGE'
   */
  readonly storageMechanism?: StorageMechanism;
  /** Session JSON to start with, as if stored by an earlier run. @default undefined */
  readonly initialSession?: string;
}

/**
 * A {@link SessionStore} in memory: for sessions that need not outlive the process, for
 * hosts with nothing better, and for tests. Two sessions given the same instance share
 * state as two windows share `globalState`.
 */
export class InMemorySessionStore implements SessionStore {
  readonly storageMechanism: StorageMechanism;
  #session: string | undefined;

  constructor(options: InMemorySessionStoreOptions = {}) {
    this.storageMechanism = options.storageMechanism ?? 'LOCAL_STORAGE';
    this.#session = options.initialSession;
  }

  getSession(): string | undefined {
    return this.#session;
  }

  setSession(sessionJson: string): void {
    if (typeof sessionJson !== 'string') {
      throw new TypeError(`setSession expects a JSON string, got ${typeof sessionJson}`);
    }
    this.#session = sessionJson;
  }

  deleteSession(): void {
    this.#session = undefined;
  }
}
