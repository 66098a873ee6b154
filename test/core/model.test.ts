// Unit tests for the linear model math (src/core/model.ts) on the CPU reference: the squared-error gradient from
// src/cpu/grad_rows.ts + apply_update.ts checked against central finite differences of the loss, and SGD.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { LOSSES, lossHp } from '../../src/core/losses';
import { modelSpec, predictRow, zeroParams, type Gradient, type ModelParams, type ModelSpec } from '../../src/core/model';
import { applyStep, newOptimState } from '../../src/core/optim/apply';
import { permuteIndex } from '../../src/core/permute';
import { Rng } from '../../src/core/rng';
import { gradRows } from '../../src/cpu/grad_rows';
import { emptyGradSums, type GradRange } from '../../src/cpu/grad_sums';
import { applyUpdateCpu, meanGradient } from '../../src/cpu/apply_update';

/** One SGD step through the one update rule (optim/apply.ts). */
const sgdStep = (p: ModelParams, g: Gradient, lr: number, spec: ModelSpec) => applyStep(p, g, newOptimState(spec), { lr, t: 1, average: 0 }, spec);

interface Problem { x: Float32Array; y: Float32Array; d: number; rows: number; p: ModelParams }

function problem(rows: number, d: number, seed: number): Problem {
  const rng = new Rng(seed);
  const x = rng.uniformArray(rows * d);
  const y = rng.uniformArray(rows, -3, 3);
  const p = { weights: Float64Array.from({ length: d }, () => rng.uniform(-2, 2)), bias: Float64Array.of(rng.uniform(-1, 1)) };
  return { x, y, d, rows, p };
}

/** mean over the given rows of (x·w + b − y)², written out here in f64 independently of the library. */
function mseLoss(pr: Problem, w: ArrayLike<number>, b: number, rowList: number[]): number {
  let s = 0;
  for (const r of rowList) {
    let pred = b;
    for (let j = 0; j < pr.d; j++) pred += pr.x[r * pr.d + j] * w[j];
    s += (pred - pr.y[r]) ** 2;
  }
  return s / rowList.length;
}

/** Central differences of mseLoss in every weight and the bias. */
function finiteDiff(pr: Problem, rowList: number[], h = 1e-4): { weights: number[]; bias: number } {
  const w = Array.from(pr.p.weights);
  const b = pr.p.bias[0];
  const weights = w.map((wj, j) => {
    const plus = w.slice(); plus[j] = wj + h;
    const minus = w.slice(); minus[j] = wj - h;
    return (mseLoss(pr, plus, b, rowList) - mseLoss(pr, minus, b, rowList)) / (2 * h);
  });
  const bias = (mseLoss(pr, w, b + h, rowList) - mseLoss(pr, w, b - h, rowList)) / (2 * h);
  return { weights, bias };
}

/** The squared-loss pass over a problem's rows (one output, no penalty). */
function pass(pr: Problem, p: ModelParams, range: GradRange, withGrad = true) {
  return gradRows(pr.x, pr.y, pr.rows, p, range, modelSpec({ d: pr.d }), 0, withGrad, emptyGradSums(pr.d));
}

function analytic(pr: Problem, range: GradRange): Gradient {
  return meanGradient(pass(pr, pr.p, range));
}

// The loss is quadratic in (w, b), so central differences have no truncation error: what is left is
// rounding, about ε·loss/h ≈ 1e-12 here. 1e-7 relative leaves a wide margin and still catches any factor error.
function expectGradClose(got: Gradient, want: { weights: number[]; bias: number }): void {
  const tol = (v: number) => 1e-8 + 1e-7 * Math.abs(v);
  want.weights.forEach((wj, j) => expect(Math.abs(got.weights[j] - wj), `dL/dw[${j}] ${got.weights[j]} vs ${wj}`).toBeLessThan(tol(wj)));
  expect(Math.abs(got.bias[0] - want.bias), `dL/db ${got.bias[0]} vs ${want.bias}`).toBeLessThan(tol(want.bias));
}

