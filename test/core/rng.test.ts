// Unit tests for the seeded RNG (src/core/rng.ts): determinism, ranges, distribution moments, the
// Fisher–Yates permutation and the lowbias32 hash checked against an independent BigInt implementation.
import { describe, expect, it } from 'vitest';
import { deriveKey, mix32, permutation, Rng } from '../../src/core/rng';

/** lowbias32 (Chris Wellons' hash-prospector) in exact integer arithmetic, reduced mod 2³² by hand. */
function lowbias32Big(v: number): number {
  const M = (1n << 32n) - 1n;
  let h = BigInt(v) & M;
  h ^= h >> 16n;
  h = (h * 0x7feb352dn) & M;
  h ^= h >> 15n;
  h = (h * 0x846ca68bn) & M;
  h ^= h >> 16n;
  return Number(h);
}

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.u32());
}

describe('mix32', () => {
  it('matches an independent BigInt lowbias32 on edge and random inputs', () => {
    const inputs = [0, 1, 2, 3, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x9e3779b9, 123456789];
    const rng = new Rng(123);
    for (let i = 0; i < 500; i++) inputs.push(rng.u32());
    for (const v of inputs) expect(mix32(v), `mix32(${v})`).toBe(lowbias32Big(v));
  });

  it('maps 0 to 0 (every step of lowbias32 fixes 0)', () => {
    expect(mix32(0)).toBe(0);
  });

  it('reduces its input mod 2³² (negative and large numbers)', () => {
    expect(mix32(-1)).toBe(lowbias32Big(0xffffffff));
    expect(mix32(2 ** 32 + 5)).toBe(lowbias32Big(5));
  });

  it('returns u32 values and avalanches: flipping one input bit flips about half the output bits', () => {
    let flipped = 0;
    let trials = 0;
    for (let v = 1; v < 2000; v += 7) {
      const h = mix32(v);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      for (let b = 0; b < 32; b++) {
        let x = (mix32((v ^ (1 << b)) >>> 0) ^ h) >>> 0;
        while (x) { flipped += x & 1; x >>>= 1; }
        trials++;
      }
    }
    expect(flipped / trials).toBeGreaterThan(15);
    expect(flipped / trials).toBeLessThan(17);
  });
});

