// One integration scenario in one real host: its own temp folder, servers, Chromium and
// network guard log, all stopped by PID when the node:test test ends (pass, fail or crash).
// It runs the in-host suite in phases (a phase may end with a reload or a server restart)
// and turns every in-host result into a node:test subtest of its own.
import {
  mkdtempSync,
  mkdirSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from '../../../scripts/hosts/paths.mjs';
import { startCodeServer, installExtensionCopy } from '../../../scripts/hosts/code-server.mjs';
import { startTestWeb } from '../../../scripts/hosts/test-web.mjs';
import { launchChromium, disableFocusEmulation } from '../../../scripts/hosts/browser.mjs';
import { readGuardLog, describeRefusals } from '../../../scripts/hosts/guard-log.mjs';
import { bundleInHostSuite } from './bundle.mjs';
import { startHarnessServer } from './harness-server.mjs';
import { focusPage, openPalette, runFromPalette } from './ui.mjs';

const require = createRequire(import.meta.url);
const { validateData } = require('../../../scripts/iglu.cjs');

/** The Iglu URI every entity the extension produces must validate against. */
export const CLIENT_SESSION_SCHEMA =
  'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';

/** How long one in-host phase may take before the harness gives up on it. */
const PHASE_TIMEOUT_MS = 90_000;

/** Settings every scenario starts with: nothing that opens editors or asks the internet. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

/**
 * Copies what an installed extension consists of (package.json, dist/, README.md) into
 * `<dir>/extension`, so the host loads exactly what ships, not the repository.
 */
function stageExtension(sourceDir, dir) {
  const target = join(dir, 'extension');
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'README.md']) {
    if (existsSync(join(sourceDir, entry))) {
      cpSync(join(sourceDir, entry), join(target, entry), { recursive: true });
    }
  }
  return target;
}

function findFiles(dir, name, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(path, name, found);
    else if (entry.name === name) found.push(path);
  }
  return found;
}

/**
 * Runs in the page: every "Client Session" log that VS Code web has written to its IndexedDB
 * logs store, as [key, text] pairs.
 */
async function readWebLogs() {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('vscode-web-db');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = db.transaction('vscode-logs-store').objectStore('vscode-logs-store');
  const all = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const keys = await all(store.getAllKeys());
  const values = await all(store.getAll());
  return keys
    .map((key, index) => [String(key), values[index]])
    .filter(([key]) => key.endsWith('/Client Session.log'))
    .map(([key, value]) => [
      key,
      typeof value === 'string' ? value : new TextDecoder().decode(value),
    ]);
}

/**
 * A scenario: `start()` it, then run in-host phases (`runPhase`, `report`) or drive the UI
 * (`openWorkbench`, `runFromPalette`), and end with `checkNothingLeftLoopback()`. Everything
 * it started is stopped by the owning test's `t.after`, whatever the outcome; its temp folder
 * is deleted too unless CLIENT_SESSION_KEEP_TEST_DIRS is set (for looking at a failure).
 */
export class Scenario {
  /**
   * @param {import('node:test').TestContext} t the test that owns everything started here
   * @param {object} options
   * @param {'node' | 'web'} options.host code-server (Node extension host) or test-web
   * @param {string} [options.extensionSource] the folder with package.json and dist/; default:
   *   $CLIENT_SESSION_EXTENSION_SOURCE, else the repository (which needs a fresh dist/)
   * @param {string} [options.suite] the in-host entry in ../inhost; default 'extension-suite.mjs'
   * @param {boolean} [options.withTests] default true: windows run the in-host suite. False: the
   *   extension is installed as a user has it and windows are plain (an extension test run
   *   ends its extension host when the suite is done, so UI scenarios cannot use one)
   * @param {Record<string, unknown>} [options.settings] user settings before the first load;
   *   code-server only (test-web keeps settings in the browser: use the configuration API)
   * @param {Record<string, (args: any) => Promise<unknown>>} [options.actions] extra driver
   *   actions for the in-host tests
   * @param {boolean} [options.telemetry] default false; code-server only: the server runs with
   *   telemetry enabled in its product (own reports to a dead loopback port, the built-ins
   *   that phone home left out), so the user's `telemetry.telemetryLevel` decides
   */
  constructor(
    t,
    {
      host,
      extensionSource = process.env.CLIENT_SESSION_EXTENSION_SOURCE || REPO_ROOT,
      suite = 'extension-suite.mjs',
      settings = {},
      actions = {},
      withTests = true,
      telemetry = false,
    },
  ) {
    if (host === 'web' && Object.keys(settings).length > 0) {
      throw new TypeError('Scenario: settings before load work in code-server only, not test-web');
    }
    if (host === 'web' && telemetry) {
      throw new TypeError('Scenario: test-web has telemetry disabled in its product');
    }
    this.withTests = withTests;
    this.telemetry = telemetry;
    this.suite = suite;
    this.t = t;
    this.host = host;
    this.hostLabel = host === 'node' ? 'code-server (Node host)' : 'test-web (web host)';
    this.dir = mkdtempSync(join(tmpdir(), `client-session-${host}-`));
    this.guardLog = join(this.dir, 'net-guard.log');
    this.extensionSource = extensionSource;
    this.settings = { ...QUIET_SETTINGS, ...settings };
    this.actions = actions;
    this.memory = new Map();
    this.consoleLines = [];
    this.step = 'setting up';
    /** @type {import('playwright-core').Page[]} */
    this.pages = [];
    t.after(() => this.dispose());
  }

