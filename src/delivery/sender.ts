/**
 * The `vscode.TelemetrySender` over a {@link SnowplowTracker}: what `env.createTelemetryLogger`
 * calls after it has checked the user's telemetry level and cleaned the data.
 */
import type { SnowplowTracker } from './tracker';

/**
 * Structurally a `vscode.TelemetrySender` (this file does not import `vscode`, so it runs and
 * is tested in plain Node).
 *
 * - `sendEventData(name, data)` → {@link SnowplowTracker.trackNamedEvent}: VS Code calls it
 *   for `logUsage(name, data)` and also for `logError(name, data)` (VS Code does not tell
 *   them apart here), so both need usage consent in the tracker as well.
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
      this.#tracker.trackNamedEvent(eventName, data);
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
