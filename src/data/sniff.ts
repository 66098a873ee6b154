// What a file that should be text really is, from its first bytes: compressed archives, the binary formats downhill
// reads under another extension, UTF-16/32 text, or binary data. A CSV reader asks before parsing, so such a file is
// named for what it is instead of failing as a header without the target column. No I/O.

/** Known signatures: leading bytes and what to say about them. */
const SIGNATURES: [bytes: number[], what: string][] = [
  [[0x1f, 0x8b], 'is gzip-compressed: decompress it first (gunzip)'],
  [[0x50, 0x4b, 0x03, 0x04], 'is a ZIP archive: extract the CSV from it first'],
  [[0x42, 0x5a, 0x68], 'is bzip2-compressed: decompress it first (bunzip2)'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'is xz-compressed: decompress it first (unxz)'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'is zstd-compressed: decompress it first (unzstd)'],
  [[0x50, 0x41, 0x52, 0x31], 'is an Apache Parquet file: give it the .parquet extension'],
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'is a NumPy .npy file: give it the .npy extension'],
  [[0x44, 0x4f, 0x57, 0x4e, 0x48, 0x49, 0x4c, 0x4c], 'is a downhill .dh cache: give it the .dh extension'],
];

/** Bytes looked at. */
export const SNIFF_BYTES = 4096;

/** Length of the valid UTF-8 sequence starting at b[i] (a lead byte ≥ 0x80), or 0 when it is not one. */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i];
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return n === 0 ? 0 : b.length - i; // a sequence cut by the sniff window counts as valid
  for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  return n;
}

/**
 * Why the first bytes of a file are not text, or null when they may be. Text in UTF-8 or a one-byte code page has few
 * bytes that are control characters (but tab, line feed, vertical tab, form feed and carriage return) or invalid
 * UTF-8; when more than a tenth of them are (and at least 16), it is binary data — or UTF-16 without a byte-order mark, when zero bytes
 * fill every other position. A stray zero byte in a text file is left to the parser, which names its line.
 */
export function notText(first: Uint8Array): string | null {
  const b = first.subarray(0, SNIFF_BYTES);
  for (const [sig, what] of SIGNATURES) if (b.length >= sig.length && sig.every((v, i) => b[i] === v)) return what;
  let zeros = 0;
  let oddZeros = 0;
  let odd = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c >= 0x80) {
      const n = utf8Length(b, i);
      if (n > 0) {
        i += n;
        continue;
      }
      odd++;
    } else if (c === 0) {
      zeros++;
      if (i % 2 === 1) oddZeros++;
    } else if (c < 9 || (c > 13 && c < 32) || c === 127) odd++;
    i++;
  }
  // UTF-16 (with or without a byte-order mark) puts a zero byte beside every ASCII character; UTF-32 three.
  if (zeros >= 8 && zeros > b.length / 2) return 'is UTF-32 text: save it as UTF-8';
  if (zeros >= 8 && zeros > b.length / 4 && (oddZeros > 0.9 * zeros || oddZeros < 0.1 * zeros)) return 'is UTF-16 text: save it as UTF-8';
  if (zeros + odd >= 16 && zeros + odd > b.length / 10) return `is not a text file (binary data: ${zeros + odd} of its first ${b.length} bytes are not text)`;
  return null;
}
