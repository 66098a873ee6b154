// Unit tests for the keyed Feistel permutation (src/core/permute.ts): a bijection on [0, n) for awkward n,
// key-dependent, reproducible, and the half-width rule 4^half ≥ n.
import { describe, expect, it } from 'vitest';
import { feistelHalfBits, permuteIndex } from '../../src/core/permute';

/** Images of 0..n−1, and whether they form a bijection on [0, n). */
function images(n: number, key: number, halfBits?: number): { out: Uint32Array; bijective: boolean; firstBad: string } {
  const out = new Uint32Array(n);
  const seen = new Uint8Array(n);
  let firstBad = '';
  for (let i = 0; i < n; i++) {
    const v = halfBits === undefined ? permuteIndex(i, n, key) : permuteIndex(i, n, key, halfBits);
    if (!(Number.isInteger(v) && v >= 0 && v < n) || seen[v]) {
      if (!firstBad) firstBad = `i=${i} → ${v}${seen[v] ? ' (repeated)' : ''}`;
    } else {
      seen[v] = 1;
    }
    out[i] = v;
  }
  return { out, bijective: firstBad === '', firstBad };
}

const SIZES = [1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1000, 1024, 4095, 4096, 4099, 65535, 65536, 65537];
const KEYS = [0, 1, 0x12345678, 0xdeadbeef, 0xffffffff];

describe('permuteIndex', () => {
  it('is a bijection on [0, n) for awkward n and several keys', () => {
    for (const n of SIZES) {
      for (const key of KEYS) {
        const r = images(n, key);
        expect(r.bijective, `n=${n} key=${key}: ${r.firstBad}`).toBe(true);
      }
    }
  });

  it('is a bijection on one large size (n = 1 000 003)', () => {
    const r = images(1_000_003, 0xabcdef);
    expect(r.bijective, r.firstBad).toBe(true);
  });

  it('maps the only element of [0, 1) to 0', () => {
    for (const key of KEYS) expect(permuteIndex(0, 1, key)).toBe(0);
  });

  it('is deterministic for a key', () => {
    expect(images(1000, 77).out).toEqual(images(1000, 77).out);
  });

  it('gives different orders for different keys', () => {
    for (const n of [5, 64, 1000, 4099]) {
      const orders = [1, 2, 3, 4, 1000, 0x80000000].map((k) => images(n, k).out.join(','));
      // For n = 5 there are 120 orders, so a collision among 6 keys is possible but unlikely; require ≥ 5 distinct.
      expect(new Set(orders).size, `n=${n}`).toBeGreaterThanOrEqual(n === 5 ? 5 : orders.length);
    }
  });

  it('shuffles: few fixed points and neighbours scattered (not the identity or a rotation)', () => {
    const n = 1000;
    for (const key of [1, 2, 3, 0xfeedface]) {
      const { out } = images(n, key);
      let fixed = 0;
      let adjacent = 0;
      for (let i = 0; i < n; i++) {
        if (out[i] === i) fixed++;
        if (i > 0 && Math.abs(out[i] - out[i - 1]) === 1) adjacent++;
      }
      // A random permutation has ~1 fixed point and ~2 adjacent pairs on average.
      expect(fixed, `key=${key}`).toBeLessThan(20);
      expect(adjacent, `key=${key}`).toBeLessThan(50);
    }
  });

  it('agrees with its default half width when that width is passed explicitly', () => {
    for (const n of [3, 100, 4099]) {
      const h = feistelHalfBits(n);
      expect(images(n, 9, h).out).toEqual(images(n, 9).out);
    }
  });

  it('stays a bijection with a wider-than-needed network (cycle-walking)', () => {
    for (const [n, h] of [[3, 4], [100, 8], [1000, 7]] as const) {
      const r = images(n, 5, h);
      expect(r.bijective, `n=${n} half=${h}: ${r.firstBad}`).toBe(true);
    }
  });

  it('is a bijection on the whole 2^(2·half) domain when n fills it (no walking needed)', () => {
    for (const h of [1, 2, 5, 8]) {
      const n = 4 ** h;
      expect(feistelHalfBits(n)).toBe(h);
      const r = images(n, 31337);
      expect(r.bijective, `n=${n}: ${r.firstBad}`).toBe(true);
    }
  });
});

describe('feistelHalfBits', () => {
  it('is 1 for n ≤ 4', () => {
    for (const n of [0, 1, 2, 3, 4]) expect(feistelHalfBits(n)).toBe(1);
  });

  it('is the smallest half ≥ 1 with 4^half ≥ n', () => {
    for (let n = 1; n <= 70000; n += n < 300 ? 1 : 97) {
      const h = feistelHalfBits(n);
      expect(4 ** h, `n=${n}`).toBeGreaterThanOrEqual(n);
      if (h > 1) expect(4 ** (h - 1), `n=${n}`).toBeLessThan(n);
    }
  });

  it('steps exactly at powers of four', () => {
    for (let h = 1; h <= 15; h++) {
      expect(feistelHalfBits(4 ** h)).toBe(h);
      expect(feistelHalfBits(4 ** h + 1)).toBe(h + 1);
    }
  });

  it('tops out at 16 bits for the u32 index range', () => {
    expect(feistelHalfBits(2 ** 31)).toBe(16);
    expect(feistelHalfBits(2 ** 32)).toBe(16);
  });

  it('keeps permuteIndex in range for n near 2³¹ (spot checks)', () => {
    const n = 2 ** 31 + 12345;
    for (const i of [0, 1, 12345, 2 ** 30, n - 1]) {
      const v = permuteIndex(i, n, 0xc0ffee);
      expect(Number.isInteger(v) && v >= 0 && v < n, `i=${i} → ${v}`).toBe(true);
    }
  });
});
