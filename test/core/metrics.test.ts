// Unit tests for regression metrics from additive sums (src/core/metrics.ts), checked against MSE, MAE and
// R² computed directly from their definitions, with and without a shift of y (under the squared loss).
import { describe, expect, it } from 'vitest';
import { LOSSES } from '../../src/core/losses';
import { addSums, emptySums, metricsFromSums, regressionMetrics, type EvalSums } from '../../src/core/metrics';
import { modelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { gradRows } from '../../src/cpu/grad_rows';
import { emptyGradSums } from '../../src/cpu/grad_sums';

/** Regression metrics of sums under the squared loss. */
const metrics = (s: EvalSums) => regressionMetrics(metricsFromSums(s, LOSSES.squared));

/** Squared-loss sums over rows [a, b) of predictions `pred` against targets `y`, with y shifted by c. */
function sums(pred: number[], y: number[], c: number, a = 0, b = y.length): EvalSums {
  const s = emptySums();
  for (let i = a; i < b; i++) {
    const e = pred[i] - y[i];
    s.rows++;
    s.loss += e * e;
    s.m[0] += Math.abs(e);
    s.m[1] += e * e;
    s.m[2] += y[i] - c;
    s.m[3] += (y[i] - c) ** 2;
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
    const m = metrics(sums(pred, y, 0));
    const want = direct(pred, y);
    expect(m.rows).toBe(1000);
    expect(m.mse).toBeCloseTo(want.mse, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(want.mse), 12);
    expect(m.loss).toBeCloseTo(want.mse, 12);
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
      const m = metrics(sums(pred, y, c));
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
    expect(total.loss).toBeCloseTo(whole.loss, 8);
    for (let k = 0; k < 4; k++) expect(total.m[k], `m[${k}]`).toBeCloseTo(whole.m[k], 8);
    const m = metrics(total);
    const want = direct(pred, y);
    expect(m.mse).toBeCloseTo(want.mse, 10);
    expect(m.r2).toBeCloseTo(want.r2, 8);
  });

  it('R² is 1 for perfect predictions, 0 for predicting the mean, negative for worse', () => {
    const y = [1, 2, 3, 4, 6];
    const mean = 16 / 5;
    expect(metrics(sums(y, y, 0)).r2).toBe(1);
    expect(metrics(sums(y.map(() => mean), y, 0)).r2).toBeCloseTo(0, 12);
    expect(metrics(sums(y.map((v) => -v), y, 0)).r2).toBeLessThan(0);
  });

  it('hand-worked: y = [1, 2, 3], ŷ = [1, 3, 5] → MSE 5/3, MAE 1, R² = 1 − 5/2', () => {
    const m = metrics(sums([1, 3, 5], [1, 2, 3], 2));
    expect(m.mse).toBeCloseTo(5 / 3, 14);
    expect(m.mae).toBeCloseTo(1, 14);
    expect(m.r2).toBeCloseTo(-1.5, 14);
  });

  it('R² is NaN when y is constant (SST = 0)', () => {
    const y = [7, 7, 7, 7];
    const m = metrics(sums([6, 7, 8, 7], y, 7));
    expect(m.r2).toBeNaN();
    expect(m.mse).toBeCloseTo(0.5, 14);
  });

  it('agrees with the sums gradRows accumulates (squared loss: Σloss = SSE; yShift applied to m[2], m[3])', () => {
    const rng = new Rng(4);
    const rows = 300;
    const d = 3;
    const x = rng.uniformArray(rows * d);
    const y = rng.uniformArray(rows, 20, 30);
    const p = { weights: Float64Array.of(0.5, -1, 2), bias: Float64Array.of(25) };
    const s = gradRows(x, y, rows, p, { start: 0, count: rows, key: 0, shuffle: false }, modelSpec({ d }), 25, false, emptyGradSums(d));
    const pred = Array.from({ length: rows }, (_, r) => 25 + 0.5 * x[r * 3] - x[r * 3 + 1] + 2 * x[r * 3 + 2]);
    const m = metrics(s);
    const want = direct(pred, Array.from(y));
    expect(s.loss).toBeCloseTo(s.m[1], 8);
    expect(m.loss).toBeCloseTo(want.mse, 10);
    expect(m.mse).toBeCloseTo(want.mse, 10);
    expect(m.mae).toBeCloseTo(want.mae, 10);
    expect(m.r2).toBeCloseTo(want.r2, 8);
  });
});

describe('emptySums and addSums', () => {
  it('emptySums is all zeros and a fresh object each time', () => {
    const a = emptySums();
    expect(a).toEqual({ rows: 0, loss: 0, m: new Float64Array(4), confusion: null });
    a.rows = 5;
    a.m[1] = 3;
    expect(emptySums().rows).toBe(0);
    expect(Array.from(emptySums().m)).toEqual([0, 0, 0, 0]);
    expect(emptySums(3).confusion).toEqual(new Float64Array(9));
  });

  it('addSums adds every field in place and leaves the right operand alone', () => {
    const of = (rows: number, loss: number, m: number[], confusion: number[] | null): EvalSums =>
      ({ rows, loss, m: Float64Array.from(m), confusion: confusion && Float64Array.from(confusion) });
    const a = of(1, 2, [3, 4, 5, 6], [1, 0, 0, 2]);
    const b = of(10, 20, [30, -40, 50, 60], [3, 4, 5, 6]);
    addSums(a, b);
    expect(a).toEqual(of(11, 22, [33, -36, 55, 66], [4, 4, 5, 8]));
    expect(b).toEqual(of(10, 20, [30, -40, 50, 60], [3, 4, 5, 6]));
  });
});
