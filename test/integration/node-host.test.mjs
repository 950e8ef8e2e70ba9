// The extension in code-server's Node extension host, driven from Debian's Chromium. Each
// scenario has its own server, browser profile and extension hosts, stopped by PID at its end.
import { test } from 'node:test';
import { Scenario } from './support/scenario.mjs';

test('node host: the in-host suite', async (t) => {
  const scenario = new Scenario(t, { host: 'node' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('main'));
  await scenario.checkNothingLeftLoopback();
});

test('node host: Reload Window and a server restart keep the session', async (t) => {
  const scenario = new Scenario(t, { host: 'node' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('before-reload'));
  const [page] = scenario.pages;
  await scenario.report(
    await scenario.runPhase('after-reload', { action: () => scenario.reload(page) }),
  );
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

test('node host: two windows share one session', async (t) => {
  const scenario = new Scenario(t, { host: 'node' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('first-window'));
  await scenario.report(await scenario.runPhase('second-window'));
  await scenario.checkNothingLeftLoopback();
});