  /** Starts the harness server, the host and Chromium; bundles the in-host suite. */
  async start() {
    this.step = 'starting the harness';
    this.harness = await startHarnessServer({
      onDriver: (action, args, test) => this.#drive(action, args, test),
    });
    this.extensionDir = stageExtension(this.extensionSource, this.dir);
    this.testsPath = join(this.extensionDir, 'inhost-tests', 'index.js');
    await bundleInHostSuite({
      host: this.host,
      harnessUrl: this.harness.url,
      outfile: this.testsPath,
      entry: this.suite,
    });
    if (this.host === 'node' && !this.withTests) {
      installExtensionCopy(this.extensionDir, join(this.dir, 'code-server', 'extensions'));
    }
    await this.startServer();
    this.step = 'starting chromium';
    this.chromium = await launchChromium({
      userDataDir: join(this.dir, 'chromium-profile'),
      logFile: join(this.dir, 'chromium.log'),
    });
  }

  /** Starts (or restarts, on the same port and state) the host's server. */
  async startServer() {
    this.step = `starting ${this.hostLabel}`;
    if (this.host === 'node') {
      this.server = await startCodeServer({
        stateDir: join(this.dir, 'code-server'),
        port: this.server?.port,
        settings: this.settings,
        guardLog: this.guardLog,
        telemetry: this.telemetry,
        // Session starts and focus changes are logged at debug level: a failure shows them.
        logLevel: 'debug',
      });
      this.workspace = join(this.dir, 'workspace');
      mkdirSync(this.workspace, { recursive: true });
    } else {
      this.server = await startTestWeb({
        extensionDevelopmentPath: this.extensionDir,
        extensionTestsPath: this.withTests ? this.testsPath : undefined,
        logFile: join(this.dir, 'test-web.log'),
        guardLog: this.guardLog,
        port: this.server?.port,
      });
    }
  }

  async stopServer() {
    await this.server?.stop();
  }

