// Unit tests for seeded synthetic data (src/data/synthetic.ts): reproducibility, shape, chunking, noiseless
// rows satisfying y = X·w + b to float32 precision, noise of the stated size, and the x ∈ [0, 10] line example.
import { describe, expect, it } from 'vitest';
import type { HostChunk } from '../../src/core/dataset';
import { leastSquares } from '../../src/core/lstsq';
import { lineDataset, linearDataset } from '../../src/data/synthetic';

/** All chunks' x and y concatenated. */
function flat(chunks: HostChunk[]): { x: number[]; y: number[] } {
  return { x: chunks.flatMap((c) => Array.from(c.x)), y: chunks.flatMap((c) => Array.from(c.y)) };
}

/** Largest |y − (x·w + b)| relative to float32 rounding of the row's magnitude (≤ 1 means within ½ ulp-ish). */
function worstResidualInUlps(x: number[], y: number[], d: number, w: ArrayLike<number>, b: number): number {
  let worst = 0;
  for (let r = 0; r < y.length; r++) {
    let t = b;
    for (let j = 0; j < d; j++) t += x[r * d + j] * w[j];
    // Rounding an f64 to f32 moves it by at most 2⁻²⁴·|t| (half an ulp); allow for tiny |t| with an absolute floor.
    worst = Math.max(worst, Math.abs(y[r] - t) / (2 ** -24 * Math.abs(t) + 1e-30));
  }
  return worst;
}

describe('linearDataset', () => {
  it('has the requested shape, names and chunking', () => {
    const ds = linearDataset({ rows: 250, features: 3, chunkRows: 100, seed: 1 });
    expect(ds.rows).toBe(250);
    expect(ds.features).toEqual(['x1', 'x2', 'x3']);
    expect(ds.target).toBe('y');
    expect(ds.chunks.map((c) => c.rows)).toEqual([100, 100, 50]);
    for (const c of ds.chunks) {
      expect(c.x).toBeInstanceOf(Float32Array);
      expect(c.x.length).toBe(c.rows * 3);
      expect(c.y.length).toBe(c.rows);
    }
    expect(ds.truth.weights.length).toBe(3);
    expect(ds.noise).toBe(0.1);
  });

  it('makes one chunk by default and exact chunks when rows divide evenly', () => {
    expect(linearDataset({ rows: 1000, features: 2 }).chunks.map((c) => c.rows)).toEqual([1000]);
    expect(linearDataset({ rows: 300, features: 2, chunkRows: 100 }).chunks.map((c) => c.rows)).toEqual([100, 100, 100]);
    expect(linearDataset({ rows: 1, features: 1, chunkRows: 7 }).chunks.map((c) => c.rows)).toEqual([1]);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const a = linearDataset({ rows: 100, features: 4, seed: 5 });
    const b = linearDataset({ rows: 100, features: 4, seed: 5 });
    const c = linearDataset({ rows: 100, features: 4, seed: 6 });
    expect(flat(a.chunks)).toEqual(flat(b.chunks));
    expect(Array.from(a.truth.weights)).toEqual(Array.from(b.truth.weights));
    expect(flat(c.chunks).x).not.toEqual(flat(a.chunks).x);
    expect(Array.from(c.truth.weights)).not.toEqual(Array.from(a.truth.weights));
  });

  it('gives the same rows whatever the chunk size (chunking only splits the stream)', () => {
    const o = { rows: 333, features: 3, seed: 9, noise: 0.5 };
    const whole = flat(linearDataset(o).chunks);
    for (const chunkRows of [1, 7, 100, 332, 333]) {
      expect(flat(linearDataset({ ...o, chunkRows }).chunks), `chunkRows=${chunkRows}`).toEqual(whole);
    }
  });

  it('noiseless: every row satisfies y = X·w* + b* to float32 precision', () => {
    const ds = linearDataset({ rows: 2000, features: 5, noise: 0, seed: 3, chunkRows: 512 });
    const { x, y } = flat(ds.chunks);
    expect(worstResidualInUlps(x, y, 5, ds.truth.weights, ds.truth.bias[0])).toBeLessThanOrEqual(1);
  });

  it('noiseless with given truth and scales: recovers the truth by least squares', () => {
    const truth = { weights: Float64Array.of(3, -0.5), bias: Float64Array.of(-2) };
    const ds = linearDataset({ rows: 500, features: 2, noise: 0, truth, scales: [10, 0.1], seed: 4 });
    expect(ds.truth).toBe(truth);
    const { x, y } = flat(ds.chunks);
    expect(worstResidualInUlps(x, y, 2, truth.weights, truth.bias[0])).toBeLessThanOrEqual(1);
    const fit = leastSquares(x, y, 500, 2);
    expect(fit.weights[0]).toBeCloseTo(3, 5);
    expect(fit.weights[1]).toBeCloseTo(-0.5, 3);
    expect(fit.bias[0]).toBeCloseTo(-2, 5);
  });

  it('draws x from uniform(−scale, scale) per feature, filling the interval', () => {
    const ds = linearDataset({ rows: 5000, features: 2, scales: [1, 4], seed: 2 });
    const { x } = flat(ds.chunks);
    for (const [j, s] of [[0, 1], [1, 4]]) {
      const col = x.filter((_, i) => i % 2 === j);
      expect(Math.min(...col)).toBeGreaterThanOrEqual(-s);
      expect(Math.max(...col)).toBeLessThanOrEqual(s);
      expect(Math.min(...col)).toBeLessThan(-0.99 * s);
      expect(Math.max(...col)).toBeGreaterThan(0.99 * s);
      // Mean ≈ 0 (sd of the mean is s/√(3·5000) ≈ 0.008·s).
      expect(Math.abs(col.reduce((a, v) => a + v, 0) / col.length)).toBeLessThan(0.05 * s);
    }
  });

  it('default truth: weights in [−2, 2] rounded to 3 decimals, bias 0.5', () => {
    const ds = linearDataset({ rows: 10, features: 20, seed: 8 });
    expect(Array.from(ds.truth.bias)).toEqual([0.5]);
    for (const w of ds.truth.weights) {
      expect(Math.abs(w)).toBeLessThanOrEqual(2);
      expect(Math.abs(w * 1000 - Math.round(w * 1000))).toBeLessThan(1e-9);
    }
    expect(new Set(ds.truth.weights).size).toBeGreaterThan(15);
  });

  it('adds Gaussian noise of the stated standard deviation', () => {
    const noise = 0.3;
    const ds = linearDataset({ rows: 40000, features: 2, noise, seed: 12 });
    const { x, y } = flat(ds.chunks);
    const w = ds.truth.weights;
    let s = 0;
    let ss = 0;
    for (let r = 0; r < ds.rows; r++) {
      const e = y[r] - (ds.truth.bias[0] + x[2 * r] * w[0] + x[2 * r + 1] * w[1]);
      s += e;
      ss += e * e;
    }
    const mean = s / ds.rows;
    // sd(mean) = 0.3/200 = 0.0015; sd of the sample sd ≈ 0.3/√(2·40000) ≈ 0.001.
    expect(Math.abs(mean)).toBeLessThan(0.008);
    expect(Math.abs(Math.sqrt(ss / ds.rows - mean * mean) - noise)).toBeLessThan(0.006);
  });

  it('rejects non-positive or fractional rows and features', () => {
    expect(() => linearDataset({ rows: 0, features: 2 })).toThrow('rows must be a positive integer, got 0');
    expect(() => linearDataset({ rows: 2.5, features: 2 })).toThrow(/rows must be a positive integer, got 2.5/);
    expect(() => linearDataset({ rows: 10, features: 0 })).toThrow('features must be a positive integer, got 0');
    expect(() => linearDataset({ rows: 10, features: NaN })).toThrow(/features must be a positive integer/);
  });
});

