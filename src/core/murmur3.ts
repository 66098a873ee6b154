// MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm, as in SMHasher, scikit-learn's murmurhash3_32 and
// Vowpal Wabbit): the one hash of categorical values, shared by the CLI, the library, the page and the CPU worker.
// Three entry points give the same hash of the same bytes: a byte range (parsers reading a file), a JavaScript
// string taken as its UTF-8 bytes without encoding it first (TextEncoder's bytes, lone surrogates as U+FFFD), and two
// 32-bit words in little-endian order (a cross of two feature hashes). No DOM, no Node.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** One 4-byte block mixed into h. */
function block(h: number, k: number): number {
  k = Math.imul(rotl(Math.imul(k, C1), 15), C2);
  h = rotl(h ^ k, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The last 1–3 bytes (k holds them little-endian) and the finalization mix of a hash of `len` bytes. */
function finish(h: number, k: number, tail: number, len: number): number {
  if (tail > 0) h ^= Math.imul(rotl(Math.imul(k, C1), 15), C2);
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash (unsigned 32-bit) of bytes b[start, end) under `seed`. */
export function murmur3Bytes(b: Uint8Array, start: number, end: number, seed: number): number {
  let h = seed | 0;
  let i = start;
  for (; i + 4 <= end; i += 4) h = block(h, b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  let k = 0;
  const tail = end - i;
  for (let s = 0; s < tail; s++) k |= b[i + s] << (8 * s);
  return finish(h, k, tail, end - start);
}

/** The hash of a string's UTF-8 bytes under `seed` (the same as murmur3Bytes of TextEncoder().encode(s)). */
export function murmur3String(s: string, seed: number): number {
  let h = seed | 0;
  let k = 0;
  let n = 0; // bytes in k
  let len = 0;
  const push = (byte: number) => {
    k |= byte << (8 * n);
    if (++n === 4) {
      h = block(h, k);
      k = 0;
      n = 0;
    }
    len++;
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      push(c);
      continue;
    }
    if (c < 0x800) {
      push(0xc0 | (c >> 6));
      push(0x80 | (c & 63));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const lo = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
        push(0xf0 | (c >> 18));
        push(0x80 | ((c >> 12) & 63));
        push(0x80 | ((c >> 6) & 63));
        push(0x80 | (c & 63));
        continue;
      }
      c = 0xfffd;
    }
    push(0xe0 | (c >> 12));
    push(0x80 | ((c >> 6) & 63));
    push(0x80 | (c & 63));
  }
  return finish(h, k, n, len);
}

/** The hash of two 32-bit words as 8 little-endian bytes under `seed` (a cross of two feature hashes). */
export function murmur3Words(a: number, b: number, seed: number): number {
  return finish(block(block(seed | 0, a | 0), b | 0), 0, 0, 8);
}
