// A local Snowplow collector for development and tests: accepts tracker protocol POSTs at
// /com.snowplowanalytics.snowplow/tp2 on loopback, validates every payload against the schemas
// (validate.cjs), answers 200 or 400 with the reasons, and can be told to fail (500, 429 with
// Retry-After, or hang) so that retries can be tested against a real server. It never listens
// beyond 127.0.0.1 and never forwards anything.
'use strict';

const http = require('node:http');
const { validatePayloadBody } = require('./validate.cjs');

const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';
/** A real collector's default limit is far above a tracker's 40 000-byte batches. */
const MAX_BODY_BYTES = 1_000_000;

/**
 * Starts a collector on 127.0.0.1.
 *
 * @param {object} [options]
 * @param {number} [options.port] TCP port; 0 (the default) picks a free one.
 * @param {(event: object) => void} [options.onEvent] called with each accepted event:
 *   `{ payload, contexts, unstruct, summary }`.
 * @param {(line: string) => void} [options.log] one line per request problem; default silent.
 * @returns {Promise<import('./server.d.cts').Collector>}
 */
async function startCollector(options = {}) {
  const { port = 0, onEvent, log = () => {} } = options;
  /** Accepted events, in arrival order. */
  const received = [];
  /** Every request that reached the tp2 path, with the status it got. */
  const requests = [];
  const waiters = [];
  let fault = { mode: 'none', remaining: 0 };
  const hanging = new Set();

  function notify() {
    for (const waiter of [...waiters]) {
      if (waiter.ready()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** The fault to apply to this request, if any; counts it down. */
  function takeFault() {
    if (fault.mode === 'none' || fault.remaining === 0) {
      return undefined;
    }
    if (fault.remaining > 0) {
      fault.remaining--;
    }
    return fault;
  }

  function answer(response, status, text, headers = {}) {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    response.end(text);
  }

  const server = http.createServer((request, response) => {
    // The web extension host posts from another origin; answer its preflight. No credentials
    // are accepted, so no cookie can identify the user across requests.
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }
    const path = (request.url || '').split('?')[0];
    if (path !== TP2_PATH || request.method !== 'POST') {
      answer(response, 404, `only POST ${TP2_PATH} is served here`);
      return;
    }
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const record = { headers: request.headers, bytes: size, body: text, status: 0 };
      requests.push(record);
      let problems;
      let events = [];
      if (size > MAX_BODY_BYTES) {
        problems = [`body of ${size} bytes is over the limit of ${MAX_BODY_BYTES}`];
      } else {
        let body;
        try {
          body = JSON.parse(text);
        } catch (error) {
          body = undefined;
          problems = [`body is not JSON: ${error.message}`];
        }
        if (body !== undefined) {
          ({ problems, events } = validatePayloadBody(body));
        }
      }
      // Recorded even when told to fail, so that tests can check every payload they sent.
      record.problems = problems;
      const applied = takeFault();
      if (applied && applied.mode === 'hang') {
        record.status = -1;
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
        notify();
        return;
      }
      if (applied && applied.mode === 'status') {
        record.status = applied.status;
        const headers =
          applied.retryAfter !== undefined ? { 'Retry-After': String(applied.retryAfter) } : {};
        answer(response, applied.status, `told to fail with ${applied.status}`, headers);
        notify();
        return;
      }
      if (problems.length > 0) {
        record.status = 400;
        log(`400 for ${events.length} event(s): ${problems.join('; ')}`);
        answer(response, 400, problems.join('\n'));
        notify();
        return;
      }
      record.status = 200;
      for (const event of events) {
        received.push(event);
        if (onEvent) {
          onEvent(event);
        }
      }
      answer(response, 200, 'ok');
      notify();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    endpoint: url + TP2_PATH,
    received,
    requests,
    /**
     * From now on, answer with `status` (e.g. 500, or 429 with `retryAfter` seconds), or hang
     * (`'hang'`: read the request, never answer), `times` times (-1: until told otherwise).
     */
    fail(status, { times = -1, retryAfter } = {}) {
      fault =
        status === 'hang'
          ? { mode: 'hang', remaining: times }
          : { mode: 'status', status, retryAfter, remaining: times };
    },
    /** Back to answering normally. */
    recover() {
      fault = { mode: 'none', remaining: 0 };
    },
    /** Resolves when at least `count` events have been accepted. */
    waitForEvents(count) {
      return this.waitFor(() => received.length >= count);
    },
    /** Resolves when at least `count` requests have been answered (or are hanging). */
    waitForRequests(count) {
      return this.waitFor(() => requests.filter((r) => r.status !== 0).length >= count);
    },
    /** Resolves when `ready()` is true after a request; checked after each one. */
    waitFor(ready) {
      if (ready()) {
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push({ ready, resolve }));
    },
    /** Stops listening and cuts every open connection, hanging ones included. */
    close() {
      for (const response of hanging) {
        response.destroy();
      }
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

module.exports = { startCollector, TP2_PATH };
