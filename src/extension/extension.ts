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
import type { SnowplowTelemetry } from '../vscode/snowplowTelemetry';
import { createSnowplowTelemetry } from '../vscode/snowplowTelemetry';
import { readTimeoutSettings } from '../vscode/timeoutSettings';
import { registerCommands } from './commands';
import { INSPECT_SCHEME, InspectSessionDocument } from './inspectDocument';

/** The prefix of this extension's settings. */
export const SETTINGS_PREFIX = 'clientSession';

/** What `activate` returns to other extensions (`extensions.getExtension(id).exports`). */
export interface ClientSessionExtensionApi {
  /** The running session of this profile. */
  readonly session: ClientSession;
  /** Delivery to the collector of `clientSession.collectorUrl`, within the telemetry level. */
  readonly telemetry: SnowplowTelemetry;
  /**
   * Tracks an event now, through the telemetry logger (so the user's telemetry level and
   * VS Code's cleaning apply), and returns the `client_session` entity it carries. When
   * the level, a missing collector or VS Code's test mode keeps the event from being sent,
   * it is still counted in the session.
   * @throws TypeError when `name` is not a non-empty string.
   */
  trackEvent(name: string, properties?: Record<string, unknown>): ClientSessionEntity;
}

/** The outcome of tracking one event from the Track Event command. */
interface TrackResult {
  readonly entity: ClientSessionEntity;
  /** Whether the event was handed to delivery (queued for the collector). */
  readonly sent: boolean;
}

/** Longest time deactivation waits for the session and the queue, in ms. */
const DEACTIVATE_BUDGET_MS = 2000;

let deactivating: (() => Promise<unknown>) | undefined;

export function activate(context: vscode.ExtensionContext): ClientSessionExtensionApi {
  const log = vscode.window.createOutputChannel('Client Session', { log: true });
  context.subscriptions.push(log);

  const settings = readTimeouts(log);
  const configuration = vscode.workspace.getConfiguration(SETTINGS_PREFIX);
  // With lifecycle events on, delivery drives focus so that application_background is
  // tracked before the session goes to the background, as Snowplow's trackers order it.
  const lifecycleEvents = configuration.get<boolean>('telemetry.lifecycleEvents') === true;
  const session = createClientSession(context, {
    foregroundTimeoutSeconds: settings.foregroundTimeoutSeconds,
    backgroundTimeoutSeconds: settings.backgroundTimeoutSeconds,
    logger: log,
    followWindowFocus: !lifecycleEvents,
  });
  const telemetry = createSnowplowTelemetry(context, session, {
    collectorUrl: readCollectorUrl(),
    logger: log,
    lifecycleEvents,
    applicationContext: configuration.get<boolean>('telemetry.applicationContext') === true,
    desktopContext: configuration.get<boolean>('telemetry.desktopContext') === true,
    shutdownTimeoutMs: DEACTIVATE_BUDGET_MS,
  });
  showConfigurationError(telemetry, log);
  deactivating = () => Promise.all([telemetry.dispose(), session.dispose()]);

  const trackEvent = (name: string, properties: Record<string, unknown> = {}): TrackResult => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(`trackEvent expects a non-empty event name, got ${JSON.stringify(name)}`);
    }
    const tracked = telemetry.logUsage(name, properties);
    // Not allowed to send (or nowhere to): the session still counts the user's activity.
    const entity = tracked?.session ?? session.update(uuidv4(), Date.now());
    log.debug(
      `Event "${name}" (${Object.keys(properties).length} properties, ` +
        `${tracked === undefined ? 'not sent' : 'queued for the collector'}): ` +
        `session ${entity.sessionIndex}, event ${entity.eventIndex}`,
    );
    return { entity, sent: tracked !== undefined };
  };

  const inspect = new InspectSessionDocument(session);
  context.subscriptions.push(
    inspect,
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, inspect),
    ...registerCommands(session, trackEvent),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (
        e.affectsConfiguration(`${SETTINGS_PREFIX}.foregroundTimeoutSeconds`) ||
        e.affectsConfiguration(`${SETTINGS_PREFIX}.backgroundTimeoutSeconds`)
      ) {
        session.setTimeouts(readTimeouts(log));
      }
      if (e.affectsConfiguration(`${SETTINGS_PREFIX}.collectorUrl`)) {
        telemetry.setCollectorUrl(readCollectorUrl());
        showConfigurationError(telemetry, log);
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
  return {
    session,
    telemetry,
    trackEvent: (name, properties) => trackEvent(name, properties).entity,
  };
}

/**
 * Delivers what it can and writes the session to the store, waiting at most
 * {@link DEACTIVATE_BUDGET_MS}: undelivered events stay queued for the next window.
 */
export async function deactivate(): Promise<void> {
  const stop = deactivating;
  deactivating = undefined;
  if (stop === undefined) {
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    stop(),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, DEACTIVATE_BUDGET_MS))),
  ]);
  clearTimeout(timer);
}

function readCollectorUrl(): string {
  const url = vscode.workspace.getConfiguration(SETTINGS_PREFIX).get<unknown>('collectorUrl');
  return typeof url === 'string' ? url.trim() : '';
}

function showConfigurationError(telemetry: SnowplowTelemetry, log: vscode.LogOutputChannel) {
  const error = telemetry.configurationError;
  if (error !== undefined) {
    log.warn(error);
    void vscode.window.showWarningMessage(`Client Session sends nothing: ${error}`);
  }
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
