import {
  DEFAULT_SESSION_TIMEOUT_SECONDS,
  MAX_SESSION_TIMEOUT_SECONDS,
} from '../core/clientSession';

/** The smallest timeout the settings accept, in seconds: short enough to test by hand. */
export const MIN_TIMEOUT_SETTING_SECONDS = 1;

/** The timeouts read from settings, each valid or replaced by the default. */
export interface TimeoutSettings {
  readonly foregroundTimeoutSeconds: number;
  readonly backgroundTimeoutSeconds: number;
  /** One sentence per setting that was invalid and replaced by its default. */
  readonly problems: readonly string[];
}

/** The part of a `WorkspaceConfiguration` read here. */
export interface ConfigurationSource {
  get(section: string): unknown;
}

/**
 * Reads `PREFIX.foregroundTimeoutSeconds` and `PREFIX.backgroundTimeoutSeconds` (seconds,
 * 1 to 2 592 000, default 1800). VS Code does not enforce a setting's `minimum` or type on
 * values typed into settings.json, so each value is checked here; an invalid one is
 * reported in `problems` and the default used.
 */
export function readTimeoutSettings(
  configuration: ConfigurationSource,
  prefix: string,
): TimeoutSettings {
  const problems: string[] = [];
  const read = (name: string): number => {
    const key = `${prefix}.${name}`;
    const value = configuration.get(key);
    if (value === undefined || value === null) {
      return DEFAULT_SESSION_TIMEOUT_SECONDS;
    }
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < MIN_TIMEOUT_SETTING_SECONDS ||
      value > MAX_SESSION_TIMEOUT_SECONDS
    ) {
      problems.push(
        `Setting ${key} is ${JSON.stringify(value)}, not a number of seconds from ` +
          `${MIN_TIMEOUT_SETTING_SECONDS} to ${MAX_SESSION_TIMEOUT_SECONDS}; ` +
          `using the default, ${DEFAULT_SESSION_TIMEOUT_SECONDS}.`,
      );
      return DEFAULT_SESSION_TIMEOUT_SECONDS;
    }
    return value;
  };
  return {
    foregroundTimeoutSeconds: read('foregroundTimeoutSeconds'),
    backgroundTimeoutSeconds: read('backgroundTimeoutSeconds'),
    problems,
  };
}
