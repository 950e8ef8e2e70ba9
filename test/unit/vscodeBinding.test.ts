import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Memento, WindowState } from 'vscode';
import {
  GLOBAL_STATE_KEY_PREFIX,
  GlobalStateSessionStore,
} from '../../src/vscode/globalStateSessionStore';
import { readTimeoutSettings } from '../../src/vscode/timeoutSettings';
import { bindWindowFocus } from '../../src/vscode/windowFocus';
import { assertValidEntity, eventId, FakeClock, CheckedClientSession } from '../support/fakes';

/**
 * A Memento that behaves as VS Code's globalState does for one extension: values readable
 * at once after `update`, `undefined` removes a key, every update counted.
 */
class FakeMemento implements Memento {
  readonly values = new Map<string, unknown>();
  updates = 0;
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.updates++;
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, value);
    }
    return Promise.resolve();
  }
}

/** Stands in for `vscode.window`'s focus state and its change event. */
class FakeWindow {
  state: WindowState = { focused: true, active: true };
  readonly #listeners = new Set<(state: WindowState) => unknown>();
  readonly onDidChangeWindowState = (listener: (state: WindowState) => unknown) => {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  };
  get listenerCount(): number {
    return this.#listeners.size;
  }
  setFocused(focused: boolean): void {
    this.state = { focused, active: focused };
    this.#listeners.forEach((listener) => listener(this.state));
  }
}

describe('GlobalStateSessionStore', () => {
  it('keeps the session under one key per namespace', async () => {
    const memento = new FakeMemento();
    const clock = new FakeClock();
    const a = new CheckedClientSession({
      store: new GlobalStateSessionStore(memento, { namespace: 'tracker-a' }),
      clock: clock.now,
    });
    const b = new CheckedClientSession({
      store: new GlobalStateSessionStore(memento, { namespace: 'tracker-b' }),
      clock: clock.now,
    });
    const a1 = a.update(eventId(), clock.now());
    await a.flush();
    const b1 = b.update(eventId(), clock.now());
    await b.flush();
    a.startNewSession();
    await a.flush();
    const b2 = b.update(eventId(), clock.now());

    assert.deepEqual([...memento.keys()].sort(), [
      `${GLOBAL_STATE_KEY_PREFIX}tracker-a`,
      `${GLOBAL_STATE_KEY_PREFIX}tracker-b`,
    ]);
    assert.notEqual(b1.sessionId, a1.sessionId);
    assert.notEqual(b1.userId, a1.userId);
    assert.equal(b1.eventIndex, 1, "b does not count a's event");
    assert.equal(b2.sessionId, b1.sessionId, "a's new session does not touch b");
  });

  it('removes its key on delete and leaves other keys alone', async () => {
    const memento = new FakeMemento();
    await memento.update('someOtherSetting', 42);
    const store = new GlobalStateSessionStore(memento);
    await store.setSession('{"x":1}');
    assert.equal(store.getSession(), '{"x":1}');
    await store.deleteSession();
    assert.equal(store.getSession(), undefined);
    assert.deepEqual(memento.keys(), ['someOtherSetting']);
  });

  it('reports SQLITE unless told otherwise', () => {
    const memento = new FakeMemento();
    assert.equal(new GlobalStateSessionStore(memento).storageMechanism, 'SQLITE');
    assert.equal(
      new GlobalStateSessionStore(memento, { storageMechanism: 'LOCAL_STORAGE' }).storageMechanism,
      'LOCAL_STORAGE',
    );
  });

  it('rejects a bad namespace or something that is not a Memento', () => {
    const memento = new FakeMemento();
    for (const namespace of ['', 'has space', 'a/b', 'x'.repeat(65), 7]) {
      assert.throws(
        () => new GlobalStateSessionStore(memento, { namespace: namespace as string }),
        /namespace must be/,
      );
    }
    assert.throws(() => new GlobalStateSessionStore({} as Memento), /needs a Memento/);
  });

  it('gives a valid entity with two windows sharing one globalState', async () => {
    const memento = new FakeMemento();
    const clock = new FakeClock();
    const windows = [1, 2].map(
      () =>
        new CheckedClientSession({ store: new GlobalStateSessionStore(memento), clock: clock.now }),
    );
    const seen = [];
    for (let i = 0; i < 6; i++) {
      const entity = windows[i % 2].update(eventId(), clock.now());
      assertValidEntity(entity);
      seen.push(entity);
      await windows[i % 2].flush();
    }
    assert.equal(new Set(seen.map((e) => e.sessionId)).size, 1);
    assert.deepEqual(
      seen.map((e) => e.eventIndex),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('writes a burst of 10 000 events with at most two updates', async () => {
    const memento = new FakeMemento();
    const session = new CheckedClientSession({ store: new GlobalStateSessionStore(memento) });
    for (let i = 0; i < 10_000; i++) {
      session.update(eventId(), Date.now());
    }
    await session.flush();
    assert.ok(memento.updates <= 2, `${memento.updates} updates`);
  });
});

describe('bindWindowFocus', () => {
  it('seeds the background state from window.state and follows focus changes', () => {
    const window = new FakeWindow();
    window.state = { focused: false, active: false };
    const session = new CheckedClientSession({
      store: new GlobalStateSessionStore(new FakeMemento()),
    });
    const binding = bindWindowFocus(session, window);
    assert.equal(session.isBackground, true);
    window.setFocused(true);
    assert.equal(session.isBackground, false);
    window.setFocused(false);
    assert.equal(session.isBackground, true);
    binding.dispose();
    assert.equal(window.listenerCount, 0);
    window.setFocused(true);
    assert.equal(session.isBackground, true, 'no longer follows after dispose');
  });

  it('treats a focused but inactive window as foreground', () => {
    const window = new FakeWindow();
    const session = new CheckedClientSession({
      store: new GlobalStateSessionStore(new FakeMemento()),
    });
    bindWindowFocus(session, window);
    window.state = { focused: true, active: false };
    assert.equal(session.isBackground, false);
  });
});

describe('readTimeoutSettings', () => {
  const read = (values: Record<string, unknown>) =>
    readTimeoutSettings({ get: (key: string) => values[key] }, 'clientSession');

  it('uses 1800 seconds for both when nothing is set', () => {
    assert.deepEqual(read({}), {
      foregroundTimeoutSeconds: 1800,
      backgroundTimeoutSeconds: 1800,
      problems: [],
    });
  });

  it('takes valid values as they are, down to one second', () => {
    const settings = read({
      'clientSession.foregroundTimeoutSeconds': 60,
      'clientSession.backgroundTimeoutSeconds': 1,
    });
    assert.equal(settings.foregroundTimeoutSeconds, 60);
    assert.equal(settings.backgroundTimeoutSeconds, 1);
    assert.deepEqual(settings.problems, []);
  });

  for (const bad of [0, -5, 0.5, 2_592_001, '60', true, Number.NaN, [60]]) {
    it(`replaces ${JSON.stringify(bad)} by the default and names the problem`, () => {
      const settings = read({ 'clientSession.backgroundTimeoutSeconds': bad });
      assert.equal(settings.backgroundTimeoutSeconds, 1800);
      assert.equal(settings.problems.length, 1);
      assert.match(
        settings.problems[0],
        /clientSession.backgroundTimeoutSeconds is .* default, 1800/,
      );
    });
  }
});
