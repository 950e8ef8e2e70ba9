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

/**
 * True while `pid` runs; a zombie (exited, not yet reaped: this machine's init reaps none)
 * is not running.
 */
function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Runs `node scripts/start.mjs --no-build ...extraArgs` (dist/ is built by the test command
 * before the suite; --no-build keeps it from being rebuilt under the other test files) and
 * returns its output so far, its exit, and the server's PID once printed. On failure, the test
 * ends it with Ctrl-C first, so it stops its server itself; then, by PID, whatever is left
 * (the server runs in a process group of its own).
 */
async function runNpmStart(t, extraArgs = []) {
  const start = spawn(process.execPath, ['scripts/start.mjs', '--no-build', ...extraArgs], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { pid: start.pid, text: '', serverPid: undefined };
  start.stdout.on('data', (chunk) => (run.text += chunk));
  start.stderr.on('data', (chunk) => (run.text += chunk));
  run.exited = new Promise((resolve) =>
    start.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  t.after(async () => {
    if (isRunning(start.pid)) {
      process.kill(start.pid, 'SIGINT');
      await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    for (const pid of [start.pid, run.serverPid]) {
      if (pid !== undefined && isRunning(pid)) process.kill(-pid, 'SIGKILL');
    }
  });
  run.url = (
    await waitForOutput(() => run.text, /open (http:\/\/127\.0\.0\.1:\d+\/\S*)/, 60000)
  )[1];
  run.serverPid = Number(
    (await waitForOutput(() => run.text, /code-server is running \(pid (\d+)\)/, 1000))[1],
  );
  return run;
}

/** Ctrl-C, then: npm start ended by itself and its server with it. */
async function stopWithCtrlC(run) {
  process.kill(run.pid, 'SIGINT');
  const exit = await run.exited;
  assert.notEqual(exit, 'SIGKILL', 'npm start had to be killed');
  assert.equal(
    isRunning(run.serverPid),
    false,
    `code-server (pid ${run.serverPid}) outlived Ctrl-C`,
  );
}

test('npm start serves the extension, prints log and events; Ctrl-C stops it', async (t) => {
  const run = await runNpmStart(t);
  const output = () => run.text;
  const url = run.url;

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
    output,
    new RegExp(
      `Event "from_npm_start" .*session ${tracked.sessionIndex}, event ${tracked.eventIndex}`,
    ),
    10000,
  );
  await waitForOutput(
    output,
    new RegExp(
      `\\[collector\\] received telemetry_event "from_npm_start": ` +
        `session ${tracked.sessionIndex} \\(${tracked.sessionId}\\), event ${tracked.eventIndex}`,
    ),
    10000,
  );
  assert.doesNotMatch(run.text, /\[collector\] 400/, 'the collector refused a payload');
  // Chromium's own network log, complete once it has stopped, also shows its workers' requests.
  const browserUrls = [...chromium.offLoopback, ...(await chromium.stop())];
  assert.deepEqual(browserUrls, [], 'Chromium asked for something beyond loopback');
  await stopWithCtrlC(run);
  // npm start prints every refusal of the network guard, the last ones as it exits.
  assert.doesNotMatch(run.text, /refused to leave loopback/, 'the server tried to leave loopback');
});

test('npm start --no-collector starts no collector and keeps telemetry off', async (t) => {
  const run = await runNpmStart(t, ['--no-collector']);
  assert.match(run.text, /no collector \(--no-collector\): telemetry is off/);
  assert.doesNotMatch(run.text, /local collector is at/);
  const profile = run.text.match(/profile: (\S+)/)[1];
  const settings = JSON.parse(
    readFileSync(join(profile, 'user-data', 'User', 'settings.json'), 'utf8'),
  );
  assert.equal(settings['telemetry.telemetryLevel'], 'off');
  assert.equal(settings['clientSession.collectorUrl'], undefined);
  await stopWithCtrlC(run);
});
