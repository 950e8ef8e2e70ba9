/**
 * The one levelled logger the library writes to. The extension passes its
 * `LogOutputChannel`, which has exactly these methods; library users may pass any object
 * that does, or nothing (the default logs nothing).
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** A {@link Logger} that drops everything: the default, so the library is quiet unless asked. */
export const silentLogger: Logger = Object.freeze({
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * Wraps a caller's logger so that a throwing logger cannot break the code that logs.
 * Logging is never worth a failed event.
 */
export function guardLogger(logger: Logger): Logger {
  const call = (level: keyof Logger, message: string | Error) => {
    try {
      (logger[level] as (m: string | Error) => void)(message);
    } catch {
      // A logger that throws has nowhere to report its own failure.
    }
  };
  return {
    trace: (m) => call('trace', m),
    debug: (m) => call('debug', m),
    info: (m) => call('info', m),
    warn: (m) => call('warn', m),
    error: (m) => call('error', m),
  };
}
