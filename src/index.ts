/**
 * vscode-client-session: Snowplow client sessions for VS Code extensions.
 *
 * Everything of `vscode-client-session/core` (host-independent) and of Snowplow delivery,
 * plus the VS Code binding: a `globalState` store, window focus,
 * {@link createClientSession}, which wires a session to an `ExtensionContext` in one call,
 * and {@link createSnowplowTelemetry}, a `TelemetryLogger` whose events reach a Snowplow
 * collector within the user's telemetry level. This entry imports `vscode`, so it runs
 * inside an extension host; use `vscode-client-session/core` elsewhere.
 */
// The core and delivery indexes name each of their exports; they are all public here.
export * from './core/index';
export { createClientSession } from './vscode/createClientSession';
export type {
  ClientSessionContext,
  CreateClientSessionOptions,
} from './vscode/createClientSession';
export { GLOBAL_STATE_KEY_PREFIX, GlobalStateSessionStore } from './vscode/globalStateSessionStore';
export type { GlobalStateSessionStoreOptions } from './vscode/globalStateSessionStore';
export { bindWindowFocus } from './vscode/windowFocus';
export type { WindowFocusSource } from './vscode/windowFocus';
export { MIN_TIMEOUT_SETTING_SECONDS, readTimeoutSettings } from './vscode/timeoutSettings';
export type { ConfigurationSource, TimeoutSettings } from './vscode/timeoutSettings';
export * from './delivery/index';
export { createSnowplowTelemetry, QUEUE_FOLDER } from './vscode/snowplowTelemetry';
export type {
  SnowplowNativeTracker,
  SnowplowTelemetry,
  SnowplowTelemetryContext,
  SnowplowTelemetryOptions,
} from './vscode/snowplowTelemetry';
export { WorkspaceFsQueueStorage } from './vscode/telemetryQueueStorage';
