// Starting and stopping the harness's own processes. Each child is started in a process group
// of its own, so stopping it by its PID also stops what it started (code-server's extension
// hosts, Chromium's renderers). Every live group is remembered, and all are killed when this
// Node process exits or is interrupted, so nothing outlives a test run or `npm start`.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

/** @type {Set<ManagedProcess>} */
const live = new Set();

/**
 * @typedef {object} ManagedProcess
 * @property {string} name what it is, for messages
 * @property {number} pid the process (and process group) id
 * @property {Promise<number | string>} exited resolves with the exit code or signal name
 * @property {() => Promise<void>} stop ends the whole group: SIGTERM, then SIGKILL after
 *   `graceMs` (default 3000 ms); safe to call twice
 */

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts `command` in a new process group with its output appended to `logFile`.
 * @param {string} name what it is, for messages
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, logFile: string, graceMs?: number }} options
 *   `env` replaces the environment entirely (pass `{ ...process.env, ... }` to extend it)
 * @returns {ManagedProcess}
 */
export function startProcess(name, command, args, { env, cwd, logFile, graceMs = 3000 }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    env,
    cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exitValue;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitValue = code ?? signal;
      resolve(exitValue);
    });
    child.once('error', (error) => {
      exitValue = error.message;
      resolve(exitValue);
    });
  });
  const handle = {
    name,
    pid: child.pid,
    exited,
    async stop() {
      live.delete(handle);
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader may exit before its group; whatever is left gets no second chance.
      killGroup(child.pid, 'SIGKILL');
    },
  };
  if (child.pid !== undefined) live.add(handle);
  return handle;
}

/** Kills every group still running, synchronously (usable in an `exit` handler). */
export function killAllStarted() {
  for (const handle of live) killGroup(handle.pid, 'SIGKILL');
  live.clear();
}

process.once('exit', killAllStarted);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAllStarted();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until it answers 2xx or `timeoutMs` (default 20000 ms) passes; fails early when
 * `process` exits first.
 * @param {string} url
 * @param {ManagedProcess} owner
 */
export async function waitForHttp(url, owner, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let exitedWith;
  owner.exited.then((value) => (exitedWith = value));
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`${owner.name} exited (${exitedWith}) before ${url} answered`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${owner.name} did not answer ${url} within ${timeoutMs} ms`);
}
