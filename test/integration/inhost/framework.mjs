// A small test runner for code that runs inside an extension host: the Node host of
// code-server, the browser host of test-web, or VS Code desktop. Mocha needs a different
// bundle in each of those, and the harness needs each result on its own anyway, so the tests
// register here and every result is sent to the harness as soon as it is known.
//
// The harness is an HTTP server on 127.0.0.1 whose URL is compiled into the bundle (esbuild
// `define`, see test/integration/support/bundle.mjs). It also performs actions the extension
// host cannot do itself (bring another browser tab to the front, remember a value across a
// reload) through `driver`. Without a harness (desktop) the tests that need one are skipped
// and say so.

/* global HARNESS_URL */

/**
 * @typedef {object} InHostContext
 * @property {'node' | 'web' | 'desktop'} host which extension host this is
 * @property {string} phase which part of a multi-step scenario runs now ('main' by default)
 * @property {(action: string, args?: unknown) => Promise<any>} driver asks the harness to act;
 *   throws when there is no harness
 * @property {(entity: unknown) => void} checkEntity hands a client_session entity to the
 *   harness, which validates it against the Iglu schema as part of this test's result
 * @property {(message: string) => void} note adds a line to this test's report
 */

/** @type {{ name: string, phases: string[], needsDriver: boolean, fn: Function }[]} */
const registered = [];

/**
 * Registers a test.
 * @param {string} name a sentence saying the behaviour
 * @param {{ phases?: string[], needsDriver?: boolean }} options `phases` default ['main'];
 *   `needsDriver` default false: true skips the test where no harness drives the browser
 * @param {(context: InHostContext) => Promise<void> | void} fn throws to fail
 */
export function test(name, options, fn) {
  registered.push({
    name,
    phases: options.phases ?? ['main'],
    needsDriver: options.needsDriver ?? false,
    fn,
  });
}

const harnessUrl = typeof HARNESS_URL === 'string' ? HARNESS_URL : null;

async function post(path, body) {
  // text/plain keeps the browser host's cross-origin request a simple one (no preflight).
  const response = await fetch(`${harnessUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`harness ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Runs the tests of the current phase one after another and reports each. Called by the
 * extension host (`extensionTestsPath`); rejects when any test failed, which is how the host
 * learns the run failed.
 * @param {'node' | 'web' | 'desktop'} host
 */
export async function runRegistered(host) {
  const { phase, only } = harnessUrl ? await post('/start', { host }) : { phase: 'main' };
  let failed = 0;
  for (const entry of registered) {
    if (!entry.phases.includes(phase)) continue;
    if (only && !only.includes(entry.name)) continue;
    const report = { name: entry.name, phase, entities: [], notes: [] };
    if (entry.needsDriver && !harnessUrl) {
      console.log(`skipped (needs the harness to drive the browser): ${entry.name}`);
      continue;
    }
    const started = Date.now();
    try {
      await entry.fn({
        host,
        phase,
        driver: (action, args) => {
          if (!harnessUrl) throw new Error('no harness: this host is not driven by one');
          return post('/driver', { action, args, test: entry.name });
        },
        checkEntity: (entity) => report.entities.push(entity),
        note: (message) => report.notes.push(String(message)),
      });
      report.status = 'passed';
    } catch (error) {
      failed++;
      report.status = 'failed';
      report.error = error instanceof Error ? `${error.stack ?? error.message}` : String(error);
    }
    report.durationMs = Date.now() - started;
    if (harnessUrl) await post('/result', report);
    else console.log(`${report.status}: ${entry.name}${report.error ? `\n${report.error}` : ''}`);
  }
  if (harnessUrl) await post('/done', { failed });
  if (failed > 0) throw new Error(`${failed} in-host test(s) failed in the ${host} host`);
}

/**
 * Polls `predicate` every 50 ms until it returns a truthy value, which is returned.
 * @param {() => unknown} predicate
 * @param {string | (() => string)} what said in the error when it times out (a function is
 *   called then, to describe the state at that moment)
 * @param {number} [timeoutMs] default 10000 ms
 */
export async function waitFor(predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sleeps in real time: only for gaps that are themselves the behaviour under test. */
export function realGap(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Fails with `message` and both values when they differ (Node's assert is not in browsers). */
export function assertEqual(actual, expected, message) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${message}\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(actual)}`,
    );
  }
}

/** Fails with `message` unless `condition` holds. */
export function assertTrue(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * The registered tests of one phase, for runners that bring their own test framework (the
 * desktop runner registers them with mocha).
 * @param {string} phase
 */
export function registeredTests(phase) {
  return registered.filter((entry) => entry.phases.includes(phase));
}
