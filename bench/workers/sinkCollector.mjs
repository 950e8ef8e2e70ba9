// A Snowplow collector that only counts: the far end for delivery benchmarks. It runs in its
// own process (forked with an IPC channel), so its CPU is never counted as the tracker's.
//
// It answers POST {path}/com.snowplowanalytics.snowplow/tp2 (counting the events in the
// payload_data array) and GET /i (one event) with 200, anything else with 404. It listens on
// 127.0.0.1 only, on a port the OS picks, and tells its parent over IPC:
//   -> { type: 'listening', port }
//   (answers below also carry `firstBody`: { checked, events, problems } of the first body)
//   <- { type: 'waitFor', count, id }     -> { type: 'reached', id, received, requests }
//   <- { type: 'count', id }              -> { type: 'count', id, received, requests }
//   <- { type: 'reset' }                  -> { type: 'reset', received: 0 }
//   <- { type: 'stop' }                   (closes and exits)
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

// The project's collector validator checks a whole tp2 body (envelope, every event and entity
// against its Iglu schema). The first body after each reset is checked with it, so that what
// is counted is known to be valid Snowplow data; the others are only counted.
const validatorFile = new URL('../../scripts/collector/validate.cjs', import.meta.url);
const validator = existsSync(validatorFile)
  ? createRequire(import.meta.url)(validatorFile.pathname)
  : undefined;
let firstBody;

function checkFirstBody(body) {
  if (firstBody !== undefined) {
    return;
  }
  if (validator === undefined) {
    firstBody = { checked: false, problems: [] };
    return;
  }
  const result = validator.validatePayloadBody(body);
  const problems = [...result.problems, ...result.events.flatMap((e) => e.problems)];
  firstBody = { checked: true, events: result.events.length, problems: problems.slice(0, 5) };
}

let received = 0;
let requests = 0;
let badBodies = 0;
const waiters = [];

function settleWaiters() {
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (received >= waiters[i].count) {
      const id = waiters[i].id;
      process.send({ type: 'reached', id, received, requests, badBodies, firstBody });
      waiters.splice(i, 1);
    }
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    requests++;
    if (request.method === 'POST' && request.url.endsWith('/com.snowplowanalytics.snowplow/tp2')) {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        received += Array.isArray(body.data) ? body.data.length : 0;
        checkFirstBody(body);
      } catch {
        badBodies++;
      }
      response.writeHead(200).end();
    } else if (request.method === 'GET' && request.url.startsWith('/i')) {
      received++;
      response.writeHead(200).end();
    } else {
      response.writeHead(404).end();
    }
    settleWaiters();
  });
});
server.keepAliveTimeout = 30_000;

process.on('message', (message) => {
  if (message.type === 'waitFor') {
    waiters.push({ count: message.count, id: message.id });
    settleWaiters();
  } else if (message.type === 'count') {
    process.send({ type: 'count', id: message.id, received, requests, badBodies, firstBody });
  } else if (message.type === 'reset') {
    received = 0;
    requests = 0;
    badBodies = 0;
    firstBody = undefined;
    process.send({ type: 'reset', received });
  } else if (message.type === 'stop') {
    server.close();
    server.closeAllConnections();
    process.disconnect();
  }
});
// The parent going away must not leave this process behind.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});
