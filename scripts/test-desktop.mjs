// `npm run test:desktop`: the in-host suite in VS Code desktop through @vscode/test-cli (see
// .vscode-test.mjs). It needs a VS Code desktop build, which neither npm nor Debian offers:
//   VSCODE_EXECUTABLE_PATH=/path/to/code npm run test:desktop   use an installed VS Code
//   npm run test:desktop -- --download                          let test-cli download one
//                                                               (needs the internet)
// Without either it stops at once and says so, instead of hanging on a download.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './hosts/paths.mjs';
import { bundleInHostSuite } from '../test/integration/support/bundle.mjs';

const download = process.argv.includes('--download');
const executable = process.env.VSCODE_EXECUTABLE_PATH;

if (executable !== undefined && !existsSync(executable)) {
  console.error(`[test:desktop] VSCODE_EXECUTABLE_PATH is ${executable}, which does not exist.`);
  process.exit(1);
}
if (executable === undefined && !download) {
  console.error(
    '[test:desktop] No VS Code desktop is available, so the desktop tests cannot run here.\n' +
      '  Set VSCODE_EXECUTABLE_PATH to an installed VS Code (the `code` binary), or pass\n' +
      '  --download on a machine with internet access to let @vscode/test-cli fetch one.\n' +
      '  The same suite runs in code-server and in a web host as part of `npm test`.',
  );
  process.exit(1);
}

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
await bundleInHostSuite({
  host: 'desktop',
  harnessUrl: null,
  entry: 'desktop-mocha.mjs',
  outfile: join(REPO_ROOT, 'out', 'integration-desktop', 'suite.js'),
});

const cli = join(REPO_ROOT, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
const run = spawnSync(process.execPath, [cli], { cwd: REPO_ROOT, stdio: 'inherit' });
process.exit(run.status ?? 1);
