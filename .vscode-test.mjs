// @vscode/test-cli configuration: the in-host suite (test/integration/inhost) in VS Code
// desktop. Run it with `npm run test:desktop`, which builds the extension and the suite first
// (scripts/test-desktop.mjs) and says plainly when this machine has no VS Code desktop.
// VSCODE_EXECUTABLE_PATH picks an installed VS Code; without it test-cli downloads the latest
// stable build, which needs the internet.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A throwaway workspace and profile, emptied at each run rather than left behind.
const scratch = join(tmpdir(), 'client-session-desktop');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(join(scratch, 'user-data'), { recursive: true });

export default defineConfig({
  files: 'out/integration-desktop/suite.js',
  extensionDevelopmentPath: '.',
  workspaceFolder: scratch,
  launchArgs: ['--disable-extensions', '--user-data-dir', join(scratch, 'user-data')],
  mocha: { ui: 'tdd', timeout: 60_000 },
  ...(process.env.VSCODE_EXECUTABLE_PATH
    ? { useInstallation: { fromPath: process.env.VSCODE_EXECUTABLE_PATH } }
    : {}),
});
