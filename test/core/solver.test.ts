// The exact solver (src/core/solver) against references computed here (test/helpers/qr_reference.ts: Householder QR
// of the whole matrix, Jacobi singular values): well-conditioned, κ = 1e4 … 1e8, collinear, no-intercept, large-mean
// columns, ridge, the optimality gap and the Newton preconditioner.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { gapOf, preconditioner } from '../../src/core/solver/gap';
import { factorFromGram, LeastSquaresStream, solveFactor, solverGram } from '../../src/core/solver/least_squares';
import { conditionedProblem, referenceFit, standardizedCondition } from '../helpers/qr_reference';
import { weightedLeastSquares } from '../helpers/oracles';

const U64 = 2 ** -53;

function fit(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, d: number, bias = true, chunk = 997, o: { alpha?: number; standardize?: { mean: Float64Array; invStd: Float64Array } } = {}) {
  const s = new LeastSquaresStream(d, bias);
  const f64 = x instanceof Float64Array;
  for (let r = 0; r < rows; r += chunk) {
    const n = Math.min(chunk, rows - r);
    s.add(f64 ? (x as Float64Array).subarray(r * d, (r + n) * d) : (x as Float32Array).subarray(r * d, (r + n) * d), (y as Float64Array).subarray(r, r + n), n);
  }
  return solveFactor(s.factor(), o);
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('exact least squares (TSQR)', () => {
  it('agrees with a Householder QR of the whole matrix to ~1e-13 on well-conditioned f64 data', () => {
    const { x, y } = conditionedProblem(3001, 7, 3, { seed: 2 });
    const sol = fit(x, y, 3001, 7);
    const ref = referenceFit(x, y, 3001, 7, true);
    expect(relErr(sol.params.weights, ref.w)).toBeLessThan(1e-13);
    expect(Math.abs(sol.params.bias[0] - ref.b)).toBeLessThan(1e-13);
    expect(sol.rank).toBe(8);
    expect(sol.collinear).toEqual([]);
    expect(sol.method).toBe('qr');
  });

  it('agrees to ~1e-13 on float32 data too (the same stored values, solved in f64)', () => {
    const { x, y } = conditionedProblem(2000, 5, 2, { seed: 3 });
    const x32 = Float32Array.from(x);
    const sol = fit(x32, y, 2000, 5);
    const ref = referenceFit(x32, y, 2000, 5, true);
    expect(relErr(sol.params.weights, ref.w)).toBeLessThan(1e-13);
  });

  it.each([1e4, 1e6, 1e8])('κ = %g: agreement within 50·u·(κ + κ²·‖r‖/(‖A‖‖w‖)), κ estimated within a factor 2', (kappa) => {
    const rows = 2000, d = 6;
    const { x, y } = conditionedProblem(rows, d, kappa, { seed: 5, noise: 1e-6 });
    const sol = fit(x, y, rows, d);
    const ref = referenceFit(x, y, rows, d, true);
    const trueKappa = standardizedCondition(x, rows, d, true);
    expect(sol.condition).toBeGreaterThan(trueKappa / 2);
    expect(sol.condition).toBeLessThan(trueKappa * 2);
    // Perturbation theory for least squares (Higham, Accuracy and Stability, §20.1): both solutions err by this.
    let a2 = 0;
    for (const v of x) a2 += v * v;
    const rnorm = Math.sqrt(sol.loss * rows);
    const wnorm = Math.hypot(...ref.w);
    const bound = 50 * U64 * (trueKappa + (trueKappa ** 2 * rnorm) / (Math.sqrt(a2) * wnorm));
    const err = relErr(sol.params.weights, ref.w);
    console.log(`κ = ${trueKappa.toExponential(2)} (estimated ${sol.condition.toExponential(2)}): relative difference ${err.toExponential(2)}, bound ${bound.toExponential(2)}`);
    expect(err).toBeLessThan(bound);
    expect(sol.rank).toBe(d + 1);
  });

  it('reports exact collinearity: rank, the column set aside and the relation, not NaN', () => {
    const rng = new Rng(7);
    const rows = 500, d = 4;
    const x = new Float32Array(rows * d);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1), c = rng.uniform(-1, 1);
      x.set([a, b, a + 2 * b, c], r * d);
      y[r] = 1 + a - b + 0.5 * c + 0.01 * rng.normal();
    }
    const sol = fit(x, y, rows, d);
    expect(sol.rank).toBe(4);
    expect(sol.columns).toBe(5);
    expect(sol.collinear).toHaveLength(1);
    const c = sol.collinear[0];
    expect(c.column).toBe(2);
    expect(c.constant).toBe(false);
    const coef = Object.fromEntries(c.with.map((t) => [t.column, t.coef]));
    expect(coef[1]).toBeCloseTo(2, 5);
    expect(coef[0]).toBeCloseTo(1, 5);
    expect(sol.params.weights[2]).toBe(0);
    expect([...sol.params.weights].every(Number.isFinite)).toBe(true);
    // The fit is the least-squares fit on the other columns.
    const keep = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) keep.set([x[r * d], x[r * d + 1], x[r * d + 3]], r * 3);
    const ref = referenceFit(keep, y, rows, 3, true);
    expect(relErr([sol.params.weights[0], sol.params.weights[1], sol.params.weights[3]], ref.w)).toBeLessThan(1e-10);
    expect(Number.isFinite(sol.condition)).toBe(true);
  });

  it('names a constant column (collinear with the intercept) and a zero column without one', () => {
    const rows = 300;
    const rng = new Rng(9);
    const x = new Float32Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      x[r * 2] = rng.uniform(-1, 1);
      x[r * 2 + 1] = 3;
      y[r] = 2 * x[r * 2] + 1;
    }
    const sol = fit(x, y, rows, 2);
    expect(sol.collinear).toEqual([{ column: 1, with: [], constant: true }]);
    expect(sol.params.weights[0]).toBeCloseTo(2, 10);
    expect(sol.params.bias[0]).toBeCloseTo(1, 10);
    for (let r = 0; r < rows; r++) x[r * 2 + 1] = 0;
    const none = fit(x, y.map((v) => v - 1), rows, 2, false);
    expect(none.collinear).toEqual([{ column: 1, with: [], constant: true }]);
    expect(none.params.weights[0]).toBeCloseTo(2, 10);
  });

  it('fits without an intercept (through the origin), with y = β·x and x in 60…70', () => {
    const rng = new Rng(11);
    const rows = 400;
    const x = new Float64Array(rows).map(() => rng.uniform(60, 70));
    const y = x.map((v) => 1.0021 * v + 0.05 * rng.normal());
    const sol = fit(x, y, rows, 1, false);
    const ref = referenceFit(x, y, rows, 1, false);
    expect(Math.abs(sol.params.weights[0] - ref.w[0]) / ref.w[0]).toBeLessThan(1e-14);
    expect(sol.params.bias[0]).toBe(0);
    expect(sol.rank).toBe(1);
  });

  it.each([Float32Array, Float64Array])('columns with means 1e6 times their spread (%o)', (T) => {
    const { x, y } = conditionedProblem(3000, 3, 5, { seed: 13, mean: 1e6, noise: 0.1 });
    const xs = T.from(x);
    const sol = fit(xs, y, 3000, 3);
    const ref = referenceFit(xs, y, 3000, 3, true);
    expect(relErr(sol.params.weights, ref.w)).toBeLessThan(1e-9);
    expect(Math.abs(sol.params.bias[0] - ref.b) / Math.abs(ref.b)).toBeLessThan(1e-8);
    expect(sol.rank).toBe(4);
    expect(sol.condition).toBeLessThan(100);
  });

  it('ridge: matches the closed form, in original and in standardized units', () => {
    const { x, y } = conditionedProblem(800, 4, 100, { seed: 17 });
    const alpha = 0.05;
    const sol = fit(x, y, 800, 4, true, 333, { alpha });
    const ref = weightedLeastSquares({ x, y, rows: 800, d: 4 }, new Float64Array(800).fill(1), (800 * alpha) / 2);
    expect(relErr(sol.params.weights, ref.w)).toBeLessThan(1e-12);
    expect(Math.abs(sol.params.bias[0] - ref.b)).toBeLessThan(1e-12);
    // Standardized: the penalty is on w/s; solve the closed form on the standardized features and map back.
    const mean = Float64Array.of(0.1, -0.2, 0.3, 0), invStd = Float64Array.of(2, 0.5, 1.5, 3);
    const xs = x.map((v, i) => (v - mean[i % 4]) * invStd[i % 4]);
    const refS = weightedLeastSquares({ x: xs, y, rows: 800, d: 4 }, new Float64Array(800).fill(1), (800 * alpha) / 2);
    const solS = fit(x, y, 800, 4, true, 333, { alpha, standardize: { mean, invStd } });
    expect(relErr(solS.params.weights, Array.from(refS.w, (w, j) => w * invStd[j]))).toBeLessThan(1e-12);
  });

  it('the optimality gap is exact: objective from R equals the objective summed over the rows', () => {
    const { x, y } = conditionedProblem(1000, 3, 10, { seed: 19, noise: 0.3 });
    for (const alpha of [0, 0.1]) {
      const sol = fit(x, y, 1000, 3, true, 100, { alpha });
      expect(gapOf(sol, sol.params).gap).toBeLessThan(1e-14);
      const p = { weights: sol.params.weights.map((w, j) => w + 0.01 * (j + 1)), bias: Float64Array.of(sol.params.bias[0] - 0.02) };
      let sum = 0;
      for (let r = 0; r < 1000; r++) {
        let z = p.bias[0];
        for (let j = 0; j < 3; j++) z += x[r * 3 + j] * p.weights[j];
        sum += (z - y[r]) ** 2;
      }
      const objective = sum / 1000 + (alpha / 2) * p.weights.reduce((s, w) => s + w * w, 0);
      const g = gapOf(sol, p);
      expect(g.excess).toBeCloseTo(objective - sol.objective, 12);
      expect(g.gap).toBeCloseTo((objective - sol.objective) / sol.objective, 9);
    }
  });

  it('the preconditioner is the Newton step: steps of rate 1 land on the optimum (κ = 1e5, one step per digit lost)', () => {
    const { x, y } = conditionedProblem(1500, 4, 1e5, { seed: 23, mean: 3 });
    for (const [alpha, standardize] of [[0, undefined], [0.01, undefined], [0, { mean: Float64Array.of(3, 3, 3, 3), invStd: Float64Array.of(1, 2, 3, 4) }]] as const) {
      const sol = fit(x, y, 1500, 4, true, 500, { alpha, standardize });
      const pre = preconditioner(sol, 2);
      const s = standardize ?? { mean: new Float64Array(4), invStd: new Float64Array(4).fill(1) };
      // Model-unit parameters (b, w'); the mean gradient of mean (z − y)² + α/2·‖w'‖² from the residuals.
      const theta = new Float64Array(5);
      const errors: number[] = [];
      for (let step = 0; step < 3; step++) {
        const g = new Float64Array(5);
        for (let r = 0; r < 1500; r++) {
          let z = theta[0];
          for (let j = 0; j < 4; j++) z += theta[j + 1] * (x[r * 4 + j] - s.mean[j]) * s.invStd[j];
          const e = z - y[r];
          g[0] += (2 * e) / 1500;
          for (let j = 0; j < 4; j++) g[j + 1] += (2 * e * (x[r * 4 + j] - s.mean[j]) * s.invStd[j]) / 1500;
        }
        for (let j = 0; j < 4; j++) g[j + 1] += alpha * theta[j + 1];
        const d = pre(g);
        for (let i = 0; i < 5; i++) theta[i] -= d[i];
        errors.push(relErr(Array.from({ length: 4 }, (_, j) => theta[j + 1] * s.invStd[j]), sol.params.weights));
      }
      // The first step from zero carries the gradient's rounding times κ² (its residuals are y itself).
      expect(errors[0]).toBeLessThan(1e-3);
      // Later steps start near the optimum: κ·u plus κ²·u·‖r‖/(‖A‖‖w‖) (here ≈ 5e-9) is what f64 residuals allow.
      expect(errors[2]).toBeLessThan(1e-8);
    }
  });

  it('solverGram picks [1, x, y] out of a Gram of (x, y, 1)', () => {
    const g = Float64Array.from({ length: 16 }, (_, k) => Math.floor(k / 4) * 100 + (k % 4));
    // Columns of the input: x1 → 0, x2 → 1, y → 2, 1 → 3.
    expect([...solverGram(g, 2, true)]).toEqual([303, 300, 301, 302, 3, 0, 1, 2, 103, 100, 101, 102, 203, 200, 201, 202]);
    expect([...solverGram(g, 2, false)]).toEqual([0, 1, 2, 100, 101, 102, 200, 201, 202]);
  });

  it('a Gram factor gives the same solution as the QR factor on well-conditioned data', () => {
    const { x, y } = conditionedProblem(1000, 3, 2, { seed: 29 });
    const qr = fit(x, y, 1000, 3);
    const f = qr.factor;
    const g = new Float64Array(f.p * f.p);
    for (let i = 0; i < f.p; i++) for (let j = 0; j < f.p; j++) for (let k = 0; k <= Math.min(i, j); k++) g[i * f.p + j] += f.r[k * f.p + i] * f.r[k * f.p + j];
    const sol = solveFactor(factorFromGram(g, { ...f, relError: 1e-15 }));
    expect(relErr(sol.params.weights, qr.params.weights)).toBeLessThan(1e-12);
    expect(sol.method).toBe('gram');
  });
});
