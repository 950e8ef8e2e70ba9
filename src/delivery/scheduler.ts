/**
 * The timers and wall clock delivery runs on. Everything that waits (the send delay,
 * backoff, request timeouts, heartbeats, the shutdown budget) goes through one of these, so
 * tests can move time by hand instead of sleeping.
 */
export interface Scheduler {
  /** Wall-clock time in ms since the epoch (event timestamps, `stm`, heartbeats). */
  now(): number;
  /** Calls `callback` once after `delayMs`; the timer must not keep a process alive. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer, as returned by {@link Scheduler.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The real clock and timers; timers are unref'd in Node so a pending retry never holds exit. */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const timer = globalThis.setTimeout(callback, delayMs) as unknown as { unref?: () => void };
    timer.unref?.();
    return timer as TimerHandle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]);
  },
};
