// `npm run collector`: a local Snowplow collector on 127.0.0.1 that validates every event
// against the project's schemas and prints it. For development and fault testing only.
//
//   --port N           port to listen on (0, the default, picks a free one)
//   --fail STATUS      answer every request with STATUS (e.g. 500 or 429)
//   --retry-after S    with --fail 429: the Retry-After header, in seconds
//   --hang             read requests and never answer
//   --times N          apply --fail/--hang to the next N requests only
//   --quiet            print only the URL and problems
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { startCollector } = require('./collector/server.cjs');

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      fail: { type: 'string' },
      'retry-after': { type: 'string' },
      hang: { type: 'boolean', default: false },
      times: { type: 'string', default: '-1' },
      quiet: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`collector: ${error.message}`);
  process.exit(2);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`collector: --port must be an integer from 0 to 65535, got ${args.port}`);
  process.exit(2);
}

let eventCount = 0;
const collector = await startCollector({
  port,
  log: (line) => console.log(line),
  onEvent: ({ summary }) => {
    eventCount++;
    if (args.quiet) {
      return;
    }
    const session =
      summary.sessionId === undefined
        ? 'no client_session'
        : `session ${summary.sessionIndex} (${summary.sessionId}) event ${summary.eventIndex}`;
    console.log(`#${eventCount} ${summary.name}: ${session} [eid ${summary.eid}]`);
  },
});

const times = Number(args.times);
if (args.hang) {
  collector.fail('hang', { times });
} else if (args.fail !== undefined) {
  const status = Number(args.fail);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    console.error(`collector: --fail must be an HTTP status, got ${args.fail}`);
    process.exit(2);
  }
  collector.fail(status, { times, retryAfter: args['retry-after'] });
}

console.log(`Snowplow collector listening on ${collector.url}`);
console.log(`  endpoint ${collector.endpoint}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    collector.close().then(() => process.exit(0));
  });
}
