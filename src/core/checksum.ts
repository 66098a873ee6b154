// CRC-32 (IEEE 802.3), the checksum of the files downhill writes (the .dh header, checkpoints, model files): any
// single-byte change and any burst of up to 32 bits is detected. Pure; runs in Node and the page alike.

const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of bytes; the 4 bytes at `skip` (a stored checksum field) read as zero when given. */
export function crc32(b: Uint8Array, skip = -1): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = TABLE[(c ^ (i >= skip && i < skip + 4 && skip >= 0 ? 0 : b[i])) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The checksum of a text (its UTF-8 bytes) as "crc32:" and 8 hex digits. */
export function textChecksum(text: string): string {
  return `crc32:${crc32(new TextEncoder().encode(text)).toString(16).padStart(8, '0')}`;
}

/**
 * A JSON object with its checksum: "checksum" (after "version" when there is one) over the compact JSON of the
 * object without it. Whitespace may change (a file can be pretty-printed); any value that changes is caught.
 */
export function sealed<T extends object>(o: T): T & { checksum: string } {
  const sum = textChecksum(JSON.stringify(o));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v;
    if (k === 'version') out.checksum = sum;
  }
  if (!('checksum' in out)) out.checksum = sum;
  return out as T & { checksum: string };
}

/** Whether a parsed JSON object (parsed without a reviver) still matches its "checksum"; 'none' when it has none. */
export function checkSeal(raw: unknown): 'ok' | 'none' | 'mismatch' {
  if (typeof raw !== 'object' || raw === null || !('checksum' in raw)) return 'none';
  const { checksum, ...rest } = raw as Record<string, unknown>;
  return typeof checksum === 'string' && checksum === textChecksum(JSON.stringify(rest)) ? 'ok' : 'mismatch';
}
