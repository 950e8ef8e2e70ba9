/**
 * The VS Code binding of Snowplow delivery: one call gives an extension a
 * `vscode.TelemetryLogger` whose events reach a Snowplow collector with the client session
 * entity, only as far as the user's telemetry level allows.
 */
import type * as NodeOs from 'node:os';
import * as vscode from 'vscode';
import type { ClientSession } from '../core/clientSession';
import type { SelfDescribingJson } from '../core/entity';
import type { Logger } from '../core/logger';
import type { EventMapper, TelemetryConsent } from '../delivery/events';
import { APPLICATION_SCHEMA, DESKTOP_CONTEXT_SCHEMA } from '../delivery/events';
import { nodeFileQueueStorage } from '../delivery/nodeFileQueueStorage';
import type { QueueStorage } from '../delivery/queueStorage';
import { SnowplowTelemetrySender } from '../delivery/sender';
import type { SnowplowTrackerOptions, TrackedEventInfo } from '../delivery/tracker';
import { SnowplowTracker } from '../delivery/tracker';
import { WorkspaceFsQueueStorage } from './telemetryQueueStorage';

/** Name of the queue's folder under `ExtensionContext.globalStorageUri`. */
export const QUEUE_FOLDER = 'snowplow-queue';

/** Options of {@link createSnowplowTelemetry}. Only `collectorUrl` is required. */
export interface SnowplowTelemetryOptions extends Pick<
  SnowplowTrackerOptions,
  | 'eventSchemas'
  | 'mapEvent'
  | 'trackerNamespace'
  | 'maxPostBytes'
  | 'maxQueuedEvents'
  | 'maxQueuedBytes'
  | 'sendDelayMs'
  | 'writeDelayMs'
  | 'requestTimeoutMs'
  | 'minRetryDelayMs'
  | 'maxRetryDelayMs'
> {
  /**
   * The collector's base URL (https, or http on loopback), e.g. from a setting. Empty means
   * "no collector": nothing is tracked or sent, without an error. See
   * {@link SnowplowTelemetry.setCollectorUrl} to change it live.
   */
  readonly collectorUrl: string;
  /** Event name to Iglu URI, see `SnowplowTrackerOptions.eventSchemas`. @default {} */
  readonly eventSchemas?: Readonly<Record<string, string>>;
  /** See `SnowplowTrackerOptions.mapEvent`. @default undefined */
  readonly mapEvent?: EventMapper;
  /** Adds an `application` entity (the extension's version) to every event. @default false */
  readonly applicationContext?: boolean;
  /**
   * Adds a `desktop_context` entity (OS type, OS version, 64-bit or not) to every event, in
   * the Node extension host only (the web host has no such information). @default false
   */
  readonly desktopContext?: boolean;
  /**
   * Tracks `application_background` when the window loses focus (before the session goes
   * to the background) and `application_foreground` when it gets it back (after). This also
   * makes the binding follow focus for the session; pass `followWindowFocus: false` to
   * `createClientSession` so that the order above holds. @default false
   */
  readonly lifecycleEvents?: boolean;
  /** Where diagnostics go, e.g. the extension's LogOutputChannel. @default silent */
  readonly logger?: Logger;
  /**
   * Longest time {@link SnowplowTelemetry.dispose} (and the logger's flush) may spend
   * delivering, in ms; what is left stays queued for the next window. @default 2000
   */
  readonly shutdownTimeoutMs?: number;
}

/** What {@link createSnowplowTelemetry} returns. */
export interface SnowplowTelemetry {
  /** Log through this: VS Code applies the telemetry level and cleans data before us. */
  readonly logger: vscode.TelemetryLogger;
  /**
   * Snowplow-native tracking (self-describing and structured events). It obeys the same
   * telemetry level, but VS Code does not clean what is passed here: send no personal data.
   * Consent is not settable here: it follows the user's level and nothing else.
   */
  readonly tracker: SnowplowNativeTracker;
  /** Why nothing is being sent, when the collector URL is not valid. */
  readonly configurationError: string | undefined;
  /**
   * Changes the collector, e.g. when the setting changes; see
   * `SnowplowTracker.setCollectorUrl`.
   */
  setCollectorUrl(collectorUrl: string): void;
  /**
   * `logger.logUsage(name, data)`, returning what was tracked (event id and session entity),
   * or `undefined` when the telemetry level (or VS Code's test mode) kept it from us.
   */
  logUsage(name: string, data?: Record<string, unknown>): TrackedEventInfo | undefined;
  /**
   * Stops tracking, delivers what it can within `shutdownTimeoutMs` and leaves the rest
   * queued. Return it from `deactivate` so VS Code waits for it. Safe to call twice.
   */
  dispose(): Promise<void>;
}

