// The network guard's side in the harness: the environment that preloads it into a Node
// process, and reading back what it refused.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GUARD_PATH = fileURLToPath(new URL('./net-guard.cjs', import.meta.url));

/**
 * Environment variables that preload the guard into a Node process and its Node children.
 * Any NODE_OPTIONS already set are kept after the guard.
 * @param {string} logFile where the guard appends what it refused (one JSON object a line)
 */
export function guardEnvironment(logFile) {
  const existing = process.env.NODE_OPTIONS ? ` ${process.env.NODE_OPTIONS}` : '';
  return {
    NODE_OPTIONS: `--require "${GUARD_PATH}"${existing}`,
    CLIENT_SESSION_NET_GUARD_LOG: logFile,
  };
}

/**
 * @typedef {{ kind: string, target?: string, pid: number, argv: string[], at: number }} GuardEntry
 */

/**
 * Reads the guard's log.
 * @param {string} logFile
 * @returns {{ refused: GuardEntry[], guarded: GuardEntry[] }} `refused`: every connection or
 *   look-up that was stopped; `guarded`: one entry per process the guard was loaded into
 */
export function readGuardLog(logFile) {
  const entries = existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  return {
    refused: entries.filter((entry) => entry.kind !== 'guarded'),
    guarded: entries.filter((entry) => entry.kind === 'guarded'),
  };
}

/** One line per refused attempt: what was tried, from which process. */
export function describeRefusals(refused) {
  return refused
    .map((entry) => `  ${entry.kind} ${entry.target} (pid ${entry.pid}, ${entry.argv.join(' ')})`)
    .join('\n');
}
