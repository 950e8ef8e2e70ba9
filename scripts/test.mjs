// The project's one test command (`npm test`, which .ci/run calls): installs what the tests
// need, checks format, lint and types, builds, and runs every test — unit, delivery,
// package and real-host integration — in one `node --test` run, ending with the line
// `N passed, N failed` that counts all of them.
//
//   node scripts/test.mjs               everything
//   node scripts/test.mjs --unit-only   no real hosts (no Debian packages, no VS Code)
//
// It runs on a fresh machine of the project's kind (Debian, Node 20, root): npm packages
// come from `npm ci` when package-lock.json changed since the last install, and the VS Code
// hosts and Debian packages from scripts/hosts/install.mjs, cached outside the repo.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNpmPackages } from './ensure-npm.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const unitOnly = process.argv.includes('--unit-only');
const tapFile = path.join(root, 'out', 'test-results.tap');

function step(title, command, args, options = {}) {
  console.log(`\n== ${title}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status ?? result.signal}).`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Test files under `dir` whose names end with `suffix`, sorted for a stable order. */
function findTests(dir, suffix) {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, String(name)))
    .filter((file) => file.endsWith(suffix) && statSync(file).isFile())
    .sort();
}

try {
  ensureNpmPackages();
} catch (error) {
  console.error(error.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log('== npm packages: up to date with package-lock.json');
if (!unitOnly) {
  step('VS Code hosts and Debian packages', process.execPath, ['scripts/hosts/install.mjs']);
}
step('format', bin('prettier'), ['--check', '.']);
step('lint', bin('eslint'), ['.']);
step('types', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('build', process.execPath, ['esbuild.mjs']);
rmSync(path.join(root, 'out'), { recursive: true, force: true });
step('compile tests', bin('tsc'), ['-p', 'tsconfig.test.json']);

const files = [
  ...findTests(path.join(root, 'out', 'test'), '.test.js'),
  ...(unitOnly ? [] : findTests(path.join(root, 'test', 'integration'), '.test.mjs')),
];
console.log(`\n== tests: ${files.length} files`);
const run = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files.map((file) => path.relative(root, file)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } },
);

// The closing line counts every test of the run, read from the TAP summary.
const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
const skipped = count('skipped');
const ok = run.status === 0 && failed === 0 && passed > 0;
console.log(`\n${passed} passed, ${ok ? failed : Math.max(failed, 1)} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