/**
 * The tracker as an extension sees it: tracking, flushing and watching delivery, without the
 * means to change consent, the collector or the tracker's life, which the binding owns.
 */
export type SnowplowNativeTracker = Pick<
  SnowplowTracker,
  | 'trackSelfDescribingEvent'
  | 'trackStructEvent'
  | 'flush'
  | 'queuedEventCount'
  | 'consent'
  | 'onDidAttemptDelivery'
  | 'onDidTrack'
>;

/** The part of `vscode.ExtensionContext` {@link createSnowplowTelemetry} uses. */
export type SnowplowTelemetryContext = Pick<
  vscode.ExtensionContext,
  'globalStorageUri' | 'subscriptions' | 'extension'
>;

/**
 * Creates the telemetry of an extension: a `TelemetryLogger` over our sender, the tracker
 * behind it (events with `aid` = the extension's id and the session's entity), a durable
 * queue in `globalStorageUri`, and consent that follows the user's telemetry level.
 *
 * VS Code's common properties (which include a machine id) are not requested, and any that
 * arrive are removed. Registered in `context.subscriptions`; still, return
 * {@link SnowplowTelemetry.dispose} from `deactivate` so the final flush is awaited.
 *
 * @example
 * const session = createClientSession(context);
 * const telemetry = createSnowplowTelemetry(context, session, {
 *   collectorUrl: 'https://collector.example.com',
 * });
 * telemetry.logger.logUsage('fileOpened', { languageId: 'typescript' });
 * @throws TypeError when `context` or `session` is not what `activate` was given.
 */
