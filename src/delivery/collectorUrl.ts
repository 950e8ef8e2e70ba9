/** The path of the tracker protocol's POST endpoint, under a collector's base URL. */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';

/** What {@link checkCollectorUrl} made of a configured collector URL. */
export type CollectorUrlCheck =
  { readonly ok: true; readonly endpoint: string } | { readonly ok: false; readonly error: string };

/**
 * Checks a collector URL from configuration and returns the tp2 endpoint to POST to, or a
 * message that says what is wrong and what to write instead.
 *
 * Accepted: `https://host[:port][/path]`, and `http://` only for loopback (`localhost`,
 * `127.0.0.0/8`, `[::1]`) so a development collector needs no certificate. The endpoint is
 * the URL's path (without a trailing slash) followed by {@link TP2_PATH}, so a collector
 * behind a path prefix works. Credentials, a query or a fragment are refused: none of them
 * belongs in a collector URL, and credentials would be sent with every request.
 */
export function checkCollectorUrl(input: unknown): CollectorUrlCheck {
  const fail = (why: string): CollectorUrlCheck => ({
    ok: false,
    error:
      `The Snowplow collector URL ${JSON.stringify(input)} ${why}; ` +
      'nothing is sent until it is fixed. Write it as https://collector.example.com ' +
      '(http:// only for localhost or 127.0.0.1).',
  });
  if (typeof input !== 'string' || input.trim() === '') {
    return fail('is empty');
  }
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail(`has the scheme ${url.protocol} where https: is needed`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return fail('uses http:// for a host that is not loopback (events would travel unencrypted)');
  }
  if (url.username !== '' || url.password !== '') {
    return fail('carries credentials');
  }
  if (url.search !== '' || url.hash !== '') {
    return fail('has a query or fragment');
  }
  const base = url.pathname.replace(/\/+$/, '');
  return { ok: true, endpoint: `${url.protocol}//${url.host}${base}${TP2_PATH}` };
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') {
    return true;
  }
  // The URL parser has already normalised IPv4 forms such as 127.1 to dotted quads.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
