// Starts code-server (the Node extension host) on 127.0.0.1 with its own throwaway home, user
// data and extensions folders, the network guard preloaded, telemetry off unless asked for,
// and the extension gallery pointed at a loopback port where nothing listens.
import {
  mkdirSync,
  writeFileSync,
  cpSync,
  readFileSync,
  existsSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CODE_SERVER_ENTRY, CODE_SERVER_VERSION } from './paths.mjs';
import { startProcess, freePort, waitForHttp } from './processes.mjs';
import { guardEnvironment } from './guard-log.mjs';

/**
 * The gallery the workbench asks even with updates off. Port 9 (discard) on loopback: the
 * request fails at once and stays on this machine.
 */
const LOOPBACK_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/vscode/gallery',
  itemUrl: 'http://127.0.0.1:9/vscode/item',
  resourceUrlTemplate: 'http://127.0.0.1:9/vscode/asset/{publisher}/{name}/{version}/{path}',
  extensionUrlTemplate: 'http://127.0.0.1:9/vscode/gallery/{publisher}/{name}/latest',
  controlUrl: '',
  nlsBaseUrl: '',
});

/**
 * Where code-server's own server-side telemetry goes when telemetry is on: port 9 (discard) on
 * loopback, where nothing listens, so its reports fail at once and stay on this machine.
 */
export const DEAD_TELEMETRY_URL = 'http://127.0.0.1:9/code-server-telemetry';

/**
 * Built-in extensions that may phone home once the user's telemetry level allows it: the ones
 * of code-server 4.100.3 that carry a telemetry reporter or an experiment service. With all
 * built-ins and telemetry at "all", the extension hosts looked up `default.exp-tas.com` and
 * `mobile.events.data.microsoft.com` (the network guard refused them); without these ten,
 * nothing was refused. Kept in one at a time in delivery-node.test.mjs (an empty folder, no
 * file opened), only git and typescript-language-features called out; the others wake on what
 * that test does not do (opening JSON, HTML or Markdown files, a merge conflict, a debug
 * session, signing in), which a person using `npm start` may. Check the list again on a
 * code-server update.
 */
export const PHONING_BUILTINS = [
  'git',
  'github',
  'github-authentication',
  'microsoft-authentication',
  'html-language-features',
  'json-language-features',
  'markdown-language-features',
  'typescript-language-features',
  'merge-conflict',
  'ms-vscode.js-debug',
];

/**
 * A built-in extensions folder of symbolic links to code-server's own built-ins, less
 * {@link PHONING_BUILTINS} (code-server has no flag to turn off a single built-in).
 * @param {string} dir the folder to (re)create
 * @returns {string} `dir`
 */
export function trimmedBuiltinExtensions(dir) {
  const builtins = join(dirname(CODE_SERVER_ENTRY), '..', '..', 'lib', 'vscode', 'extensions');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(builtins, { withFileTypes: true })) {
    if (entry.isDirectory() && !PHONING_BUILTINS.includes(entry.name)) {
      symlinkSync(join(builtins, entry.name), join(dir, entry.name));
    }
  }
  return dir;
}

/**
 * Copies an extension the way an install would leave it: `<publisher>.<name>-<version>` in the
 * extensions folder, holding package.json, dist/ and README.md (what the extension runs on).
 * @param {string} sourceDir a folder with the extension's package.json
 * @param {string} extensionsDir code-server's `--extensions-dir`
 * @returns {string} the installed folder
 */
export function installExtensionCopy(sourceDir, extensionsDir) {
  const manifest = JSON.parse(readFileSync(join(sourceDir, 'package.json'), 'utf8'));
  const target = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'README.md', 'LICENSE']) {
    if (existsSync(join(sourceDir, entry))) {
      cpSync(join(sourceDir, entry), join(target, entry), { recursive: true });
    }
  }
  return target;
}

/**
 * @typedef {object} CodeServer
 * @property {string} url e.g. `http://127.0.0.1:41234/`
 * @property {number} port
 * @property {number} pid the server's process (group) id
 * @property {string} userDataDir where VS Code keeps settings and logs (`logs/<time>/exthost<n>/`)
 * @property {string} extensionsDir where installed extensions are
 * @property {string} logFile the server's own stdout/stderr
 * @property {() => Promise<void>} stop stops the server and every extension host it started
 */

/**
 * Starts code-server and waits until `/healthz` answers.
 * @param {object} options
 * @param {string} options.stateDir a folder of the caller's; home/, user-data/, extensions/
 *   and the logs go below it (reuse it to keep a profile between starts)
 * @param {number} [options.port] default: a free port
 * @param {Record<string, unknown>} [options.settings] written to the user settings.json before
 *   the start (code-server does not notice edits while a window is open)
 * @param {boolean} [options.telemetry] default false: `--disable-telemetry`, and the workbench
 *   reports telemetry off whatever the user's level. True: code-server's own telemetry goes to
 *   {@link DEAD_TELEMETRY_URL} and the built-ins that phone home are left out (see
 *   {@link trimmedBuiltinExtensions}), so a user level of "all" keeps the server on loopback
 * @param {string} options.guardLog the network guard's log file
 * @param {Record<string, string>} [options.env] added to the server's environment
 * @param {'trace' | 'debug' | 'info' | 'warn' | 'error'} [options.logLevel] default 'info'; also
 *   the level of extensions' log output channels
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer({
  stateDir,
  port,
  settings,
  telemetry = false,
  guardLog,
  env = {},
  logLevel = 'info',
}) {
  const home = join(stateDir, 'home');
  const userDataDir = join(stateDir, 'user-data');
  const extensionsDir = join(stateDir, 'extensions');
  for (const dir of [home, join(userDataDir, 'User'), extensionsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  if (settings) {
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const configFile = join(stateDir, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const chosenPort = port ?? (await freePort());
  const logFile = join(stateDir, 'code-server.log');

  const args = [
    CODE_SERVER_ENTRY,
    '--config',
    configFile,
    '--bind-addr',
    `127.0.0.1:${chosenPort}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--log',
    logLevel,
    ...(telemetry
      ? ['--builtin-extensions-dir', trimmedBuiltinExtensions(join(stateDir, 'builtin-extensions'))]
      : ['--disable-telemetry']),
  ];
  const server = startProcess(`code-server ${CODE_SERVER_VERSION}`, process.execPath, args, {
    env: {
      ...process.env,
      ...guardEnvironment(guardLog),
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      EXTENSIONS_GALLERY: LOOPBACK_GALLERY,
      ...(telemetry ? { CS_TELEMETRY_URL: DEAD_TELEMETRY_URL } : {}),
      ...env,
    },
    cwd: home,
    logFile,
  });
  const url = `http://127.0.0.1:${chosenPort}/`;
  try {
    await waitForHttp(`${url}healthz`, server);
  } catch (error) {
    await server.stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    throw new Error(`${error.message}\n--- ${logFile} ---\n${tail}`);
  }
  return {
    url,
    port: chosenPort,
    pid: server.pid,
    userDataDir,
    extensionsDir,
    logFile,
    stop: () => server.stop(),
  };
}
