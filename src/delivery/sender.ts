/**
 * The `vscode.TelemetrySender` over a {@link SnowplowTracker}: what `env.createTelemetryLogger`
 * calls after it has checked the user's telemetry level and cleaned the data.
 */
import type { SnowplowTracker } from './tracker';

/**
 * Structurally a `vscode.TelemetrySender` (this file does not import `vscode`, so it runs and
 * is tested in plain Node).
 *
 * - `sendEventData(name, data)`: VS Code calls it for `logUsage(name, data)` and for
 *   `logError(name, data)` without saying which. While usage data is allowed it goes to
 *   {@link SnowplowTracker.trackNamedEvent}; while only errors are (VS Code's "error" level,
 *   where VS Code passes on `logError` calls only) it goes to
 *   {@link SnowplowTracker.trackNamedErrorEvent}, so it needs error consent. A `logError(name)`
 *   event tracked at the "all" level is therefore queued as usage, and discarded if the level
 *   drops to "error" before it is delivered.
 * - `sendErrorData(error, data)` → {@link SnowplowTracker.trackError}: `logError(error, data)`.
 * - `flush()` → {@link SnowplowTracker.flush}, bounded by `flushTimeoutMs`; VS Code calls it
 *   when the logger is disposed.
 *
 * Never throws: a sender that throws would surface in the extension host's error telemetry.
 */
export class SnowplowTelemetrySender {
  readonly #tracker: SnowplowTracker;
  readonly #flushTimeoutMs: number;

  /** @param flushTimeoutMs longest `flush()` may take, in ms (default 2000). */
  constructor(tracker: SnowplowTracker, flushTimeoutMs = 2000) {
    this.#tracker = tracker;
    this.#flushTimeoutMs = flushTimeoutMs;
  }

  sendEventData(eventName: string, data?: Record<string, unknown>): void {
    try {
      if (this.#tracker.consent.usage) {
        this.#tracker.trackNamedEvent(eventName, data);
      } else {
        this.#tracker.trackNamedErrorEvent(eventName, data);
      }
    } catch {
      // Only a broken session or mapping can throw here; the event is lost, the host is not.
    }
  }

  sendErrorData(error: Error, data?: Record<string, unknown>): void {
    try {
      this.#tracker.trackError(error, data);
    } catch {
      // As above.
    }
  }

  flush(): Promise<void> {
    return this.#tracker.flush({ timeoutMs: this.#flushTimeoutMs });
  }
}