describe('lineDataset', () => {
  it('has one feature x in [0, 10], 200 rows by default, truth θ1 and θ0', () => {
    const ds = lineDataset();
    expect(ds.rows).toBe(200);
    expect(ds.features).toEqual(['x']);
    expect(ds.target).toBe('y');
    expect(Array.from(ds.truth.bias)).toEqual([4]);
    expect(Array.from(ds.truth.weights)).toEqual([3]);
    const { x } = flat(ds.chunks);
    expect(x).toHaveLength(200);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThanOrEqual(10);
    // Spread over the whole interval, centred near 5.
    expect(Math.min(...x)).toBeLessThan(0.5);
    expect(Math.max(...x)).toBeGreaterThan(9.5);
    expect(Math.abs(x.reduce((a, v) => a + v, 0) / 200 - 5)).toBeLessThan(0.7);
  });

  it('noiseless: y = θ0 + θ1·x after the shift (to float32 rounding of the two stores)', () => {
    const ds = lineDataset(500, -1, 2.5, 0, 3);
    const { x, y } = flat(ds.chunks);
    for (let i = 0; i < 500; i++) {
      // x and y are each rounded to f32 (≤ 2⁻²⁴ relative, |x| ≤ 10, |y| ≤ 26) once when drawn and once when shifted.
      expect(Math.abs(y[i] - (-1 + 2.5 * x[i])), `row ${i}`).toBeLessThan(1e-5);
    }
  });

  it('with noise, least squares recovers θ approximately; reproducible from the seed', () => {
    const ds = lineDataset(2000, 4, 3, 1, 7);
    const { x, y } = flat(ds.chunks);
    const fit = leastSquares(x, y, 2000, 1);
    // Slope se ≈ 1/(√2000·2.9) ≈ 0.008, intercept se ≈ 0.045.
    expect(Math.abs(fit.weights[0] - 3)).toBeLessThan(0.05);
    expect(Math.abs(fit.bias[0] - 4)).toBeLessThan(0.25);
    expect(flat(lineDataset(2000, 4, 3, 1, 7).chunks)).toEqual({ x, y });
    expect(flat(lineDataset(2000, 4, 3, 1, 8).chunks).x).not.toEqual(x);
  });
});
