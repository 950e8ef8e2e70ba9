// The harness proves itself on a throwaway probe extension, so a failure in the extension's
// own tests cannot be the harness's fault unnoticed: the in-host suite runs in both hosts,
// the driver moves real window focus, and a connection beyond loopback is refused, recorded
// and reported by the check every scenario ends with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scenario } from './support/scenario.mjs';
import { readGuardLog } from '../../scripts/hosts/guard-log.mjs';

/** Writes the probe extension: one command, and an API that says which entry ran. */
function writeProbeExtension(t) {
  const dir = mkdtempSync(join(tmpdir(), 'client-session-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'probe',
      publisher: 'client-session-harness',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './dist/node.js',
      browser: './dist/web.js',
      activationEvents: ['onStartupFinished'],
      contributes: { commands: [{ command: 'harnessProbe.hello', title: 'Hello' }] },
    }),
  );
  const body = (kind) => `
    const vscode = require('vscode');
    exports.activate = (context) => {
      context.subscriptions.push(
        vscode.commands.registerCommand('harnessProbe.hello', () => 'hello'),
      );
      return { kind: '${kind}' };
    };`;
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'node.js'), body('node'));
  writeFileSync(join(dir, 'dist', 'web.js'), body('web'));
  return dir;
}

for (const host of ['node', 'web']) {
  test(`harness: the in-host suite runs in the ${host} host and drives focus`, async (t) => {
    const scenario = new Scenario(t, {
      host,
      extensionSource: writeProbeExtension(t),
      suite: 'harness-suite.mjs',
    });
    await scenario.start();
    const run = await scenario.runPhase('main');
    assert.equal(run.results.length, 2, `two in-host results, got ${JSON.stringify(run)}`);
    await scenario.report(run);
    await scenario.checkNothingLeftLoopback();
  });
}

test('harness: a connection beyond loopback from the extension host is caught', async (t) => {
  const scenario = new Scenario(t, {
    host: 'node',
    extensionSource: writeProbeExtension(t),
    suite: 'harness-suite.mjs',
  });
  await scenario.start();
  const run = await scenario.runPhase('guard');
  await scenario.report(run);
  const { refused } = readGuardLog(scenario.guardLog);
  assert.ok(
    refused.some((entry) => entry.target === 'example.com:80'),
    `the guard recorded no attempt to reach example.com: ${JSON.stringify(refused)}`,
  );
});

test('harness: a request beyond loopback from the browser is caught', async (t) => {
  const scenario = new Scenario(t, {
    host: 'web',
    extensionSource: writeProbeExtension(t),
    suite: 'harness-suite.mjs',
  });
  await scenario.start();
  const page = await scenario.chromium.context.newPage();
  // The host resolver rules make it fail; the network log still shows that it was tried.
  await page.goto('http://example.com/harness-browser-probe').catch(() => {});
  const urls = await scenario.chromium.stop();
  assert.ok(
    urls.some((url) => url.startsWith('http://example.com/harness-browser-probe')),
    `Chromium's network log shows no attempt to reach example.com: ${JSON.stringify(urls)}`,
  );
});
