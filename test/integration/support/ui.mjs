// Helpers that use the workbench as a person does: the palette, input boxes, notifications,
// the Inspect Session editor. Shared by the UI scenarios.

/** The extension's commands as the palette shows them. */
export const COMMAND_TITLES = [
  'Client Session: Track Event',
  'Client Session: Inspect Session',
  'Client Session: Start New Session',
  'Client Session: Reset Session',
];
export const TRACKED = /Tracked "([^"]+)": session (\d+) \(([0-9a-f-]{36})\), event (\d+)/;

/** Waits for a notification matching `pattern` and returns the match. */
export async function notification(page, pattern) {
  const toast = page.locator('.notification-list-item-message', { hasText: pattern }).last();
  await toast.waitFor({ timeout: 10000 });
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

/** Tracks an event through the palette and returns what the notification said. */
export async function trackFromPalette(scenario, page, name, properties) {
  await scenario.runFromPalette(page, 'Client Session: Track Event');
  await answer(page, 'Track Event (1/2)', name);
  await answer(page, 'Track Event (2/2)', properties);
  const match = await notification(page, new RegExp(`Tracked "${name}".*`));
  const [, , sessionIndex, sessionId, eventIndex] = match[0].match(TRACKED);
  return { sessionIndex: Number(sessionIndex), sessionId, eventIndex: Number(eventIndex) };
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
