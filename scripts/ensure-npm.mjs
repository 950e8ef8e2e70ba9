// Makes sure node_modules matches package-lock.json, with `npm ci` when it does not (a fresh
// clone, or a lock changed since the last install). Uses nothing but Node itself, so it runs
// before anything is installed: `npm start`, `npm test`, `npm run collector` and
// `npm run bench` call it first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Runs `npm ci` unless the last install was made from this very package-lock.json. */
export function ensureNpmPackages() {
  const lock = readFileSync(path.join(root, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(root, 'node_modules', '.installed-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    return;
  }
  console.log('== npm packages: npm ci');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    // test-web's dependencies would download a browser; the tests use Debian's Chromium.
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (result.status !== 0) {
    throw new Error(`npm ci failed (exit ${result.status ?? result.signal})`);
  }
  writeFileSync(stamp, hash);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureNpmPackages();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
