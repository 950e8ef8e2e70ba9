// Entry of the in-host suite for VS Code desktop, run by @vscode/test-cli (see
// .vscode-test.mjs and scripts/test-desktop.mjs): the same tests, registered with the mocha
// that test-cli runs in the extension host. No harness drives a browser there, so the tests
// that need one are registered as pending, and entities are not schema-checked (the Iglu
// validator reads schema files from the repository, which the desktop host does not get).
import { registeredTests } from './framework.mjs';
import './extension.inhost.mjs';

const { suite, test } = globalThis;

suite('Client Session in VS Code desktop', () => {
  for (const entry of registeredTests('main')) {
    if (entry.needsDriver) {
      test(`${entry.name} (needs the browser harness)`);
      continue;
    }
    test(entry.name, () =>
      entry.fn({
        host: 'desktop',
        phase: 'main',
        driver: () => {
          throw new Error('no harness drives VS Code desktop');
        },
        checkEntity: () => {},
        note: (message) => console.log(message),
      }),
    );
  }
});