export function createSnowplowTelemetry(
  context: SnowplowTelemetryContext,
  session: Pick<ClientSession, 'update' | 'setIsBackground'>,
  options: SnowplowTelemetryOptions,
): SnowplowTelemetry {
  if (typeof context !== 'object' || context === null || !Array.isArray(context.subscriptions)) {
    throw new TypeError('createSnowplowTelemetry needs the ExtensionContext given to activate');
  }
  if (typeof options?.collectorUrl !== 'string') {
    throw new TypeError('createSnowplowTelemetry needs options.collectorUrl (a string)');
  }
  const {
    applicationContext = false,
    desktopContext = false,
    lifecycleEvents = false,
    shutdownTimeoutMs = 2000,
    ...trackerOptions
  } = options;
  const logger = options.logger;
  const entities: SelfDescribingJson[] = [];
  if (applicationContext) {
    entities.push({ schema: APPLICATION_SCHEMA, data: { version: extensionVersion(context) } });
  }
  if (desktopContext) {
    const desktop = readDesktopContext();
    if (desktop !== undefined) {
      entities.push({ schema: DESKTOP_CONTEXT_SCHEMA, data: desktop });
    } else {
      logger?.debug('No desktop_context in this extension host (no operating system access)');
    }
  }

  // The logger comes first, so that the tracker starts with the user's real consent: a tracker
  // started without consent empties the queue folder, which would throw away what a previous
  // window left. The logger only calls the sender later, when something is logged.
  const forward: { sender?: SnowplowTelemetrySender } = {};
  const telemetryLogger = vscode.env.createTelemetryLogger(
    {
      sendEventData: (name, data) => forward.sender?.sendEventData(name, data),
      sendErrorData: (error, data) => forward.sender?.sendErrorData(error, data),
      flush: () => forward.sender?.flush(),
    },
    { ignoreBuiltInCommonProperties: true, ignoreUnhandledErrors: true },
  );
  const consentOf = (): TelemetryConsent => ({
    usage: telemetryLogger.isUsageEnabled,
    errors: telemetryLogger.isErrorsEnabled,
  });
  const tracker = new SnowplowTracker({
    ...trackerOptions,
    appId: context.extension.id,
    session,
    entities,
    consent: consentOf(),
    storage: queueStorage(vscode.Uri.joinPath(context.globalStorageUri, QUEUE_FOLDER)),
  });
  forward.sender = new SnowplowTelemetrySender(tracker, shutdownTimeoutMs);

  const subscriptions: vscode.Disposable[] = [
    telemetryLogger.onDidChangeEnableStates(() => tracker.setConsent(consentOf())),
    // The logger's states already follow the level; this also catches a product that turns
    // telemetry off without changing the level.
    vscode.env.onDidChangeTelemetryEnabled(() => tracker.setConsent(consentOf())),
  ];
  if (lifecycleEvents) {
    let focused = vscode.window.state.focused;
    subscriptions.push(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused === focused) {
          return;
        }
        focused = state.focused;
        // As in Snowplow's mobile trackers: background is counted in the foreground state it
        // leaves, foreground in the foreground state it enters.
        if (!focused) {
          tracker.trackLifecycle(false);
          session.setIsBackground(true);
        } else {
          session.setIsBackground(false);
          tracker.trackLifecycle(true);
        }
      }),
    );
  }

  // A facade, not the tracker itself: a cast must not reach setConsent.
  const nativeTracker: SnowplowNativeTracker = {
    trackSelfDescribingEvent: (event, entities) =>
      tracker.trackSelfDescribingEvent(event, entities),
    trackStructEvent: (event, entities) => tracker.trackStructEvent(event, entities),
    flush: (flushOptions) => tracker.flush(flushOptions),
    get queuedEventCount() {
      return tracker.queuedEventCount;
    },
    get consent() {
      return tracker.consent;
    },
    onDidAttemptDelivery: tracker.onDidAttemptDelivery,
    onDidTrack: tracker.onDidTrack,
  };

  let disposing: Promise<void> | undefined;
  const telemetry: SnowplowTelemetry = {
    logger: telemetryLogger,
    tracker: nativeTracker,
    get configurationError() {
      return tracker.configurationError;
    },
    setCollectorUrl: (collectorUrl) => tracker.setCollectorUrl(collectorUrl),
    logUsage(name, data) {
      let tracked: TrackedEventInfo | undefined;
      const listener = tracker.onDidTrack((event) => (tracked = event));
      try {
        telemetryLogger.logUsage(name, data);
      } finally {
        listener.dispose();
      }
      return tracked;
    },
    dispose() {
      disposing ??= (async () => {
        for (const subscription of subscriptions) {
          subscription.dispose();
        }
        telemetryLogger.dispose();
        await tracker.dispose({ timeoutMs: shutdownTimeoutMs });
      })();
      return disposing;
    },
  };
  context.subscriptions.push({ dispose: () => void telemetry.dispose() });
  return telemetry;
}

/**
 * Node's `fs` for a folder on this machine's disk (the Node extension host with a `file:`
 * globalStorageUri), else `workspace.fs` (the web host, remote storage). Direct disk access
 * also works while VS Code shuts the extension host down, when `workspace.fs` calls may no
 * longer be answered (seen in code-server on a window reload): the queue's last writes land.
 */
function queueStorage(folder: vscode.Uri): QueueStorage {
  return (
    (folder.scheme === 'file' ? nodeFileQueueStorage(folder.fsPath) : undefined) ??
    new WorkspaceFsQueueStorage(folder)
  );
}

function extensionVersion(context: SnowplowTelemetryContext): string {
  const version = (context.extension.packageJSON as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? version : '0.0.0';
}

/** OS facts for desktop_context, from Node's `os` when this host has it; else undefined. */
function readDesktopContext(): Record<string, unknown> | undefined {
  const host = (globalThis as { process?: NodeJS.Process }).process;
  const os = host?.getBuiltinModule?.('node:os') as typeof NodeOs | undefined;
  if (os === undefined) {
    return undefined;
  }
  return {
    osType: os.type(),
    osVersion: os.release(),
    osIs64Bit: ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(os.arch()),
  };
}
