// Unit tests for exact least squares (src/core/lstsq.ts): exact recovery from noiseless data, agreement with
// closed-form solutions worked out here, the normal-equation optimality condition, streaming, and singular data.
import { describe, expect, it } from 'vitest';
import { leastSquares, NormalEquations } from '../../src/core/lstsq';
import { Rng } from '../../src/core/rng';

/** Row-major x (rows × d) uniform(−1, 1) and y = x·w + b (+ optional N(0, noise²)), all in f64. */
function makeData(rows: number, w: number[], b: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const d = w.length;
  const x = new Float64Array(rows * d);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let t = b;
    for (let j = 0; j < d; j++) {
      x[r * d + j] = rng.uniform(-1, 1);
      t += x[r * d + j] * w[j];
    }
    y[r] = t + noise * rng.normal();
  }
  return { x, y };
}

/** Residual vector y − (x·w + b). */
function residuals(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, w: ArrayLike<number>, b: number): number[] {
  const d = w.length;
  return Array.from({ length: rows }, (_, r) => {
    let p = b;
    for (let j = 0; j < d; j++) p += x[r * d + j] * w[j];
    return y[r] - p;
  });
}

describe('leastSquares', () => {
  it('recovers the exact coefficients from noiseless data', () => {
    const w = [1.5, -2, 0.25, 3, -0.75];
    const { x, y } = makeData(200, w, 0.5, 0, 1);
    const fit = leastSquares(x, y, 200, w.length);
    for (let j = 0; j < w.length; j++) expect(fit.weights[j]).toBeCloseTo(w[j], 10);
    expect(fit.bias[0]).toBeCloseTo(0.5, 10);
    expect(fit.weights).toBeInstanceOf(Float64Array);
    expect(fit.weights.length).toBe(w.length);
  });

  it('solves a hand-sized one-feature problem: slope = cov(x, y)/var(x), intercept = ȳ − slope·x̄', () => {
    // Points (0, 1), (1, 3), (2, 4), (3, 8): x̄ = 1.5, ȳ = 4, Σ(x−x̄)(y−ȳ) = 11, Σ(x−x̄)² = 5.
    const fit = leastSquares([0, 1, 2, 3], [1, 3, 4, 8], 4, 1);
    expect(fit.weights[0]).toBeCloseTo(11 / 5, 12);
    expect(fit.bias[0]).toBeCloseTo(4 - (11 / 5) * 1.5, 12);
  });

  it('matches a closed-form two-feature solution (centered data, 2×2 Cramer rule) on noisy data', () => {
    const rows = 50;
    const { x, y } = makeData(rows, [0.7, -1.3], 2, 0.3, 42);
    let m1 = 0, m2 = 0, my = 0;
    for (let r = 0; r < rows; r++) { m1 += x[2 * r]; m2 += x[2 * r + 1]; my += y[r]; }
    m1 /= rows; m2 /= rows; my /= rows;
    let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
    for (let r = 0; r < rows; r++) {
      const a = x[2 * r] - m1, c = x[2 * r + 1] - m2, t = y[r] - my;
      s11 += a * a; s12 += a * c; s22 += c * c; s1y += a * t; s2y += c * t;
    }
    const det = s11 * s22 - s12 * s12;
    const w1 = (s1y * s22 - s12 * s2y) / det;
    const w2 = (s11 * s2y - s12 * s1y) / det;
    const b = my - w1 * m1 - w2 * m2;
    const fit = leastSquares(x, y, rows, 2);
    expect(fit.weights[0]).toBeCloseTo(w1, 10);
    expect(fit.weights[1]).toBeCloseTo(w2, 10);
    expect(fit.bias[0]).toBeCloseTo(b, 10);
    // With noise the fit is not the truth, but it must be near it.
    expect(Math.abs(fit.weights[0] - 0.7)).toBeLessThan(0.3);
  });

  it('satisfies the normal equations: residuals are orthogonal to every column and to the ones column', () => {
    const rows = 300;
    const { x, y } = makeData(rows, [1, 2, -3, 0.5], -1, 0.5, 7);
    const fit = leastSquares(x, y, rows, 4);
    const res = residuals(x, y, rows, fit.weights, fit.bias[0]);
    for (let j = 0; j < 4; j++) {
      const dot = res.reduce((s, e, r) => s + e * x[r * 4 + j], 0);
      expect(Math.abs(dot), `column ${j}`).toBeLessThan(1e-9);
    }
    expect(Math.abs(res.reduce((s, e) => s + e, 0))).toBeLessThan(1e-9);
    // And no perturbation of the solution lowers the sum of squares.
    const sse = (w: ArrayLike<number>, b: number) => residuals(x, y, rows, w, b).reduce((s, e) => s + e * e, 0);
    const best = sse(fit.weights, fit.bias[0]);
    for (let j = 0; j < 4; j++) {
      const w = Float64Array.from(fit.weights);
      w[j] += 1e-3;
      expect(sse(w, fit.bias[0])).toBeGreaterThan(best);
    }
    expect(sse(fit.weights, fit.bias[0] + 1e-3)).toBeGreaterThan(best);
  });

  it('accepts float32 inputs (rounding y to f32 costs ~1e-7 in the weights)', () => {
    const w = [0.5, -0.25];
    const x32 = new Rng(3).uniformArray(128);
    const y32 = Float32Array.from({ length: 64 }, (_, r) => x32[2 * r] * w[0] + x32[2 * r + 1] * w[1]);
    const fit = leastSquares(x32, y32, 64, 2, false);
    expect(fit.weights[0]).toBeCloseTo(0.5, 6);
    expect(fit.weights[1]).toBeCloseTo(-0.25, 6);
  });

  describe('no-bias mode', () => {
    it('recovers weights of data through the origin and reports bias 0', () => {
      const w = [2, -1, 0.5];
      const { x, y } = makeData(100, w, 0, 0, 11);
      const fit = leastSquares(x, y, 100, 3, false);
      for (let j = 0; j < 3; j++) expect(fit.weights[j]).toBeCloseTo(w[j], 10);
      expect(Array.from(fit.bias)).toEqual([0]);
    });

    it('fits through the origin even when the data has an intercept (uncentered Cramer rule)', () => {
      const rows = 40;
      const { x, y } = makeData(rows, [1, 1], 3, 0.1, 5);
      let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
      for (let r = 0; r < rows; r++) {
        const a = x[2 * r], c = x[2 * r + 1];
        s11 += a * a; s12 += a * c; s22 += c * c; s1y += a * y[r]; s2y += c * y[r];
      }
      const det = s11 * s22 - s12 * s12;
      const fit = leastSquares(x, y, rows, 2, false);
      expect(fit.weights[0]).toBeCloseTo((s1y * s22 - s12 * s2y) / det, 10);
      expect(fit.weights[1]).toBeCloseTo((s11 * s2y - s12 * s1y) / det, 10);
      expect(Array.from(fit.bias)).toEqual([0]);
    });

    it('one feature, no bias: w = Σxy / Σx²', () => {
      // Σxy = 1·2 + 2·3 + 3·7 = 29, Σx² = 14.
      const fit = leastSquares([1, 2, 3], [2, 3, 7], 3, 1, false);
      expect(fit.weights[0]).toBeCloseTo(29 / 14, 12);
    });
  });

  describe('singular data', () => {
    it('throws a clear error for a duplicated feature, naming the dependent column', () => {
      const { x } = makeData(20, [0], 0, 0, 2);
      const x2 = new Float64Array(40);
      const y = new Float64Array(20);
      for (let r = 0; r < 20; r++) { x2[2 * r] = x[r]; x2[2 * r + 1] = x[r]; y[r] = 3 * x[r]; }
      expect(() => leastSquares(x2, y, 20, 2)).toThrow(/singular at column 1/);
      expect(() => leastSquares(x2, y, 20, 2)).toThrow(/constant or duplicated feature/);
    });

    it('throws for a constant feature when fitting a bias (it duplicates the ones column)', () => {
      const x = new Float64Array(30).fill(4);
      const y = Float64Array.from({ length: 30 }, (_, i) => i);
      expect(() => leastSquares(x, y, 30, 1, true)).toThrow(/least squares: .*singular at column 1/);
      // Without a bias the same single column is fine: w = Σxy/Σx² = 4·435/(30·16).
      expect(leastSquares(x, y, 30, 1, false).weights[0]).toBeCloseTo((4 * 435) / (30 * 16), 12);
    });

    it('throws for an all-zero feature and for fewer rows than parameters', () => {
      const x = new Float64Array(20);
      for (let r = 0; r < 10; r++) x[2 * r] = r;
      expect(() => leastSquares(x, new Float64Array(10), 10, 2, false)).toThrow(/singular at column 1/);
      expect(() => leastSquares([1, 2, 3], [1, 2], 1, 3, false)).toThrow(/singular/);
      expect(() => new NormalEquations(2, true).solve()).toThrow(/singular at column 0/);
    });
  });
});

describe('NormalEquations', () => {
  it('streams: adding rows in pieces solves to the same answer as adding them at once', () => {
    const rows = 120;
    const { x, y } = makeData(rows, [0.3, -0.6, 1.2], 0.8, 0.2, 19);
    const whole = new NormalEquations(3, true);
    whole.add(x, y, rows);
    const parts = new NormalEquations(3, true);
    for (const [a, b] of [[0, 1], [1, 50], [50, 120]]) parts.add(x.subarray(a * 3, b * 3), y.subarray(a, b), b - a);
    expect(parts.rows).toBe(rows);
    expect(whole.rows).toBe(rows);
    expect(parts.p).toBe(4);
    const s1 = whole.solve();
    const s2 = parts.solve();
    for (let j = 0; j < 3; j++) expect(s2.weights[j]).toBeCloseTo(s1.weights[j], 12);
    expect(s2.bias[0]).toBeCloseTo(s1.bias[0], 12);
  });

  it('has p = d without a bias', () => {
    expect(new NormalEquations(5, false).p).toBe(5);
  });
});
