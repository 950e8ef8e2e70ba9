// The extension through its user interface, as a person uses it: the command palette, the
// input boxes of Track Event, the notification it shows, the Inspect Session editor and the
// Reset Session dialog, typed and clicked in Chromium. Runs in both hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Scenario, CLIENT_SESSION_SCHEMA } from './support/scenario.mjs';
import {
  COMMAND_TITLES,
  answer,
  inspectView,
  notification,
  stepRunner,
  trackFromPalette,
  waitForView,
} from './support/ui.mjs';

const require = createRequire(import.meta.url);
const { validateData } = require('../../scripts/iglu.cjs');

for (const host of ['node', 'web']) {
  test(`${host} host: the commands from the palette`, async (t) => {
    const scenario = new Scenario(t, { host, withTests: false });
    await scenario.start();
    const page = await scenario.openWorkbench();
    await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
    const step = stepRunner(t, scenario, page);

    await step('the palette lists the four commands under "Client Session"', async () => {
      // The palette lists an extension's commands once the host has registered it, which
      // in code-server can be a little after the workbench has appeared.
      let labels = [];
      const deadline = Date.now() + 15000;
      while (!COMMAND_TITLES.every((title) => labels.includes(title)) && Date.now() < deadline) {
        await scenario.openPalette(page, 'Client Session: ');
        const rows = page.locator('.quick-input-list .monaco-list-row');
        await rows.first().waitFor({ timeout: 10000 });
        labels = (await rows.allInnerTexts()).map((text) => text.split('\n')[0]);
        await page.keyboard.press('Escape');
        await page.waitForTimeout(300);
      }
      for (const title of COMMAND_TITLES) {
        assert.ok(labels.includes(title), `"${title}" not in the palette: ${labels.join(' | ')}`);
      }
    });

    let last;
    let userId;
    await step('Track Event from the palette tracks an event and says so', async () => {
      const first = await trackFromPalette(page, 'palette_one', '{"via": "palette"}');
      last = await trackFromPalette(page, 'palette_two', '');
      // Telemetry is off here (code-server: the user's level; test-web: its product), so the
      // event counts in the session and the notification says it was not sent.
      assert.equal(first.sent, false, 'the notification did not say "Not sent"');
      assert.equal(last.sessionId, first.sessionId);
      assert.equal(last.eventIndex, first.eventIndex + 1);
    });

    await step(
      'invalid JSON properties are refused in the input box; nothing is tracked',
      async () => {
        await scenario.runFromPalette(page, 'Client Session: Track Event');
        await answer(page, 'Track Event (1/2)', 'palette_bad');
        await answer(page, 'Track Event (2/2)', '{"unclosed": ');
        const message = page.locator('.quick-input-message');
        await message.filter({ hasText: /\S/ }).waitFor({ timeout: 10000 });
        const text = await message.innerText();
        assert.match(text, /JSON|object/i, `the input box said: ${text}`);
        await page.keyboard.press('Escape');
        const next = await trackFromPalette(page, 'palette_after_bad', '');
        assert.equal(next.eventIndex, last.eventIndex + 1, 'an event was tracked by the bad input');
        last = next;
      },
    );

    await step('Inspect Session shows a valid entity and updates after another event', async () => {
      await scenario.runFromPalette(page, 'Client Session: Inspect Session');
      await page.locator('.tab', { hasText: 'Client Session.json' }).waitFor({ timeout: 10000 });
      const view = await inspectView(page);
      assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, view.nextEvent), []);
      assert.equal(view.nextEvent.sessionId, last.sessionId);
      assert.equal(view.nextEvent.eventIndex, last.eventIndex + 1);
      last = await trackFromPalette(page, 'palette_while_inspecting', '');
      await page.waitForFunction(
        (expected) => {
          const lines = document.querySelector('.editor-instance .view-lines');
          return lines?.textContent.replace(/\u00a0/g, ' ').includes(`"eventIndex": ${expected}`);
        },
        last.eventIndex + 1,
        { timeout: 10000 },
      );
      const updated = await inspectView(page);
      assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, updated.nextEvent), []);
      userId = updated.nextEvent.userId;
    });

    await step('Start New Session makes the next event open a new session', async () => {
      await scenario.runFromPalette(page, 'Client Session: Start New Session');
      await notification(page, /next event starts a new session/);
      const next = await trackFromPalette(page, 'palette_new_session', '');
      assert.notEqual(next.sessionId, last.sessionId);
      assert.equal(next.sessionIndex, last.sessionIndex + 1);
      assert.equal(next.eventIndex, 1);
      last = next;
    });

    await step('Reset Session asks first; Cancel keeps the session', async () => {
      await scenario.runFromPalette(page, 'Client Session: Reset Session');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 10000 });
      assert.match(await dialog.innerText(), /Reset the client session\?/);
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      const next = await trackFromPalette(page, 'palette_after_cancel', '');
      assert.equal(next.sessionId, last.sessionId);
      last = next;
    });

    await step('Reset Session deletes the session; the next event starts session 1', async () => {
      await scenario.runFromPalette(page, 'Client Session: Reset Session');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 10000 });
      await dialog.locator('.monaco-button', { hasText: /^Reset Session$/ }).click();
      await notification(page, /Session deleted; user id kept/);
      const next = await trackFromPalette(page, 'palette_after_reset', '');
      assert.notEqual(next.sessionId, last.sessionId);
      assert.equal(next.sessionIndex, 1);
      assert.equal(next.eventIndex, 1);
      const view = await waitForView(
        page,
        (shown) => shown.nextEvent.sessionId === next.sessionId,
        'the Inspect view did not show the session after the reset',
      );
      assert.equal(view.nextEvent.userId, userId, 'the user id was kept');
      last = next;
    });

    await step('Reset Session and User ID also gives a new user id', async () => {
      await scenario.runFromPalette(page, 'Client Session: Reset Session');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 10000 });
      await dialog.locator('.monaco-button', { hasText: 'Reset Session and User ID' }).click();
      await notification(page, /Session and user id deleted/);
      const next = await trackFromPalette(page, 'palette_after_full_reset', '');
      assert.notEqual(next.sessionId, last.sessionId);
      assert.equal(next.sessionIndex, 1);
      const view = await waitForView(
        page,
        (shown) => shown.nextEvent.sessionId === next.sessionId,
        'the Inspect view did not show the session after the reset',
      );
      assert.notEqual(view.nextEvent.userId, userId, 'the user id is new');
      assert.deepEqual(validateData(CLIENT_SESSION_SCHEMA, view.nextEvent), []);
    });

    await scenario.checkNothingLeftLoopback();
  });
}
