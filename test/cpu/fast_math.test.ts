// Accuracy of the fast CPU backend's vectorized f32 exp, log and log1p (src/cpu/simd/fast_math.ts, called through the
// compiled kernels' row functions, src/cpu/simd/math_rows.ts) against Math.exp/Math.log in f64, in f32 ulps of the exact
// value, over dense sweeps with the extremes; and the logistic and poisson parts built on them (every row's dL/dz
// against the f64 unit, partial last blocks, nothing written past the rows, |z| up to 1e4 without NaN or ∞).
import { afterAll, describe, expect, it } from 'vitest';
import { LOSSES } from '../../src/core/losses';
import { lossRows } from '../../src/cpu/simd_arena';
import { nodeCpuBackend } from '../../src/cpu/simd_node';

type Probe = (x: number, out: number, n: number) => void;

/** The compiled kernels' math rows (src/cpu/simd/math_rows.ts) on a one-thread backend's arena. */
const backend = nodeCpuBackend({ threads: 1 });
afterAll(() => backend.dispose());
const { kernels } = backend.arena;
const p = { arena: backend.arena, exp: kernels.exp_rows, log: kernels.log_rows, log1p: kernels.log1p_rows };

/** Runs a math row function over xs (rounded to f32) and returns its outputs. */
function apply(m: typeof p, f: Probe, xs: number[]): Float32Array {
  const n = Math.ceil(xs.length / 4) * 4;
  const x = m.arena.alloc(4 * n);
  const out = m.arena.alloc(4 * n);
  try {
    new Float32Array(m.arena.memory.buffer, x, n).fill(0).set(xs);
    f(x, out, n);
    return new Float32Array(m.arena.memory.buffer, out, xs.length).slice();
  } finally {
    m.arena.release(x);
    m.arena.release(out);
  }
}

/** |got − want| in f32 ulps at want (exact, f64); subnormals count in ulps of the smallest subnormal. */
function ulps(got: number, want: number): number {
  if (got === want) return 0;
  const ulp = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23));
  return Math.abs(got - want) / ulp;
}

/** The largest error over xs, with the first inputs over `bound` named on failure. */
function worst(xs: number[], got: Float32Array, f: (x: number) => number, bound: number): number {
  let max = 0;
  const bad: string[] = [];
  xs.forEach((x, i) => {
    const u = ulps(got[i], f(Math.fround(x)));
    max = Math.max(max, u);
    if (!(u <= bound) && bad.length < 5) bad.push(`x=${Math.fround(x)} got ${got[i]} want ${f(Math.fround(x))} (${u} ulps)`);
  });
  expect(bad, `max ${max} ulps`).toEqual([]);
  return max;
}

const sweep = (lo: number, hi: number, n: number) => Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
const FLT_MAX = 3.4028234663852886e38;

describe('fast f32 math (src/cpu/simd/fast_math.ts)', () => {
  it('exp within 2 ulps over [−104, 88.72] (subnormal results included), 0 below, ∞ above, NaN kept', async () => {
    const m = p;
    const xs = [...sweep(-104, 88.72, 400_000), ...sweep(-1, 1, 100_000), 0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 88, -88, -87.33, -87.34, -103.9];
    worst(xs, apply(m, m.exp, xs), Math.exp, 2);
    const edge = apply(m, m.exp, [88.73, 89, 1e4, Infinity, -104.5, -1e4, -Infinity, NaN]);
    expect([...edge]).toEqual([Infinity, Infinity, Infinity, Infinity, 0, 0, 0, NaN]);
  });

  it('log within 2 ulps over the positive normal floats, dense around 1', async () => {
    const m = p;
    const xs = [...sweep(-126, 127.99, 300_000).map((e) => 2 ** e), ...sweep(0.5, 2, 200_000), 1, 1 + 2 ** -23, 1 - 2 ** -24, 2 ** -126, FLT_MAX];
    worst(xs, apply(m, m.log, xs), Math.log, 2);
  });

  it('log1p within 2 ulps from 0 (and subnormals) to 1e30', async () => {
    const m = p;
    const xs = [0, 1e-45, 1e-40, 1e-30, 6e-8, 1.2e-7, ...sweep(-149, 99, 200_000).map((e) => 2 ** e), ...sweep(0, 1, 200_000)];
    worst(xs, apply(m, m.log1p, xs), Math.log1p, 2);
  });
});

describe('fast CPU loss parts on the fast math', () => {
  const { arena } = backend;

  /** Runs a part over rows (z, y) with g poisoned past the rows; returns each row's dL/dz, the sums and g's tail. */
  function run(stem: string, z: number[], y: number[]) {
    const n = z.length;
    const bytes = 4 * (n + 8);
    const [zp, yp, gp, hp, out] = [bytes, bytes, bytes, 32, 16].map((b) => arena.alloc(b));
    const buf = arena.memory.buffer;
    new Float32Array(buf, zp, n).set(z);
    new Float32Array(buf, yp, n).set(y);
    new Float32Array(buf, gp, n + 8).fill(NaN);
    lossRows(arena.kernels, stem)!(zp, yp, gp, n, hp, out);
    const g = new Float32Array(arena.memory.buffer, gp, n + 8).slice();
    const sums = new Float64Array(arena.memory.buffer, out, 2).slice();
    [zp, yp, gp, hp, out].forEach((q) => arena.release(q));
    return { g: g.subarray(0, n), tail: [...g.subarray(n)], loss: sums[0], dz: sums[1] };
  }

  const zs = [...sweep(-100, 100, 4001), -1e4, 1e4, -88, 88, -1e-30, 0, 1e-30, 17.3, -0.5];
  for (const stem of ['logistic', 'poisson'] as const) {
    const unit = LOSSES[stem];
    const z = stem === 'poisson' ? zs.filter((v) => v <= 80) : zs; // e^z beyond f32's range is ∞ in f32
    it.each([0, 1, 2, 3, 4, 5, 7, 8, 9, z.length])(`${stem}: %i rows`, (rows) => {
      const zr = z.slice(0, rows).map(Math.fround);
      const yr = zr.map((_, i) => Math.fround(stem === 'poisson' ? (i % 7) * 0.5 : i % 2));
      const r = run(stem, zr, yr);
      expect(r.tail.every(Number.isNaN), 'nothing written past the rows').toBe(true);
      const hp = unit.hp({} as never);
      let loss = 0;
      let dz = 0;
      let dzSize = 0;
      const bad: string[] = [];
      zr.forEach((v, i) => {
        const want = unit.dz(v, yr[i], hp);
        loss += unit.value(v, yr[i], hp);
        dz += want;
        // Poisson's dL/dz = e^z − y is a difference: its rounding is in ulps of its terms.
        const size = stem === 'poisson' ? Math.exp(v) + yr[i] : Math.abs(want);
        dzSize += size;
        if (!(Math.abs(r.g[i] - want) <= 4e-7 * size + 1e-38) && bad.length < 5) bad.push(`z=${v} y=${yr[i]} got ${r.g[i]} want ${want}`);
      });
      expect(bad).toEqual([]);
      expect(Number.isFinite(r.loss) && Number.isFinite(r.dz)).toBe(true);
      // The sums add f32 row values in f64: each within a few ulps of its size.
      const scale = zr.reduce((a, v, i) => a + Math.abs(unit.value(v, yr[i], hp)), 0);
      expect(Math.abs(r.loss - loss)).toBeLessThanOrEqual(3e-7 * scale + 1e-30);
      expect(Math.abs(r.dz - dz)).toBeLessThanOrEqual(4e-7 * dzSize + 1e-30);
    });
  }
});