const range = (start: number, count: number, shuffle = false, key = 0): GradRange => ({ start, count, shuffle, key });
const seq = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('squared-loss gradient on the CPU reference vs finite differences', () => {
  for (const [rows, d] of [[1, 1], [3, 2], [64, 5], [65, 3], [1000, 7]]) {
    it(`matches central differences over all rows (rows=${rows}, d=${d})`, () => {
      const pr = problem(rows, d, rows * 31 + d);
      const g = analytic(pr, range(0, rows));
      expectGradClose(g, finiteDiff(pr, seq(0, rows)));
      expect(g.rows).toBe(rows);
      expect(g.loss).toBeCloseTo(mseLoss(pr, pr.p.weights, pr.p.bias[0], seq(0, rows)), 10);
    });
  }

  it('matches over a sub-range of rows read in order', () => {
    const pr = problem(100, 4, 5);
    expectGradClose(analytic(pr, range(17, 30)), finiteDiff(pr, seq(17, 47)));
  });

  it('matches over a sub-range read through the keyed permutation (the rows it selects)', () => {
    const pr = problem(257, 3, 6);
    const key = 0xbada55;
    const rowList = seq(40, 140).map((i) => permuteIndex(i, 257, key));
    expectGradClose(analytic(pr, range(40, 100, true, key)), finiteDiff(pr, rowList));
  });

  it('the full shuffled pass equals the full ordered pass (same rows, different order)', () => {
    const pr = problem(300, 4, 8);
    const a = analytic(pr, range(0, 300));
    const b = analytic(pr, range(0, 300, true, 99));
    for (let j = 0; j < 4; j++) expect(b.weights[j]).toBeCloseTo(a.weights[j], 10);
    expect(b.bias[0]).toBeCloseTo(a.bias[0], 10);
    expect(b.loss).toBeCloseTo(a.loss, 10);
  });

  it('is zero at the exact solution of noiseless data', () => {
    const pr = problem(50, 3, 9);
    const w = [0.5, -1, 2];
    for (let r = 0; r < 50; r++) pr.y[r] = 0.25 + w.reduce((s, wj, j) => s + wj * pr.x[r * 3 + j], 0);
    // y is stored as f32, so the residuals are only ~1e-7; the gradient is of that size.
    const g = analytic({ ...pr, p: { weights: Float64Array.from(w), bias: Float64Array.of(0.25) } }, range(0, 50));
    for (const v of [...g.weights, ...g.bias]) expect(Math.abs(v)).toBeLessThan(1e-6);
  });

  it('does not add gradient terms when withGrad is false, but still adds the loss', () => {
    const pr = problem(20, 2, 10);
    const s = pass(pr, pr.p, range(0, 20), false);
    expect(Array.from(s.grad)).toEqual([0, 0]);
    expect(Array.from(s.gradBias)).toEqual([0]);
    expect(s.loss / 20).toBeCloseTo(mseLoss(pr, pr.p.weights, pr.p.bias[0], seq(0, 20)), 10);
  });

  it('LOSSES.squared: dz is the derivative of value', () => {
    const L = LOSSES.squared;
    const hp = lossHp('squared');
    for (const [p, y] of [[0.3, -1], [2, 2], [-5, 4]]) {
      const h = 1e-5;
      expect(L.dz(p, y, hp)).toBeCloseTo((L.value(p + h, y, hp) - L.value(p - h, y, hp)) / (2 * h), 6);
      expect(L.value(p, y, hp)).toBe((p - y) ** 2);
    }
    // Its GPU twin is the WGSL part with the same stem (was: the shader's LOSS override code 0).
    expect(existsSync(`shaders/losses/${L.stem}.wgsl`)).toBe(true);
  });
});

describe('predictRow and zeroParams', () => {
  it('predictRow is x·w + b at a row offset', () => {
    const x = [9, 9, 1, 2, 3];
    expect(predictRow(x, 2, { weights: Float64Array.of(1, -1, 0.5), bias: Float64Array.of(10) })).toBe(10 + 1 - 2 + 1.5);
  });

  it('zeroParams has d zero weights and zero bias', () => {
    const p = zeroParams(4);
    expect(Array.from(p.weights)).toEqual([0, 0, 0, 0]);
    expect(Array.from(p.bias)).toEqual([0]);
  });
});

describe('an SGD step (no penalty)', () => {
  const grad = (w: number[], b: number): Gradient => ({ weights: Float64Array.from(w), bias: Float64Array.of(b), loss: 0, rows: 1 });
  const spec = (d: number, fitBias: boolean) => modelSpec({ d, fitBias });

  it('takes w ← w − α·g and b ← b − α·g_b in place', () => {
    const p = { weights: Float64Array.of(1, 2, 3), bias: Float64Array.of(0.5) };
    sgdStep(p, grad([10, -20, 0], 4), 0.1, spec(3, true));
    expect(p.weights[0]).toBeCloseTo(0, 14);
    expect(p.weights[1]).toBeCloseTo(4, 14);
    expect(p.weights[2]).toBe(3);
    expect(p.bias[0]).toBeCloseTo(0.1, 14);
  });

  it('leaves the bias alone when not fitting it', () => {
    const p = { weights: Float64Array.of(1), bias: Float64Array.of(0.5) };
    sgdStep(p, grad([1], 100), 0.5, spec(1, false));
    expect(p.weights[0]).toBe(0.5);
    expect(p.bias[0]).toBe(0.5);
  });

  it('a small step along the mean gradient lowers the loss (applyUpdateCpu)', () => {
    const pr = problem(200, 4, 12);
    const rows = seq(0, 200);
    const before = mseLoss(pr, pr.p.weights, pr.p.bias[0], rows);
    const g = applyUpdateCpu(pr.p, pass(pr, pr.p, range(0, 200)), newOptimState(spec(4, true)), { lr: 0.05, t: 1, average: 0 }, spec(4, true));
    expect(g.loss).toBeCloseTo(before, 10);
    const after = mseLoss(pr, pr.p.weights, pr.p.bias[0], rows);
    expect(after).toBeLessThan(before);
    // First-order prediction: the loss drops by about α·|g|².
    const g2 = g.weights.reduce((s, v) => s + v * v, 0) + g.bias[0] * g.bias[0];
    expect(before - after).toBeGreaterThan(0.5 * 0.05 * g2);
  });

  it('repeated full-batch steps converge to the least-squares fit of noiseless data', () => {
    const pr = problem(100, 2, 13);
    for (let r = 0; r < 100; r++) pr.y[r] = 1 + 2 * pr.x[2 * r] - 3 * pr.x[2 * r + 1];
    const p = zeroParams(2);
    for (let k = 0; k < 3000; k++) {
      applyUpdateCpu(p, pass(pr, p, range(0, 100)), newOptimState(spec(2, true)), { lr: 0.2, t: 1, average: 0 }, spec(2, true));
    }
    expect(p.weights[0]).toBeCloseTo(2, 4);
    expect(p.weights[1]).toBeCloseTo(-3, 4);
    expect(p.bias[0]).toBeCloseTo(1, 4);
  });
});
