// In-host tests of the harness itself, run against a throwaway probe extension that
// harness.test.mjs writes to a temp folder: they show that the extension host loads and runs
// this suite, that the driver really moves window focus, and that the network guard stops a
// connection beyond loopback (harness.test.mjs then checks that the guard recorded it).
import * as vscode from 'vscode';
import { test, runRegistered, waitFor, assertEqual, assertTrue } from './framework.mjs';

/* global IN_HOST_KIND */

const PROBE_ID = 'client-session-harness.probe';

test('the probe extension activates and its command runs', {}, async () => {
  const extension = vscode.extensions.getExtension(PROBE_ID);
  assertTrue(extension, `${PROBE_ID} is not installed`);
  const api = await extension.activate();
  assertEqual(api.kind, IN_HOST_KIND === 'web' ? 'web' : 'node', 'the entry that ran');
  assertEqual(await vscode.commands.executeCommand('harnessProbe.hello'), 'hello', 'command');
});

test('window focus follows the browser tab in front', { needsDriver: true }, async (context) => {
  await context.driver('focus');
  await waitFor(() => vscode.window.state.focused, 'the window to be focused first');
  await context.driver('blur');
  await waitFor(() => !vscode.window.state.focused, 'focused: false with another tab in front');
  await context.driver('focus');
  await waitFor(() => vscode.window.state.focused, 'focused: true with the tab back in front');
});

test(
  'a connection beyond loopback fails in the extension host',
  { phases: ['guard'] },
  async () => {
    let failure;
    try {
      await fetch('http://example.com/harness-guard-probe');
    } catch (error) {
      failure = error;
    }
    assertTrue(failure, 'fetch to example.com succeeded: nothing stopped it');
  },
);

/** Runs the suite; rejects when a test failed. */
export function run() {
  return runRegistered(typeof IN_HOST_KIND === 'string' ? IN_HOST_KIND : 'desktop');
}
