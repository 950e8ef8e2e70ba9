import * as vscode from 'vscode';
import type { ClientSessionOptions } from '../core/clientSession';
import { ClientSession } from '../core/clientSession';
import { GlobalStateSessionStore } from './globalStateSessionStore';
import { bindWindowFocus } from './windowFocus';

/** Options of {@link createClientSession}: those of `ClientSession`, less what is wired. */
export interface CreateClientSessionOptions extends Omit<
  ClientSessionOptions,
  'store' | 'isBackground'
> {
  /**
   * Keeps this session's stored state apart from any other in the same extension.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Follow window focus (unfocused = background). Turn off to call `setIsBackground`
   * yourself.
   * @default true
   */
  readonly followWindowFocus?: boolean;
}

/** The part of `vscode.ExtensionContext` that {@link createClientSession} uses. */
export type ClientSessionContext = Pick<vscode.ExtensionContext, 'globalState' | 'subscriptions'>;

/**
 * A {@link ClientSession} wired to an extension: stored in the extension's `globalState`
 * (shared by all windows of the profile, not synced), in the background while the window
 * is unfocused, and flushed and released when the extension is deactivated (through
 * `context.subscriptions`).
 *
 * @example
 * export function activate(context: vscode.ExtensionContext) {
 *   const session = createClientSession(context);
 *   const entity = session.update(crypto.randomUUID(), Date.now());
 * }
 */
export function createClientSession(
  context: ClientSessionContext,
  options: CreateClientSessionOptions = {},
): ClientSession {
  if (typeof context !== 'object' || context === null || !Array.isArray(context.subscriptions)) {
    throw new TypeError('createClientSession needs the ExtensionContext given to activate');
  }
  const { namespace, followWindowFocus = true, ...sessionOptions } = options;
  const store = new GlobalStateSessionStore(context.globalState, {
    namespace,
    storageMechanism: vscode.env.uiKind === vscode.UIKind.Web ? 'LOCAL_STORAGE' : 'SQLITE',
  });
  const session = new ClientSession({
    ...sessionOptions,
    store,
    isBackground: !vscode.window.state.focused,
  });
  if (followWindowFocus) {
    context.subscriptions.push(bindWindowFocus(session, vscode.window));
  }
  context.subscriptions.push({ dispose: () => session.dispose() });
  return session;
}
