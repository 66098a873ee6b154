// Parity: shaders/gram.wgsl (src/gpu/gram.ts) against its f64 CPU twin (src/cpu/gram.ts) at awkward sizes, pieces
// starting inside a chunk, partials poisoned first; every entry within atol + rtol·√(G_ii·G_jj) (the natural scale of
// a Gram entry: off-diagonal sums of mixed signs can be near 0). And the error does not grow with N.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { gramCpu } from '../../src/cpu/gram';
import { WebGpuBackend } from '../../src/gpu/backend';
import { GramPass, gramLayout } from '../../src/gpu/gram';
import { linkShader } from '../../src/gpu/shaders';
import { useGpu, storage } from '../helpers/gpu';

const gpu = useGpu();

/** Rows × d uniform(−1, 1) plus `mean`, and y; x padded to DP4·4 for the GPU. */
function data(rows: number, d: number, seed: number, mean = 0) {
  const rng = new Rng(seed);
  const dp = 4 * Math.ceil(d / 4);
  const x = new Float32Array(rows * d).map(() => mean + rng.uniform(-1, 1));
  const y = new Float32Array(rows).map(() => 3 * mean + rng.uniform(-1, 1));
  const padded = new Float32Array(rows * dp);
  for (let r = 0; r < rows; r++) padded.set(x.subarray(r * d, (r + 1) * d), r * dp);
  return { x, y, padded };
}

/** Runs the pass and returns the worst |gpu − ref| / √(G_ii·G_jj) over the entries. */
async function worst(rows: number, d: number, seed: number, o: { start?: number; count?: number; mean?: number; shiftMean?: boolean } = {}) {
  const ctx = gpu();
  const { x, y, padded } = data(rows, d, seed, o.mean);
  const start = o.start ?? 0;
  const count = o.count ?? rows - start;
  // The kernel subtracts float32 shifts: the twin gets the same values (the solver keeps them, src/train/solve.ts).
  const shift = Float64Array.from({ length: d }, (_, j) => Math.fround(o.shiftMean ? (o.mean ?? 0) + 0.01 * j : 0.1 * j));
  const yShift = Math.fround(o.shiftMean ? 3 * (o.mean ?? 0) + 0.01 : 0.25);
  const ref = gramCpu(x, y, d, start, count, shift, yShift);
  const pass = await GramPass.create(ctx, d);
  const xb = storage(ctx.device, 'x', padded);
  const yb = storage(ctx.device, 'y', y);
  try {
    const g = await ctx.scoped('gram', () => pass.run(xb, yb, start, count, shift, yShift, { poison: true }));
    const w = 4 * gramLayout(d).z4;
    let max = 0;
    let at = '';
    for (let i = 0; i < w; i++) {
      for (let j = 0; j < w; j++) {
        const scale = Math.sqrt(ref[i * w + i] * ref[j * w + j]);
        const err = Math.abs(g[i * w + j] - ref[i * w + j]) / (scale || 1);
        if (!(err <= max)) {
          max = err;
          at = `G[${i}][${j}] = ${g[i * w + j]} vs ${ref[i * w + j]}`;
        }
      }
    }
    return { max, at };
  } finally {
    pass.dispose();
    xb.destroy();
    yb.destroy();
  }
}

describe('gram parity with the CPU twin', () => {
  // f32 products and 16-row batch sums, Kahan-added: a few units of 2^-24 relative to √(G_ii·G_jj).
  const RTOL = 2e-6;
  for (const d of [1, 3, 63, 64, 65]) {
    for (const rows of [1, 3, 1000]) {
      it(`D=${d}, ${rows} rows`, async () => {
        const { max, at } = await worst(rows, d, d * 131 + rows);
        expect(max, at).toBeLessThan(RTOL);
      });
    }
    it(`D=${d}, a piece starting inside the chunk`, async () => {
      const { max, at } = await worst(777, d, d * 7, { start: 5, count: 700 });
      expect(max, at).toBeLessThan(RTOL);
    });
  }
  it('D=200 (several tile groups along y), 5000 rows', async () => {
    const { max, at } = await worst(5000, 200, 99);
    expect(max, at).toBeLessThan(RTOL);
  });

  it('the error does not grow with N: 20k and 500k rows of columns with mean 1000 shifted by their first estimate', async () => {
    const small = await worst(20_000, 8, 5, { mean: 1000, shiftMean: true });
    const large = await worst(500_000, 8, 5, { mean: 1000, shiftMean: true });
    console.log(`worst relative error of a Gram entry: ${small.max.toExponential(2)} (20k rows), ${large.max.toExponential(2)} (500k rows)`);
    expect(large.max).toBeLessThan(RTOL);
    expect(large.max).toBeLessThan(4 * Math.max(small.max, 1e-7));
  });

  it('the backend\'s Gram capability gives the (d + 2)² Gram of columns (x, y, 1) of a loaded slot', async () => {
    const backend = WebGpuBackend.createSync(gpu());
    const d = 3;
    const rows = 70;
    const rng = new Rng(5);
    const x = Float32Array.from({ length: rows * d }, () => rng.float24() * 2 - 1);
    const y = Float32Array.from({ length: rows }, () => rng.float24() * 2 - 1);
    const store = backend.createStore(d, 128);
    const pass = await backend.gramPass(store);
    try {
      await store.load(0, { x, y, rows });
      const shift = [0.25, -0.5, 0.125];
      const got = await pass.run(0, rows, shift, 0.5);
      const full = gramCpu(x, y, d, 0, rows, shift, 0.5);
      const w = Math.sqrt(full.length);
      const cols = [0, 1, 2, 4, 5]; // x1..x3, then y (at dp = 4) and 1 (dp + 1) in the twin's padded layout
      const want = cols.flatMap((i) => cols.map((j) => full[i * w + j]));
      expect(got.length).toBe(25);
      got.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThan(1e-5 * (1 + Math.abs(want[k]))));
      expect(pass.relError).toBeGreaterThan(0);
    } finally {
      pass.dispose();
      store.dispose();
      backend.dispose();
    }
  });
});
