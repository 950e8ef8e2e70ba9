/**
 * The Client Session extension: a live Snowplow client session for this VS Code profile,
 * with commands to track an event, inspect the session, start a new one and reset it.
 * It is also the library's showcase: everything here goes through the public API.
 */
import { v4 as uuidv4 } from 'uuid';
import * as vscode from 'vscode';
import type { ClientSession } from '../core/clientSession';
import type { ClientSessionEntity } from '../core/entity';
import { createClientSession } from '../vscode/createClientSession';
import { readTimeoutSettings } from '../vscode/timeoutSettings';
import { registerCommands } from './commands';
import { INSPECT_SCHEME, InspectSessionDocument } from './inspectDocument';

/** The prefix of this extension's settings. */
export const SETTINGS_PREFIX = 'clientSession';

/** What `activate` returns to other extensions (`extensions.getExtension(id).exports`). */
export interface ClientSessionExtensionApi {
  /** The running session of this profile. */
  readonly session: ClientSession;
  /**
   * Tracks an event now and returns the `client_session` entity it carries.
   * @throws TypeError when `name` is not a non-empty string.
   */
  trackEvent(name: string, properties?: Record<string, unknown>): ClientSessionEntity;
}

/** Longest time deactivation waits for the session to reach the store, in ms. */
const DEACTIVATE_BUDGET_MS = 2000;

let activeSession: ClientSession | undefined;

export function activate(context: vscode.ExtensionContext): ClientSessionExtensionApi {
  const log = vscode.window.createOutputChannel('Client Session', { log: true });
  context.subscriptions.push(log);

  const settings = readTimeouts(log);
  const session = createClientSession(context, {
    foregroundTimeoutSeconds: settings.foregroundTimeoutSeconds,
    backgroundTimeoutSeconds: settings.backgroundTimeoutSeconds,
    logger: log,
  });
  activeSession = session;

  const trackEvent = (name: string, properties: Record<string, unknown> = {}) => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(`trackEvent expects a non-empty event name, got ${JSON.stringify(name)}`);
    }
    const entity = session.update(uuidv4(), Date.now());
    log.debug(
      `Event "${name}" (${Object.keys(properties).length} properties): ` +
        `session ${entity.sessionIndex}, event ${entity.eventIndex}`,
    );
    return entity;
  };

  const inspect = new InspectSessionDocument(session);
  context.subscriptions.push(
    inspect,
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, inspect),
    ...registerCommands(session, trackEvent),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_PREFIX)) {
        session.setTimeouts(readTimeouts(log));
      }
    }),
  );
  // Session starts, focus changes and resets are logged by the session itself, at debug
  // level: the channel stays quiet at the default level unless something fails.
  log.debug(
    `Client session ready: timeouts ${settings.foregroundTimeoutSeconds} s foreground, ` +
      `${settings.backgroundTimeoutSeconds} s background; ` +
      `${vscode.window.state.focused ? 'foreground' : 'background'}`,
  );
  return { session, trackEvent };
}

/** Writes the session to the store, waiting at most {@link DEACTIVATE_BUDGET_MS}. */
export function deactivate(): Promise<void> | undefined {
  const session = activeSession;
  activeSession = undefined;
  if (session === undefined) {
    return undefined;
  }
  return Promise.race([
    session.dispose(),
    new Promise<void>((resolve) => setTimeout(resolve, DEACTIVATE_BUDGET_MS)),
  ]);
}

/** Reads and checks the timeout settings; each problem is logged and shown once. */
function readTimeouts(log: vscode.LogOutputChannel) {
  const settings = readTimeoutSettings(vscode.workspace.getConfiguration(), SETTINGS_PREFIX);
  for (const problem of settings.problems) {
    log.warn(problem);
    void vscode.window.showWarningMessage(problem);
  }
  return settings;
}