  /** The workbench URL that runs the in-host suite in this host. */
  testRunUrl() {
    if (this.host === 'web') return this.server.url;
    if (!this.withTests) return `${this.server.url}?folder=${encodeURIComponent(this.workspace)}`;
    const remote = (path) => `vscode-remote://127.0.0.1:${this.server.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(this.extensionDir)],
      ['extensionTestsPath', remote(this.testsPath)],
    ];
    const folder = encodeURIComponent(this.workspace);
    const query = `folder=${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return `${this.server.url}?${query}`;
  }

  /** Opens a tab on the test-run URL, with real focus (no emulation). */
  async openWorkbench() {
    this.step = 'opening the workbench';
    const page = await this.chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('console', (message) => {
      this.consoleLines.push(`[page ${this.pages.indexOf(page)}] ${message.text()}`);
      if (this.consoleLines.length > 400) this.consoleLines.shift();
    });
    // The workbench calls this when the extension tests end; it must not close the window.
    await page.exposeFunction('codeAutomationExit', (code) => {
      this.lastExitCode = code;
    });
    await page.exposeFunction('codeAutomationLog', () => {});
    this.pages.push(page);
    await page.goto(this.testRunUrl());
    await page.bringToFront();
    await disableFocusEmulation(page);
    return page;
  }

  /**
   * Runs one phase of the in-host suite: loads (or reloads) the workbench and waits for the
   * suite to report it is done. `action` starts the load; default: open a new tab.
   * @param {string} phase
   * @param {{ action?: () => Promise<unknown>, only?: string[] }} [options]
   */
  async runPhase(phase, { action, only } = {}) {
    const done = this.harness.expectRun(phase, only);
    this.step = `in-host phase "${phase}"`;
    await (action ? action() : this.openWorkbench());
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(undefined), PHASE_TIMEOUT_MS);
    });
    const outcome = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return outcome ?? { results: this.harness.partialResults(), timedOut: true };
  }

  /**
   * Loads the tab's page again from the server, as a person does after a server restart
   * (the old page has lost its connection; Reload Window would need it).
   */
  async reloadPage(page) {
    await page.goto(this.testRunUrl());
    await page.bringToFront();
    await disableFocusEmulation(page);
  }

  /** Runs a command from the command palette of `page` (see ./ui.mjs). */
  runFromPalette(page, title) {
    return runFromPalette(page, title);
  }

  /** Opens the command palette of `page` and types `text` (see ./ui.mjs). */
  openPalette(page, text) {
    return openPalette(page, text);
  }

  /**
   * Reloads a tab with Developer: Reload Window (VS Code shuts the window down properly,
   * storage included, which a bare page reload does not wait for), and turns focus emulation
   * off again in the new page.
   */
  async reload(page) {
    const loaded = page.waitForEvent('load', { timeout: 30000 });
    await this.runFromPalette(page, 'Developer: Reload Window');
    await loaded;
    await page.bringToFront();
    await disableFocusEmulation(page);
  }

  /**
   * Turns the in-host results of a phase into subtests; a run that never finished fails.
   * @param {{ results: import('./harness-server.mjs').InHostResult[], timedOut?: boolean }} run
   */
  async report(run) {
    for (const result of run.results) {
      await this.t.test(`[${this.hostLabel}] ${result.name}`, async (subtest) => {
        for (const note of result.notes) subtest.diagnostic(note);
        if (result.status !== 'passed') {
          throw new Error(await this.#failureText(`in-host test "${result.name}"`, result.error));
        }
        for (const entity of result.entities) {
          const problems = validateData(CLIENT_SESSION_SCHEMA, entity);
          if (problems.length > 0) {
            throw new Error(
              await this.#failureText(
                `entity of "${result.name}"`,
                `not a valid client_session 1-0-2:\n${problems.join('\n')}\n` +
                  JSON.stringify(entity, null, 2),
              ),
            );
          }
        }
      });
    }
    if (run.timedOut) {
      await this.t.test(`[${this.hostLabel}] in-host run of ${this.step} finishes`, async () => {
        throw new Error(
          await this.#failureText(this.step, `no result within ${PHASE_TIMEOUT_MS} ms`),
        );
      });
    }
  }

  /**
   * A subtest that fails when anything tried to leave loopback during the scenario. It closes
   * Chromium first (its network log is complete only then), so it comes last.
   */
  async checkNothingLeftLoopback() {
    await this.t.test(`[${this.hostLabel}] nothing left loopback`, async () => {
      const { refused, guarded } = readGuardLog(this.guardLog);
      const problems = [];
      if (refused.length > 0) {
        problems.push(`the network guard refused:\n${describeRefusals(refused)}`);
      }
      const browserUrls = [
        ...new Set([
          ...(this.chromium?.offLoopback ?? []),
          ...((await this.chromium?.stop()) ?? []),
        ]),
      ];
      if (browserUrls.length > 0) {
        problems.push(`Chromium tried to reach:\n  ${browserUrls.join('\n  ')}`);
      }
      if (this.host === 'node' && !guarded.some((entry) => /extensionHost/.test(entry.argv))) {
        problems.push('the network guard was not loaded into any extension host process');
      }
      if (problems.length > 0)
        throw new Error(await this.#failureText('network check', problems.join('\n')));
    });
  }

  /**
   * The "Client Session" output channel's log: from the user data dir of code-server, from the
   * browser's IndexedDB for the web host (where VS Code web keeps its logs).
   */
  async extensionLog() {
    if (this.host === 'node') {
      const logs = findFiles(
        join(this.dir, 'code-server', 'user-data', 'logs'),
        'Client Session.log',
      );
      if (logs.length === 0) return '(no "Client Session" log file under the user data dir)';
      return logs
        .map((path) => `--- ${path}\n${readFileSync(path, 'utf8').slice(-6000)}`)
        .join('\n');
    }
    const page = this.pages.find((candidate) => !candidate.isClosed());
    const logs = page ? await page.evaluate(readWebLogs).catch((error) => String(error)) : [];
    if (Array.isArray(logs) && logs.length > 0) {
      return logs.map(([key, text]) => `--- ${key}\n${text.slice(-6000)}`).join('\n');
    }
    return (
      `(no "Client Session" log in the browser: ${JSON.stringify(logs)}; page console:)\n` +
      this.consoleLines.slice(-60).join('\n')
    );
  }

  async #failureText(what, detail) {
    return (
      `${this.hostLabel}, ${what} (step: ${this.step}):\n${detail}\n\n` +
      `--- extension log ---\n${await this.extensionLog()}`
    );
  }

  async #drive(action, args, test) {
    const page = this.pages[0];
    switch (action) {
      case 'blur': {
        // Another tab in front: the workbench's window loses real focus. It must have had it,
        // or no blur event would ever reach VS Code.
        await focusPage(page);
        if (!this.otherPage) this.otherPage = await this.chromium.context.newPage();
        await this.otherPage.bringToFront();
        return true;
      }
      case 'focus':
        await focusPage(page);
        return true;
      case 'remember':
        this.memory.set(args.key, args.value);
        return true;
      case 'recall':
        return this.memory.get(args.key) ?? null;
      default:
        if (this.actions[action]) return this.actions[action](args, test);
        throw new Error(`unknown driver action ${action}`);
    }
  }

  async dispose() {
    await this.chromium?.stop();
    await this.server?.stop();
    await this.harness?.close();
    if (!process.env.CLIENT_SESSION_KEEP_TEST_DIRS) {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
