// The harness's HTTP server on 127.0.0.1, which the in-host suite talks to (see
// ../inhost/framework.mjs): it hands out the phase to run, performs driver actions, and
// collects each test's result as it arrives.
import { createServer } from 'node:http';

/**
 * @typedef {object} InHostResult
 * @property {string} name
 * @property {string} phase
 * @property {'passed' | 'failed'} status
 * @property {string} [error]
 * @property {unknown[]} entities client_session entities to validate
 * @property {string[]} notes
 * @property {number} durationMs
 */

/**
 * Starts the server.
 * @param {{ onDriver: (action: string, args: any, test: string) => Promise<unknown> }} options
 *   `onDriver` performs an action asked for by an in-host test; what it returns goes back
 */
export async function startHarnessServer({ onDriver }) {
  let phase = 'main';
  let only;
  /** @type {InHostResult[]} */
  let results = [];
  let host;
  let finish;
  let done = new Promise((resolve) => (finish = resolve));

  const server = createServer(async (request, response) => {
    // The web extension host runs in a worker of another origin.
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', 'content-type');
    if (request.method === 'OPTIONS') {
      response.end();
      return;
    }
    let body = '';
    for await (const chunk of request) body += chunk;
    const message = body ? JSON.parse(body) : {};
    try {
      let answer;
      switch (request.url) {
        case '/start':
          host = message.host;
          answer = { phase, only };
          break;
        case '/driver':
          answer = (await onDriver(message.action, message.args, message.test)) ?? null;
          break;
        case '/result':
          results.push(message);
          break;
        case '/done':
          finish({ host, results, failed: message.failed });
          break;
        default:
          response.statusCode = 404;
      }
      response.end(answer === undefined ? '' : JSON.stringify(answer));
    } catch (error) {
      response.statusCode = 500;
      response.end(JSON.stringify(String(error?.stack ?? error)));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());

  return {
    url: `http://127.0.0.1:${port}`,
    /**
     * Sets what the next in-host run does, and returns a promise of its results.
     * @param {string} nextPhase
     * @param {string[]} [onlyTests] run only these test names
     */
    expectRun(nextPhase, onlyTests) {
      phase = nextPhase;
      only = onlyTests;
      results = [];
      done = new Promise((resolve) => (finish = resolve));
      return done;
    },
    /** Results received so far in the current run (all of them if it never finished). */
    partialResults: () => results,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
