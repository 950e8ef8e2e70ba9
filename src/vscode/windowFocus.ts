import type { Disposable, Event, WindowState } from 'vscode';
import type { ClientSession } from '../core/clientSession';

/** The part of `vscode.window` that {@link bindWindowFocus} reads. */
export interface WindowFocusSource {
  readonly state: WindowState;
  readonly onDidChangeWindowState: Event<WindowState>;
}

/**
 * Keeps `session` in the background exactly while the VS Code window is not focused: seeded
 * from `window.state` now (there is no initial event) and updated on every
 * `onDidChangeWindowState`.
 *
 * `WindowState.active` is deliberately ignored. It turns false after about a minute
 * without keyboard or mouse input even while the window is in front; counting that as
 * background would end the session of someone reading code under the (usually shorter)
 * background timeout. Background, as in Snowplow's mobile trackers, means "not in front".
 *
 * @returns a disposable that stops following focus.
 */
export function bindWindowFocus(session: ClientSession, window: WindowFocusSource): Disposable {
  session.setIsBackground(!window.state.focused);
  return window.onDidChangeWindowState((state) => session.setIsBackground(!state.focused));
}
