// `npm start` as a person uses it: it prints a URL, the workbench there has the extension,
// an event tracked from the palette shows up in the log it prints and, sent to the local
// collector it started, as received there; nothing leaves loopback (with telemetry at "all"),
// and Ctrl-C stops every process it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { REPO_ROOT } from '../../scripts/hosts/paths.mjs';
import { launchChromium } from '../../scripts/hosts/browser.mjs';
import { trackFromPalette } from './support/ui.mjs';

/** Resolves with the first match of `pattern` in the output, or rejects after `timeoutMs`. */
function waitForOutput(output, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`no ${pattern} in npm start's output within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const match = output().match(pattern);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match);
      }
    }, 100);
  });
}

/** True while `pid` runs; a zombie (exited, not yet reaped: this machine's init reaps none) is not running. */
function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('npm start serves the extension, prints its log, and Ctrl-C stops it', async (t) => {
  // dist/ is built by the test command before the suite; --no-build keeps this test from
  // rebuilding it under the other test files.
  const start = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  start.stdout.on('data', (chunk) => (text += chunk));
  start.stderr.on('data', (chunk) => (text += chunk));
  const exited = new Promise((resolve) =>
    start.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  let serverPid;
  // On failure: Ctrl-C first, so npm start stops its server itself; then, by PID, whatever
  // is left (the server runs in a process group of its own).
  t.after(async () => {
    if (isRunning(start.pid)) {
      process.kill(start.pid, 'SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    for (const pid of [start.pid, serverPid]) {
      if (pid !== undefined && isRunning(pid)) process.kill(-pid, 'SIGKILL');
    }
  });

  const [, url] = await waitForOutput(() => text, /open (http:\/\/127\.0\.0\.1:\d+\/\S*)/, 60000);
  serverPid = Number(
    (await waitForOutput(() => text, /code-server is running \(pid (\d+)\)/, 1000))[1],
  );

  const profile = mkdtempSync(join(tmpdir(), 'client-session-start-browser-'));
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  const chromium = await launchChromium({
    userDataDir: join(profile, 'chromium'),
    logFile: join(profile, 'chromium.log'),
  });
  t.after(() => chromium.stop());
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url);
  await page.locator('.part.statusbar').waitFor({ timeout: 30000 });

  const tracked = await trackFromPalette(page, 'from_npm_start', '');
  assert.equal(tracked.sent, true, 'the notification says the event was not sent');
  await waitForOutput(
    () => text,
    new RegExp(
      `Event "from_npm_start" .*session ${tracked.sessionIndex}, event ${tracked.eventIndex}`,
    ),
    10000,
  );
  await waitForOutput(
    () => text,
    new RegExp(
      `\\[collector\\] received telemetry_event "from_npm_start": ` +
        `session ${tracked.sessionIndex} \\(${tracked.sessionId}\\), event ${tracked.eventIndex}`,
    ),
    10000,
  );
  assert.doesNotMatch(text, /\[collector\] 400/, 'the collector refused a payload');
  assert.deepEqual(chromium.offLoopback, [], 'Chromium asked for something beyond loopback');

  await chromium.stop();
  process.kill(start.pid, 'SIGINT');
  const exit = await exited;
  assert.notEqual(exit, 'SIGKILL', 'npm start had to be killed');
  assert.equal(isRunning(serverPid), false, `code-server (pid ${serverPid}) outlived Ctrl-C`);
  // npm start prints every refusal of the network guard, the last ones as it exits.
  assert.doesNotMatch(text, /refused to leave loopback/, 'the server tried to leave loopback');
});
