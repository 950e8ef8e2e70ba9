// Summaries of repeated measurements. Machines here are shared and noisy, so every figure is
// reported as min / median / max over rounds, and comparisons are ratios of medians.

/**
 * Min, median and max of a list of numbers (the median of an even count is the mean of the
 * two middle values). Throws on an empty list: a summary of nothing would be a made-up figure.
 */
export function summarize(samples) {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new TypeError('summarize needs at least one sample');
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], rounds: sorted.length };
}

/** Rounds a number to `digits` significant digits, for tables (JSON keeps full precision). */
export function round(value, digits = 3) {
  if (!Number.isFinite(value) || value === 0) {
    return value;
  }
  return Number(value.toPrecision(digits));
}

/** Formats bytes as KB (1000 bytes, as bundle sizes are usually quoted) with one decimal. */
export function kilobytes(bytes) {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

/** Formats bytes as MiB with two decimals (memory). */
export function mebibytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
