// Unit tests for regression metrics from additive sums (src/core/metrics.ts), checked against MSE, MAE and
// R² computed directly from their definitions, with and without a shift of y.
import { describe, expect, it } from 'vitest';
import { addSums, emptySums, metricsFromSums, type MetricSums } from '../../src/core/metrics';
import { Rng } from '../../src/core/rng';
import { emptyGradSums, linearGradCpu } from '../../src/cpu/linear_grad';

/** Sums over rows [a, b) of predictions `pred` against targets `y`, with y shifted by c. */
function sums(pred: number[], y: number[], c: number, a = 0, b = y.length): MetricSums {
  const s = emptySums();
  for (let i = a; i < b; i++) {
    const e = pred[i] - y[i];
    s.rows++;
    s.sse += e * e;
    s.sae += Math.abs(e);
    s.sy += y[i] - c;
    s.syy += (y[i] - c) ** 2;
  }
  return s;
}

/** MSE, MAE and R² = 1 − Σ(ŷ−y)²/Σ(y−ȳ)² straight from the definitions (two passes, no shift). */
function direct(pred: number[], y: number[]) {
  const n = y.length;
  const mean = y.reduce((a, v) => a + v, 0) / n;
  const sse = y.reduce((a, v, i) => a + (pred[i] - v) ** 2, 0);
  const sst = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mse: sse / n, mae: y.reduce((a, v, i) => a + Math.abs(pred[i] - v), 0) / n, r2: 1 - sse / sst };
}

function data(n: number, seed: number, offset = 0) {
  const rng = new Rng(seed);
  const y = Array.from({ length: n }, () => offset + rng.uniform(-5, 5));
  const pred = y.map((v) => v + rng.normal() * 0.8);
  return { y, pred };
}

describe('metricsFromSums', () => {
  it('matches MSE, MAE and R² computed directly', () => {
    const { y, pred } = data(1000, 1);
    const m = metricsFromSums(sums(pred, y, 0));
    const want = direct(pred, y);
    expect(m.rows).toBe(1000);
    expect(m.mse).toBeCloseTo(want.mse, 12);
    expect(m.mae).toBeCloseTo(want.mae, 12);
    expect(m.r2).toBeCloseTo(want.r2, 10);
    // Sanity on the data itself: noise sd 0.8 against var(y) = 100/12 gives R² ≈ 1 − 0.64/8.33.
    expect(m.r2).toBeGreaterThan(0.85);
    expect(m.r2).toBeLessThan(0.97);
  });

  it('gives the same metrics for any shift c of y (shift = 0, mean, a large offset)', () => {
    const { y, pred } = data(500, 2, 1000);
    const want = direct(pred, y);
    for (const c of [0, 1000, 999.5, -3]) {
      const m = metricsFromSums(sums(pred, y, c));
      expect(m.mse, `c=${c}`).toBeCloseTo(want.mse, 10);
      expect(m.mae, `c=${c}`).toBeCloseTo(want.mae, 10);
      expect(m.r2, `c=${c}`).toBeCloseTo(want.r2, 6);
    }
  });

  it('combines partial sums with addSums to the same result as one pass', () => {
    const { y, pred } = data(777, 3, 50);
    const total = emptySums();
    for (const [a, b] of [[0, 1], [1, 100], [100, 500], [500, 777]]) addSums(total, sums(pred, y, 50, a, b));
    const whole = sums(pred, y, 50);
    expect(total.rows).toBe(777);
    for (const k of ['sse', 'sae', 'sy', 'syy'] as const) expect(total[k]).toBeCloseTo(whole[k], 8);
    const m = metricsFromSums(total);
    const want = direct(pred, y);
    expect(m.mse).toBeCloseTo(want.mse, 10);
    expect(m.r2).toBeCloseTo(want.r2, 8);
  });

  it('R² is 1 for perfect predictions, 0 for predicting the mean, negative for worse', () => {
    const y = [1, 2, 3, 4, 6];
    const mean = 16 / 5;
    expect(metricsFromSums(sums(y, y, 0)).r2).toBe(1);
    expect(metricsFromSums(sums(y.map(() => mean), y, 0)).r2).toBeCloseTo(0, 12);
    expect(metricsFromSums(sums(y.map((v) => -v), y, 0)).r2).toBeLessThan(0);
  });

  it('hand-worked: y = [1, 2, 3], ŷ = [1, 3, 5] → MSE 5/3, MAE 1, R² = 1 − 5/2', () => {
    const m = metricsFromSums(sums([1, 3, 5], [1, 2, 3], 2));
    expect(m.mse).toBeCloseTo(5 / 3, 14);
    expect(m.mae).toBeCloseTo(1, 14);
    expect(m.r2).toBeCloseTo(-1.5, 14);
  });

  it('R² is NaN when y is constant (SST = 0)', () => {
    const y = [7, 7, 7, 7];
    const m = metricsFromSums(sums([6, 7, 8, 7], y, 7));
    expect(m.r2).toBeNaN();
    expect(m.mse).toBeCloseTo(0.5, 14);
  });

  it('agrees with the sums linearGradCpu accumulates (loss = SSE, yShift applied to sy, syy)', () => {
    const rng = new Rng(4);
    const rows = 300;
    const d = 3;
    const x = rng.uniformArray(rows * d);
    const y = rng.uniformArray(rows, 20, 30);
    const p = { weights: Float64Array.of(0.5, -1, 2), bias: 25 };
    const s = linearGradCpu(x, y, d, rows, p, { start: 0, count: rows, key: 0, shuffle: false }, 'mse', 25, false, emptyGradSums(d));
    const pred = Array.from({ length: rows }, (_, r) => 25 + 0.5 * x[r * 3] - x[r * 3 + 1] + 2 * x[r * 3 + 2]);
    const m = metricsFromSums({ rows: s.rows, sse: s.loss, sae: s.sae, sy: s.sy, syy: s.syy });
    const want = direct(pred, Array.from(y));
    expect(m.mse).toBeCloseTo(want.mse, 10);
    expect(m.mae).toBeCloseTo(want.mae, 10);
    expect(m.r2).toBeCloseTo(want.r2, 8);
  });
});

describe('emptySums and addSums', () => {
  it('emptySums is all zeros and a fresh object each time', () => {
    const a = emptySums();
    expect(a).toEqual({ rows: 0, sse: 0, sae: 0, sy: 0, syy: 0 });
    a.rows = 5;
    expect(emptySums().rows).toBe(0);
  });

  it('addSums adds every field in place and leaves the right operand alone', () => {
    const a: MetricSums = { rows: 1, sse: 2, sae: 3, sy: 4, syy: 5 };
    const b: MetricSums = { rows: 10, sse: 20, sae: 30, sy: -40, syy: 50 };
    addSums(a, b);
    expect(a).toEqual({ rows: 11, sse: 22, sae: 33, sy: -36, syy: 55 });
    expect(b).toEqual({ rows: 10, sse: 20, sae: 30, sy: -40, syy: 50 });
  });
});
