// Helpers that use the workbench as a person does: the palette, input boxes, notifications,
// the Inspect Session editor. Shared by the UI scenarios and the `npm start` test.
import { disableFocusEmulation } from '../../../scripts/hosts/browser.mjs';

/**
 * Brings the tab to the front and makes sure its document has focus, as a person's click
 * would: after an editor closes, focus can be left nowhere (`document.hasFocus()` false with
 * the tab in front), and then VS Code never sees the next blur.
 * @param {import('playwright-core').Page} page
 */
export async function focusPage(page) {
  await page.bringToFront();
  await disableFocusEmulation(page);
  if (await page.evaluate(() => document.hasFocus())) return;
  await page.click('.part.statusbar', { position: { x: 600, y: 5 } });
  await page.waitForFunction(() => document.hasFocus(), undefined, { timeout: 5000 });
}

/** Opens the command palette in the tab and types `text` into it. */
export async function openPalette(page, text) {
  await focusPage(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${text}`);
}

/**
 * Runs a command from the command palette, typing as a person would.
 * @param {import('playwright-core').Page} page
 * @param {string} title e.g. 'Developer: Reload Window'
 */
export async function runFromPalette(page, title) {
  // The palette lists an extension's commands only once its host has registered them, which
  // in code-server can be seconds after the workbench appears: reopen it until they are there.
  const deadline = Date.now() + 20000;
  for (;;) {
    await openPalette(page, title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** The extension's commands as the palette shows them. */
export const COMMAND_TITLES = [
  'Client Session: Track Event',
  'Client Session: Inspect Session',
  'Client Session: Start New Session',
  'Client Session: Reset Session',
];
export const TRACKED = /Tracked "([^"]+)": session (\d+) \(([0-9a-f-]{36})\), event (\d+)/;

/**
 * Waits (up to 20 s: a loaded 2-core machine can be slow) for a notification matching
 * `pattern` and returns the match; on timeout, the error lists the notifications there were.
 */
export async function notification(page, pattern) {
  const messages = page.locator('.notification-list-item-message');
  const toast = messages.filter({ hasText: pattern }).last();
  try {
    await toast.waitFor({ timeout: 20000 });
  } catch (error) {
    const shown = await messages.allInnerTexts().catch(() => []);
    error.message += `\nnotifications shown: ${JSON.stringify(shown)}`;
    throw error;
  }
  const text = await toast.innerText();
  return text.match(pattern);
}

/**
 * Waits for the input box titled `title` (one widget serves every box, so waiting for it to be
 * visible is not enough), types `text` and presses Enter.
 */
export async function answer(page, title, text) {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: title })
    .waitFor({ state: 'visible', timeout: 10000 });
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/**
 * Tracks an event through the palette and returns what the notification said; `sent` is false
 * when it added that the event was not sent (telemetry off or no collector).
 */
export async function trackFromPalette(page, name, properties) {
  await runFromPalette(page, 'Client Session: Track Event');
  await answer(page, 'Track Event (1/2)', name);
  await answer(page, 'Track Event (2/2)', properties);
  const match = await notification(page, new RegExp(`Tracked "${name}".*`));
  const [, , sessionIndex, sessionId, eventIndex] = match[0].match(TRACKED);
  return {
    sessionIndex: Number(sessionIndex),
    sessionId,
    eventIndex: Number(eventIndex),
    sent: !match[0].includes('Not sent'),
  };
}

/**
 * Polls `ready` every 100 ms until it returns true; fails with `what` after `timeoutMs`
 * (default 20 s). Real hosts have no fake clock: this bounds the wait, it does not time it.
 * @param {() => boolean | Promise<boolean>} ready
 * @param {string} what the failure message
 */
export async function waitFor(ready, what, timeoutMs = 20000) {
  for (const deadline = Date.now() + timeoutMs; !(await ready());) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sets the user's telemetry level in the Settings editor, as a person does (code-server does
 * not notice edits to settings.json while a window is open), and closes the editor.
 * @param {import('playwright-core').Page} page
 * @param {'all' | 'error' | 'crash' | 'off'} level
 */
export async function setTelemetryLevel(page, level) {
  await runFromPalette(page, 'Preferences: Open Settings (UI)');
  // The search box is a small Monaco editor; its textarea takes typed text.
  const search = page.locator('.settings-editor .suggest-input-container textarea').first();
  await search.waitFor({ timeout: 10000 });
  await search.fill('telemetry.telemetryLevel');
  const item = page.locator('.setting-item-enum', { hasText: 'Telemetry Level' }).first();
  const select = item.locator('select');
  await select.waitFor({ timeout: 10000 });
  await select.click();
  // A row reads e.g. "all" then "default": match the option's own text only.
  await page
    .locator('.monaco-select-box-dropdown-container .option-text', {
      hasText: new RegExp(`^${level}$`),
    })
    .click();
  await waitFor(
    async () => (await select.inputValue()) === level,
    `the Settings editor did not take telemetry level "${level}"`,
    5000,
  );
}

/** The Inspect Session editor's JSON, read from the rendered lines. */
export async function inspectView(page) {
  const lines = page.locator('.editor-instance .view-lines').first();
  await lines.waitFor({ timeout: 10000 });
  const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
  return JSON.parse(text);
}

/**
 * Returns `step(name, fn)`: runs `fn` as a subtest named after the host, and on failure adds
 * the host, the step, a screenshot path and the extension's log to the error.
 * @param {import('node:test').TestContext} t
 * @param {import('./scenario.mjs').Scenario} scenario
 * @param {import('playwright-core').Page} page the tab to photograph on failure
 */
export function stepRunner(t, scenario, page) {
  return (name, fn) =>
    t.test(`[${scenario.hostLabel}] ${name}`, async () => {
      scenario.step = name;
      try {
        await fn();
      } catch (error) {
        const screenshot = `${scenario.dir}/failure.png`;
        await page.screenshot({ path: screenshot }).catch(() => {});
        error.message =
          `${scenario.hostLabel}, step "${name}": ${error.message}\n` +
          `(screenshot: ${screenshot}, kept with CLIENT_SESSION_KEEP_TEST_DIRS=1)\n` +
          `--- extension log ---\n${await scenario.extensionLog()}`;
        throw error;
      }
    });
}

/**
 * How long a change may take to show in an Inspect Session view: the extension refreshes it
 * every second, and another window sees a change only after the shared globalState has
 * carried it over (VS Code throttles its writes; the extension writes behind its events).
 */
const VIEW_TIMEOUT_MS = 10000;

/**
 * Waits until the window's Inspect Session view (open in it, refreshed by the extension every
 * second) satisfies `predicate`; fails saying `what` and the last view.
 */
export async function waitForView(page, predicate, what) {
  const deadline = Date.now() + VIEW_TIMEOUT_MS;
  let view;
  while (Date.now() < deadline) {
    view = await inspectView(page).catch(() => undefined);
    if (view && predicate(view)) return view;
    await page.waitForTimeout(200);
  }
  throw new Error(`${what} within ${VIEW_TIMEOUT_MS} ms; last view: ${JSON.stringify(view)}`);
}
