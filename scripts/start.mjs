// `npm start`: a real VS Code (code-server, on 127.0.0.1) with this extension installed, for a
// person to open in a browser and try. It builds, installs the hosts if needed, starts the
// local Snowplow collector and the server, prints the URL, and then prints the "Client
// Session" log as the session changes (new sessions, focus, events) and each event the
// collector receives. Ctrl-C stops everything it started, by PID.
//
//   npm start                      a fresh profile, deleted at exit
//   npm start -- --keep-profile    keep user data and extensions between runs (in the cache)
//   npm start -- --port 8080       a fixed port (default: a free one)
//   npm start -- --no-build        use dist/ as it is (the tests do, having just built it)
//   npm start -- --no-collector    no collector, and telemetry off: events are counted, not sent
//
// With the collector, the user settings point `clientSession.collectorUrl` at it and set
// `telemetry.telemetryLevel` to "all"; code-server then runs with telemetry on, its own
// reports sent to a dead loopback port and the built-in extensions that phone home left out,
// so nothing leaves loopback (the network guard in every server process refuses, and this
// prints what it refused).
//
// Session state (globalState) lives in the browser's IndexedDB for code-server windows, so a
// kept profile resumes a session only in the same browser profile and at the same host:port.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHostsInstalled } from './hosts/install.mjs';
import { startCodeServer, installExtensionCopy } from './hosts/code-server.mjs';
import { readGuardLog, describeRefusals } from './hosts/guard-log.mjs';
import { PROJECT_CACHE, REPO_ROOT } from './hosts/paths.mjs';

const args = process.argv.slice(2);
const keepProfile = args.includes('--keep-profile');
const skipBuild = args.includes('--no-build');
const withCollector = !args.includes('--no-collector');
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port expects a port number from 1 to 65535, got ${args[portArg + 1]}`);
  process.exit(2);
}

function say(message) {
  console.log(`[start] ${message}`);
}

const require = createRequire(import.meta.url);
const { startCollector } = require('./collector/server.cjs');

if (!skipBuild) {
  say('building (node esbuild.mjs)');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('[start] the build failed; nothing was started');
    process.exit(1);
  }
}

const install = await ensureHostsInstalled();
if (install.changed.length > 0) say(`installed ${install.changed.join(', ')}`);

const stateDir = keepProfile
  ? join(PROJECT_CACHE, 'start-profile')
  : mkdtempSync(join(tmpdir(), 'client-session-start-'));
mkdirSync(stateDir, { recursive: true });

// Replace any copy an earlier run left, so the profile always runs this build.
const extensionsDir = join(stateDir, 'extensions');
if (existsSync(extensionsDir)) {
  for (const entry of readdirSync(extensionsDir)) {
    if (entry.startsWith('vscode-client-session.vscode-client-session-')) {
      rmSync(join(extensionsDir, entry), { recursive: true, force: true });
    }
  }
}
mkdirSync(extensionsDir, { recursive: true });
installExtensionCopy(REPO_ROOT, extensionsDir);

/**
 * The user settings to start with: a kept profile's own settings, with the ones this run
 * depends on over them: telemetry "all" and the collector's URL, or telemetry off without a
 * collector. A settings file that is not plain JSON (comments) is left alone, with a warning.
 * @param {string} path the profile's settings.json
 * @param {string | undefined} collectorUrl
 */
function profileSettings(path, collectorUrl) {
  const required = {
    'update.mode': 'none',
    ...(collectorUrl === undefined
      ? { 'telemetry.telemetryLevel': 'off' }
      : { 'telemetry.telemetryLevel': 'all', 'clientSession.collectorUrl': collectorUrl }),
  };
  if (!existsSync(path)) return { 'workbench.startupEditor': 'none', ...required };
  try {
    return { ...JSON.parse(readFileSync(path, 'utf8')), ...required };
  } catch {
    console.warn(`[start] ${path} is not plain JSON; left as it is (check its telemetry level)`);
    return undefined;
  }
}

/** One line per event the collector accepts: what it is and where it sits in the session. */
function printEvent({ summary }) {
  const where =
    summary.sessionId === undefined
      ? 'no client_session entity'
      : `session ${summary.sessionIndex} (${summary.sessionId}), event ${summary.eventIndex}`;
  console.log(`[collector] received ${summary.name}: ${where}`);
}

const workspace = join(stateDir, 'workspace');
mkdirSync(workspace, { recursive: true });
const guardLog = join(stateDir, 'net-guard.log');
rmSync(guardLog, { force: true }); // a kept profile's old refusals are not this run's
let refusalsShown = 0;
/** Prints what the network guard refused since the last call. */
function reportRefusals() {
  const { refused } = readGuardLog(guardLog);
  if (refused.length > refusalsShown) {
    console.warn(
      `[start] refused to leave loopback:\n${describeRefusals(refused.slice(refusalsShown))}`,
    );
    refusalsShown = refused.length;
  }
}
// Runs after processes.mjs has killed the server (its handler was registered first).
process.once('exit', () => {
  reportRefusals();
  if (!keepProfile) rmSync(stateDir, { recursive: true, force: true });
});
// In this process: it ends with it, whatever way that happens.
const collector = withCollector
  ? await startCollector({
      onEvent: printEvent,
      log: (line) => console.warn(`[collector] ${line}`),
    })
  : undefined;
const server = await startCodeServer({
  stateDir,
  port,
  guardLog,
  telemetry: withCollector,
  // The extension logs session changes at debug level.
  logLevel: 'debug',
  settings: profileSettings(join(stateDir, 'user-data', 'User', 'settings.json'), collector?.url),
});

say(`code-server is running (pid ${server.pid}); profile: ${stateDir}`);
say(
  collector === undefined
    ? 'no collector (--no-collector): telemetry is off, events are counted but not sent'
    : `the local collector is at ${collector.url}; telemetry level "all"`,
);
say(`open ${server.url}?folder=${encodeURIComponent(workspace)}`);
say(
  `the "Client Session" log follows${collector ? ', with each event the collector receives' : ''}` +
    '; Ctrl-C stops everything',
);

/** Prints what was added to each "Client Session" log file since the last look. */
const printed = new Map();
function findLogs(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findLogs(path, found);
    else if (entry.name === 'Client Session.log') found.push(path);
  }
  return found;
}
setInterval(() => {
  for (const path of findLogs(join(server.userDataDir, 'logs'))) {
    const text = readFileSync(path, 'utf8');
    const offset = printed.get(path) ?? 0;
    if (text.length > offset) {
      const window = path.split('/').slice(-3, -2)[0];
      for (const line of text.slice(offset).split('\n').filter(Boolean)) {
        console.log(`[${window}] ${line}`);
      }
      printed.set(path, text.length);
    }
  }
  reportRefusals();
}, 500);
