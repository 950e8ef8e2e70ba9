// Debian's Chromium, started by us (so we own its PID and process group) and driven through
// playwright-core over the DevTools protocol. It is kept on loopback twice over: its host
// resolver maps every name but 127.0.0.1/localhost to "not found", and every request that
// names another host is recorded so the harness can fail the test that made it. Requests are
// read from Chromium's own network log, which sees every page, worker and background task;
// Playwright's request events miss those of workers (such as the web extension host).
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_PATH } from './paths.mjs';
import { startProcess } from './processes.mjs';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True when `url` leaves this machine (data:, blob: and friends never do). */
export function leavesLoopback(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!['http:', 'https:', 'ws:', 'wss:', 'ftp:'].includes(parsed.protocol)) return false;
  return !LOOPBACK_HOSTS.has(parsed.hostname);
}

/**
 * @typedef {object} Chromium
 * @property {import('playwright-core').Browser} browser
 * @property {import('playwright-core').BrowserContext} context the profile's one context
 * @property {number} pid
 * @property {string[]} offLoopback URLs of the page requests Playwright saw that named a
 *   non-loopback host (pages only; see `stop` for everything)
 * @property {() => Promise<string[]>} stop closes Chromium, ends its process group and returns
 *   every URL its network log shows going to a non-loopback host; safe to call twice
 */

/**
 * Starts headless Chromium with a profile folder of the caller's (reuse the folder to keep
 * IndexedDB, where code-server keeps globalState, between starts).
 * @param {{ userDataDir: string, logFile: string }} options
 * @returns {Promise<Chromium>}
 */
export async function launchChromium({ userDataDir, logFile }) {
  mkdirSync(userDataDir, { recursive: true });
  const netLogFile = `${logFile}.netlog.json`;
  rmSync(netLogFile, { force: true });
  const portFile = join(userDataDir, 'DevToolsActivePort');
  rmSync(portFile, { force: true });
  const args = [
    '--headless=new',
    `--log-net-log=${netLogFile}`,
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    `--user-data-dir=${userDataDir}`,
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-sync',
    '--disable-default-apps',
    '--no-first-run',
    '--no-default-browser-check',
    '--no-pings',
    '--metrics-recording-only',
    '--password-store=basic',
    // Google endpoints that headless Chromium still asks (sign-in cookie check, on-demand
    // component updates) even with background networking off: pointed at loopback port 9,
    // where nothing listens, so they fail at once and stay on this machine.
    '--gaia-url=http://127.0.0.1:9',
    '--google-apis-url=http://127.0.0.1:9',
    '--lso-url=http://127.0.0.1:9',
    '--component-updater=url-source=http://127.0.0.1:9/update',
    '--disable-extensions',
    '--disable-breakpad',
    '--disable-features=' +
      'Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,' +
      'NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater',
    // A tab in the background must keep running at full speed: the focus tests put the
    // workbench there on purpose and still talk to it.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    'about:blank',
  ];
  const chromiumProcess = startProcess('chromium', CHROMIUM_PATH, args, {
    env: process.env,
    logFile,
  });
  const deadline = Date.now() + 20000;
  let port;
  while (port === undefined) {
    const written = existsSync(portFile)
      ? Number(readFileSync(portFile, 'utf8').split('\n')[0])
      : 0;
    if (written > 0) port = written;
    else if (Date.now() > deadline) {
      await chromiumProcess.stop();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`chromium did not open its DevTools port within 20 s\n${tail}`);
    } else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  const context = browser.contexts()[0];
  const offLoopback = [];
  context.on('request', (request) => {
    if (leavesLoopback(request.url())) offLoopback.push(request.url());
  });
  let stopped;
  return {
    browser,
    context,
    pid: chromiumProcess.pid,
    offLoopback,
    stop() {
      stopped ??= (async () => {
        // Browser.close lets Chromium finish its network log; the group kill is the backstop.
        const session = await browser.newBrowserCDPSession().catch(() => undefined);
        await session?.send('Browser.close').catch(() => {});
        // The timer is cleared once Chromium has gone: left running, it kept every test file's
        // process alive 5 s past its last test.
        let timer;
        await Promise.race([
          chromiumProcess.exited,
          new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
        ]);
        clearTimeout(timer);
        await browser.close().catch(() => {});
        await chromiumProcess.stop();
        return urlsLeavingLoopback(netLogFile);
      })();
      return stopped;
    },
  };
}

/**
 * Every http(s)/ws(s) URL in a Chromium network log whose host is not loopback. Read as text,
 * not parsed: a log cut short by a crash is still evidence.
 * @param {string} netLogFile
 */
export function urlsLeavingLoopback(netLogFile) {
  if (!existsSync(netLogFile)) return [`(no network log at ${netLogFile})`];
  const text = readFileSync(netLogFile, 'utf8');
  const urls = new Set();
  for (const match of text.matchAll(/"(?:url|original_url|new_url)":"([^"]+)"/g)) {
    if (leavesLoopback(match[1])) urls.add(match[1]);
  }
  return [...urls];
}

/**
 * Playwright makes every page believe it has focus. Turn that off so a tab in the background
 * really blurs; needed after each load, a reload resets it.
 * @param {import('playwright-core').Page} page
 */
export async function disableFocusEmulation(page) {
  const session = await page.context().newCDPSession(page);
  await session.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  return session;
}
