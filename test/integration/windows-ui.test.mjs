// Two live windows (two tabs on one host, both with the extension running) and settings read
// at start, through the user interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from './support/scenario.mjs';
import {
  inspectView,
  notification,
  stepRunner,
  trackFromPalette,
  waitForView,
} from './support/ui.mjs';

/** Opens a plain workbench tab and waits until it is usable. */
async function openWindow(scenario) {
  const page = await scenario.openWorkbench();
  await page.locator('.part.statusbar').waitFor({ timeout: 30000 });
  return page;
}

for (const host of ['node', 'web']) {
  test(`${host} host: two windows share one session`, async (t) => {
    const scenario = new Scenario(t, { host, withTests: false });
    await scenario.start();
    const first = await openWindow(scenario);
    const second = await openWindow(scenario);
    for (const page of [first, second]) {
      await scenario.runFromPalette(page, 'Client Session: Inspect Session');
    }
    const step = stepRunner(t, scenario, second);
    const seen = [];
    // Tracks in `page`, then waits until `other` shows the event before going on, as a person
    // looking at the other window would.
    const track = async (page, other, name) => {
      const entity = await trackFromPalette(page, name, '');
      seen.push(entity);
      await waitForView(
        other,
        (view) => view.nextEvent.eventIndex === entity.eventIndex + 1,
        `the other window did not see event ${entity.eventIndex} of "${name}"`,
      );
      return entity;
    };

    await step('events in either window count in the same session', async () => {
      const a = await track(first, second, 'window_one_a');
      const b = await track(second, first, 'window_two_a');
      const c = await track(first, second, 'window_one_b');
      assert.equal(b.sessionId, a.sessionId, 'the second window joined the first one’s session');
      assert.equal(c.sessionId, a.sessionId);
      assert.deepEqual(
        [a.eventIndex, b.eventIndex, c.eventIndex],
        [a.eventIndex, a.eventIndex + 1, a.eventIndex + 2],
      );
    });

    await step('Start New Session in one window moves both to the new session', async () => {
      const before = seen.at(-1);
      await scenario.runFromPalette(second, 'Client Session: Start New Session');
      await notification(second, /next event starts a new session/);
      await waitForView(
        first,
        (view) => view.nextEventStartsSession === true,
        'the first window did not learn that the next event starts a new session',
      );
      const d = await track(first, second, 'window_one_after_new');
      const e = await track(second, first, 'window_two_after_new');
      assert.notEqual(d.sessionId, before.sessionId, 'the other window started the new session');
      assert.equal(d.sessionIndex, before.sessionIndex + 1);
      assert.equal(e.sessionId, d.sessionId, 'both windows are in the new session');
    });

    await step('sessionIndex never goes backwards across the windows', async () => {
      for (let i = 1; i < seen.length; i++) {
        assert.ok(
          seen[i].sessionIndex >= seen[i - 1].sessionIndex,
          `sessionIndex went from ${seen[i - 1].sessionIndex} to ${seen[i].sessionIndex}`,
        );
      }
    });

    await scenario.checkNothingLeftLoopback();
  });
}

// Settings can be written before load only in code-server (its user settings live on the
// server); the web host's invalid-settings case is covered in-host through the configuration
// API.
test('node host: invalid timeout settings at start give a warning and the defaults', async (t) => {
  const scenario = new Scenario(t, {
    host: 'node',
    withTests: false,
    settings: {
      'clientSession.backgroundTimeoutSeconds': 0,
      'clientSession.foregroundTimeoutSeconds': 'ten',
    },
  });
  await scenario.start();
  const page = await openWindow(scenario);
  const step = stepRunner(t, scenario, page);

  await step('a warning names each invalid setting', async () => {
    await notification(page, /clientSession\.backgroundTimeoutSeconds is 0/);
    await notification(page, /clientSession\.foregroundTimeoutSeconds is "ten"/);
  });

  await step('the session uses the default of 1800 s for both', async () => {
    await scenario.runFromPalette(page, 'Client Session: Inspect Session');
    const view = await inspectView(page);
    assert.equal(view.backgroundTimeoutSeconds, 1800);
    assert.equal(view.foregroundTimeoutSeconds, 1800);
  });

  await scenario.checkNothingLeftLoopback();
});
