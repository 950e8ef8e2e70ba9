// A Snowplow collector that only counts: the far end for delivery benchmarks. It runs in its
// own process (forked with an IPC channel), so its CPU is never counted as the tracker's.
//
// It answers POST {path}/com.snowplowanalytics.snowplow/tp2 (counting the events in the
// payload_data array) and GET /i (one event) with 200, anything else with 404. It listens on
// 127.0.0.1 only, on a port the OS picks, and tells its parent over IPC:
//   -> { type: 'listening', port }
//   <- { type: 'waitFor', count, id }     -> { type: 'reached', id, received, requests }
//   <- { type: 'count', id }              -> { type: 'count', id, received, requests }
//   <- { type: 'reset' }                  -> { type: 'reset', received: 0 }
//   <- { type: 'stop' }                   (closes and exits)
import { createServer } from 'node:http';

let received = 0;
let requests = 0;
let badBodies = 0;
const waiters = [];

function settleWaiters() {
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (received >= waiters[i].count) {
      process.send({ type: 'reached', id: waiters[i].id, received, requests, badBodies });
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
    process.send({ type: 'count', id: message.id, received, requests, badBodies });
  } else if (message.type === 'reset') {
    received = 0;
    requests = 0;
    badBodies = 0;
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
