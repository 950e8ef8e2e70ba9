import type { Memento } from 'vscode';
import type { StorageMechanism } from '../core/entity';
import type { SessionStore } from '../core/sessionStore';

/** Options of {@link GlobalStateSessionStore}. */
export interface GlobalStateSessionStoreOptions {
  /**
   * Keeps this session apart from other sessions in the same `Memento`: two trackers in
   * one extension, or a library used by two extensions, never share a key. Letters,
   * digits, `.`, `_` and `-`, 1 to 64 characters.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * What the entity reports as `storageMechanism`. VS Code keeps `globalState` in an
   * SQLite database on the desktop (and for remote windows, whose UI is a desktop) and
   * in the browser's IndexedDB in VS Code for the Web and code-server, so
   * {@link createClientSession} passes `'SQLITE'` or `'LOCAL_STORAGE'` by `env.uiKind`;
   * the schema has no value closer to IndexedDB than `LOCAL_STORAGE`.
   * @default 'SQLITE'
   */
  readonly storageMechanism?: StorageMechanism;
}

/** The `globalState` key prefix of every session this library stores. */
export const GLOBAL_STATE_KEY_PREFIX = 'clientSession.session.';

const NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A {@link SessionStore} over an extension's `globalState` (or any `Memento`): one key per
 * namespace, shared by every window of the VS Code profile.
 *
 * The key is not registered with `setKeysForSync`, so Settings Sync never copies a session
 * to another machine: a session describes one installation's activity.
 *
 * VS Code writes `globalState` as one object per extension and throttles the writes; the
 * session is a few hundred bytes, and the session's own write-behind keeps updates to a
 * few per second at most.
 */
export class GlobalStateSessionStore implements SessionStore {
  readonly storageMechanism: StorageMechanism;
  /** The `globalState` key this store uses. */
  readonly key: string;

  /** @throws TypeError when the memento or the namespace is not usable. */
  constructor(
    private readonly memento: Memento,
    options: GlobalStateSessionStoreOptions = {},
  ) {
    if (
      typeof memento !== 'object' ||
      memento === null ||
      typeof memento.get !== 'function' ||
      typeof memento.update !== 'function'
    ) {
      throw new TypeError('GlobalStateSessionStore needs a Memento such as context.globalState');
    }
    const namespace = options.namespace ?? 'default';
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      throw new TypeError(
        `namespace must be 1-64 letters, digits, ".", "_" or "-", got ${JSON.stringify(namespace)}`,
      );
    }
    this.key = GLOBAL_STATE_KEY_PREFIX + namespace;
    this.storageMechanism = options.storageMechanism ?? 'SQLITE';
  }

  getSession(): string | undefined {
    return this.memento.get<string>(this.key);
  }

  setSession(sessionJson: string): PromiseLike<void> {
    return this.memento.update(this.key, sessionJson);
  }

  deleteSession(): PromiseLike<void> {
    // Memento has no delete: storing undefined removes the key.
    return this.memento.update(this.key, undefined);
  }
}
