import type { Logger } from './logger';

/** Something to release: what every registration returns, as in VS Code. */
export interface Disposable {
  dispose(): unknown;
}

/**
 * A subscription function in VS Code's shape: call it with a listener, keep the returned
 * disposable, dispose it to stop listening. Structurally compatible with `vscode.Event`.
 */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown) => Disposable;

/**
 * The private side of an {@link Event}. Listeners run synchronously, in the order they
 * subscribed, each isolated: one that throws is reported to the logger and the others
 * still run.
 */
export class Emitter<T> {
  #listeners: Array<(e: T) => unknown> = [];
  #disposed = false;

  constructor(private readonly logger: Logger) {}

  /** Subscribe to this emitter. Subscribing after {@link dispose} returns a no-op. */
  readonly event: Event<T> = (listener, thisArgs) => {
    if (this.#disposed) {
      return { dispose() {} };
    }
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.#listeners = [...this.#listeners, bound];
    return {
      dispose: () => {
        this.#listeners = this.#listeners.filter((l) => l !== bound);
      },
    };
  };

  /** Whether anybody listens; lets callers skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  /** Calls every listener with `e`; a listener's exception is logged, not rethrown. */
  fire(e: T): void {
    // The array is replaced, never mutated, so a listener that unsubscribes is safe.
    for (const listener of this.#listeners) {
      try {
        listener(e);
      } catch (error) {
        this.logger.error(`A session listener threw: ${describeError(error)}`);
      }
    }
  }

  /** Drops every listener; safe to call twice. */
  dispose(): void {
    this.#disposed = true;
    this.#listeners = [];
  }
}

/** One line that says what an unknown thrown value was. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}