describe('deriveKey', () => {
  it('is deterministic and a u32', () => {
    const k = deriveKey(42, 3, 7);
    expect(deriveKey(42, 3, 7)).toBe(k);
    expect(Number.isInteger(k) && k >= 0 && k < 2 ** 32).toBe(true);
  });

  it('depends on the seed, on each part and on their order', () => {
    const keys = [deriveKey(1), deriveKey(2), deriveKey(1, 0), deriveKey(1, 1), deriveKey(1, 0, 1), deriveKey(1, 1, 0), deriveKey(2, 1, 0)];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Rng', () => {
  it('is deterministic from a seed', () => {
    expect(draws(new Rng(7), 100)).toEqual(draws(new Rng(7), 100));
    const a = new Rng(99);
    const b = new Rng(99);
    for (let i = 0; i < 50; i++) expect([a.float(), a.normal(), a.int(10)]).toEqual([b.float(), b.normal(), b.int(10)]);
  });

  it('gives different streams for different seeds', () => {
    const streams = [0, 1, 2, 3, 0xffffffff, 12345].map((s) => draws(new Rng(s), 8).join(','));
    expect(new Set(streams).size).toBe(streams.length);
  });

  it('u32 covers the full 32-bit range with roughly balanced bits', () => {
    const rng = new Rng(5);
    const ones = new Array<number>(32).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = rng.u32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      for (let b = 0; b < 32; b++) ones[b] += (u >>> b) & 1;
    }
    // Each bit is Bernoulli(1/2): sd of the count is √n/2 ≈ 71; allow 6 sd.
    for (const c of ones) expect(Math.abs(c - n / 2)).toBeLessThan(6 * Math.sqrt(n) / 2);
  });

  it('float and float24 lie in [0, 1); float24 is a multiple of 2⁻²⁴', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 10000; i++) {
      const f = rng.float();
      expect(f >= 0 && f < 1).toBe(true);
      const g = rng.float24();
      expect(g >= 0 && g < 1).toBe(true);
      expect(Number.isInteger(g * 2 ** 24)).toBe(true);
    }
  });

  it('uniform(lo, hi) stays in [lo, hi) with mean (lo + hi)/2 and variance (hi − lo)²/12', () => {
    const rng = new Rng(3);
    const [lo, hi] = [-3, 5];
    const n = 100000;
    let s = 0;
    let ss = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform(lo, hi);
      s += u;
      ss += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(lo);
    expect(max).toBeLessThan(hi);
    expect(min).toBeLessThan(lo + 0.01);
    expect(max).toBeGreaterThan(hi - 0.01);
    const mean = s / n;
    const variance = ss / n - mean * mean;
    // sd of the mean is √(64/12/n) ≈ 0.0073; allow ~5 sd.
    expect(Math.abs(mean - 1)).toBeLessThan(0.04);
    expect(Math.abs(variance - 64 / 12)).toBeLessThan(0.1);
  });

  it('int(n) is an integer in [0, n) hitting every value about equally', () => {
    const rng = new Rng(8);
    const counts = new Array<number>(10).fill(0);
    const n = 50000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    expect(counts.length).toBe(10);
    expect(counts.reduce((a, c) => a + c, 0)).toBe(n);
    // Binomial(n, 0.1): sd ≈ 67; allow 6 sd.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(400);
  });

  it('normal() has mean 0, variance 1 and the Gaussian one-sigma mass over 100k draws', () => {
    const rng = new Rng(2024);
    const n = 100000;
    let s = 0;
    let ss = 0;
    let within1 = 0;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      s += z;
      ss += z * z;
      if (Math.abs(z) < 1) within1++;
    }
    expect(nonFinite).toBe(0);
    const mean = s / n;
    const variance = ss / n - mean * mean;
    // sd(mean) = 1/√n ≈ 0.0032, sd(variance) ≈ √(2/n) ≈ 0.0045, sd(fraction) ≈ 0.0015: ~5 sd each.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.025);
    expect(Math.abs(within1 / n - 0.6826894921)).toBeLessThan(0.0075);
  });

  it('normal() pairs are uncorrelated (the cached second Box–Muller draw is independent)', () => {
    const rng = new Rng(77);
    const n = 50000;
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += rng.normal() * rng.normal();
    expect(Math.abs(sxy / n)).toBeLessThan(0.025);
  });

  it('uniformArray fills a Float32Array within [lo, hi] with defaults (−1, 1)', () => {
    const a = new Rng(1).uniformArray(5000);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(5000);
    for (const v of a) expect(v >= -1 && v <= 1).toBe(true);
    expect(Math.abs(a.reduce((s, v) => s + v, 0) / a.length)).toBeLessThan(0.05);
    const b = new Rng(1).uniformArray(1000, 2, 3);
    for (const v of b) expect(v >= 2 && v <= 3).toBe(true);
    expect(new Rng(1).uniformArray(1000, 2, 3)).toEqual(b);
  });
});

describe('permutation', () => {
  const isPermutation = (p: number[], n: number) =>
    p.length === n && [...p].sort((a, b) => a - b).every((v, i) => v === i);

  it('is a permutation of 0..n−1 for small and larger n', () => {
    for (const n of [0, 1, 2, 3, 10, 64, 1000]) expect(isPermutation(permutation(n, 5), n), `n=${n}`).toBe(true);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    expect(permutation(100, 9)).toEqual(permutation(100, 9));
    expect(permutation(100, 9)).not.toEqual(permutation(100, 10));
    expect(permutation(100, 9)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('draws each of the 6 orders of 3 items about equally often over seeds (unbiased Fisher–Yates)', () => {
    const counts = new Map<string, number>();
    const seeds = 6000;
    for (let s = 0; s < seeds; s++) {
      const k = permutation(3, s).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Binomial(6000, 1/6): sd ≈ 29; allow ~5 sd.
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
