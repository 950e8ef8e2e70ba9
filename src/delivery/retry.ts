/**
 * Which collector answers are worth trying again, and how long to wait first.
 */

/**
 * Statuses Snowplow's trackers never retry: the collector understood the request and
 * refused it, so sending the same events again cannot succeed.
 */
export const NON_RETRYABLE_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 410, 422]);

/** What to do with a batch after the collector (or the network) answered. */
export type AttemptOutcome = 'delivered' | 'dropped' | 'retry';

/**
 * The outcome of an HTTP status: 2xx delivered, Snowplow's never-retry list dropped, any
 * other status retried.
 */
export function outcomeOfStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) {
    return 'delivered';
  }
  return NON_RETRYABLE_STATUSES.has(status) ? 'dropped' : 'retry';
}

/**
 * The wait before retry number `attempt` (1 for the first retry), in ms: exponential from
 * `minDelayMs`, capped at `maxDelayMs`, with "equal jitter" (a random point in the upper
 * half), so many windows that failed together do not retry together.
 */
export function backoffDelayMs(
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const exponential = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * The wait a `Retry-After` header asks for, in ms (delay in seconds or an HTTP date), or
 * `undefined` when it is absent or unreadable. Never negative.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) {
    return undefined;
  }
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
