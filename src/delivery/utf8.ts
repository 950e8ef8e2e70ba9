/**
 * Bytes of `text` in UTF-8. Node's `Buffer.byteLength` where there is one (native, and no
 * copy); elsewhere (the web host) a loop that allocates nothing.
 */
export const utf8Length: (text: string) => number = nodeByteLength() ?? utf8LengthByLoop;

function nodeByteLength(): ((text: string) => number) | undefined {
  const buffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  return typeof buffer?.byteLength === 'function'
    ? (text) => buffer.byteLength(text, 'utf8')
    : undefined;
}

/** Bytes of `text` in UTF-8, counted without allocating; exported for its tests. */
export function utf8LengthByLoop(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      continue;
    }
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
