// Starts @vscode/test-web's server (the web extension host: the extension's `browser` entry
// runs in a worker of the page) on 127.0.0.1, offline, with the network guard preloaded.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  WEB_PREFIX,
  TEST_WEB_DATA_DIR,
  TEST_WEB_QUALITY,
  TEST_WEB_COMMIT,
  TEST_WEB_VERSION,
} from './paths.mjs';
import { startProcess, freePort, waitForHttp } from './processes.mjs';
import { guardEnvironment } from './guard-log.mjs';

const SERVER_SCRIPT = fileURLToPath(new URL('./test-web-server.cjs', import.meta.url));

/**
 * Starts the server and waits until it serves the workbench.
 * @param {object} options
 * @param {string} options.extensionDevelopmentPath the extension folder (package.json inside)
 * @param {string} [options.extensionTestsPath] a module inside that folder whose `run()` the
 *   extension host calls; test-web requires it to be below `extensionDevelopmentPath`
 * @param {string} options.logFile the server's stdout/stderr
 * @param {string} options.guardLog the network guard's log file
 * @param {number} [options.port] default: a free port
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export async function startTestWeb({
  extensionDevelopmentPath,
  extensionTestsPath,
  logFile,
  guardLog,
  port,
}) {
  const chosenPort = port ?? (await freePort());
  const config = {
    host: '127.0.0.1',
    port: chosenPort,
    testWebDir: join(WEB_PREFIX, 'node_modules', '@vscode', 'test-web'),
    buildDir: join(TEST_WEB_DATA_DIR, `vscode-web-${TEST_WEB_QUALITY}-${TEST_WEB_COMMIT}`),
    commit: TEST_WEB_COMMIT,
    extensionDevelopmentPath,
    extensionTestsPath,
  };
  const server = startProcess(
    `test-web ${TEST_WEB_VERSION}`,
    process.execPath,
    [SERVER_SCRIPT, JSON.stringify(config)],
    { env: { ...process.env, ...guardEnvironment(guardLog) }, logFile },
  );
  const url = `http://127.0.0.1:${chosenPort}/`;
  try {
    await waitForHttp(url, server);
  } catch (error) {
    await server.stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    throw new Error(`${error.message}\n--- ${logFile} ---\n${tail}`);
  }
  return { url, port: chosenPort, pid: server.pid, stop: () => server.stop() };
}
