/**
 * How a batch reaches the collector: one POST of a JSON body, cancellable. Two
 * implementations: `fetch` (every host) and Node's `http`/`https` (Node hosts only), which
 * costs a fraction of the CPU per request (measured on this project's machine, client and
 * server in one process, 500 sequential POSTs after warm-up: fetch about 330 µs a request
 * plus about 100 µs per 40 KB, node:http about 40 µs plus about 50 µs per 40 KB) and sends
 * fewer headers.
 */

import type * as NodeHttp from 'node:http';
import type * as NodeHttps from 'node:https';

/** What the collector answered. */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  /** The `Retry-After` header, if any. */
  readonly retryAfter: string | null;
  /** The start of the response body (for the log when a batch is refused). */
  readonly text: string;
}

/** Sends one POST; rejects on network errors and when `signal` aborts. */
export interface HttpTransport {
  post(url: string, body: string, signal: AbortSignal): Promise<TransportResponse>;
  /** Releases kept-alive connections. */
  dispose?(): void;
}

/** Keep this much of a response body; collectors answer errors in a line or two. */
const MAX_RESPONSE_CHARS = 4096;

const CONTENT_TYPE = 'application/json; charset=UTF-8';

/**
 * A transport over `fetch`: sends `Content-Type` and what the host's fetch adds by itself
 * (in Node: `user-agent: node`, `accept`, `accept-language`, `accept-encoding`,
 * `sec-fetch-mode`). No cookie and no referrer are sent, and redirects are refused, so a
 * redirect cannot take events to another host.
 */
export function fetchTransport(fetchFunction?: typeof globalThis.fetch): HttpTransport {
  const send = fetchFunction ?? ((input, init) => globalThis.fetch(input, init));
  return {
    async post(url, body, signal) {
      const response = await send(url, {
        method: 'POST',
        headers: { 'Content-Type': CONTENT_TYPE },
        body,
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        redirect: 'error',
      });
      const text = await response.text().catch(() => '');
      return {
        status: response.status,
        statusText: response.statusText,
        retryAfter: response.headers.get('Retry-After'),
        text: text.slice(0, MAX_RESPONSE_CHARS),
      };
    },
  };
}

/**
 * A transport over Node's `http`/`https` with one kept-alive connection, or `undefined`
 * where there is no Node (the web extension host). Sends only `Host`, `Content-Type`,
 * `Content-Length` and `Connection`; does not follow redirects (a 3xx is retried like a
 * server error). Idle connections do not keep the process alive.
 *
 * Node's modules are looked up at run time (`process.getBuiltinModule`), so a browser bundle
 * of this file has no Node imports to resolve.
 */
export function nodeHttpTransport(): HttpTransport | undefined {
  const process = (globalThis as { process?: NodeJS.Process }).process;
  const getModule = process?.getBuiltinModule?.bind(process);
  if (getModule === undefined) {
    return undefined;
  }
  const http = getModule('node:http') as typeof NodeHttp;
  const https = getModule('node:https') as typeof NodeHttps;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 1 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 1 }),
  };
  return {
    post(url, body, signal) {
      return new Promise<TransportResponse>((resolve, reject) => {
        const target = new URL(url);
        const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
        const module = protocol === 'https:' ? https : http;
        // The signal is followed by hand rather than given to `request`, so that its listener
        // goes with the request: the kept-alive socket outlives requests, and anything it still
        // reaches (an old listener, the request, its body) survives young-generation collections.
        const abort = () => request.destroy(signal.reason ?? new Error('aborted'));
        const settle = () => signal.removeEventListener('abort', abort);
        if (signal.aborted) {
          reject(signal.reason ?? new Error('aborted'));
          return;
        }
        const request = module.request(
          target,
          {
            method: 'POST',
            agent: agents[protocol],
            headers: {
              'Content-Type': CONTENT_TYPE,
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              if (text.length < MAX_RESPONSE_CHARS) {
                text += chunk;
              }
            });
            response.on('error', (error) => {
              settle();
              reject(error);
            });
            response.on('end', () => {
              settle();
              const retryAfter = response.headers['retry-after'];
              resolve({
                status: response.statusCode ?? 0,
                statusText: response.statusMessage ?? '',
                retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
                text: text.slice(0, MAX_RESPONSE_CHARS),
              });
            });
          },
        );
        request.on('error', (error) => {
          settle();
          reject(error);
        });
        signal.addEventListener('abort', abort, { once: true });
        request.end(body);
      });
    },
    dispose() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
