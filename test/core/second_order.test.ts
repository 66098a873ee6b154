// The solvers on f64 rows in memory (src/core/solver): Newton's method and L-BFGS reach the independent optima of
// test/helpers/oracles.ts (logistic + L2 by its own Newton iteration, ridge by its closed form), OWL-QN the lasso's
// coordinate-descent optimum with the same zeros, softmax and Poisson agree between Newton and L-BFGS, and the
// Newton decrement shrinks quadratically near the optimum.
import { describe, expect, it } from 'vitest';
import { LOSSES, lossHp } from '../../src/core/losses';
import { lbfgs } from '../../src/core/solver/lbfgs';
import { newton } from '../../src/core/solver/newton';
import { memoryOracle, withPenalty, type MemoryRows } from '../../src/core/solver/oracle';
import { linearDataset } from '../../src/data/synthetic';
import { blobsDataset, classesDataset } from '../../src/data/synthetic_classes';
import { lasso, logisticNewton, problemOf, ridge, type Problem } from '../helpers/oracles';

const rowsOf = (p: Problem): MemoryRows => ({ n: p.rows, d: p.d, x: p.x, y: p.y });
const opts = { maxIter: 200, tol: 1e-13 };
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('Newton and L-BFGS on rows in memory', () => {
  const binary = problemOf(classesDataset({ rows: 1500, features: 5, classes: 2, seed: 8, scale: 1.5 }));
  const linear = problemOf(linearDataset({ rows: 800, features: 6, noise: 0.2, seed: 9, truth: { weights: Float64Array.of(1.5, 0, -2, 0, 0.02, 0.8), bias: Float64Array.of(0.5) } }));

  it('logistic + L2: both reach the independent Newton optimum (1e-9)', async () => {
    const alpha = 0.01;
    const want = logisticNewton(binary, alpha);
    const o = withPenalty(memoryOracle(rowsOf(binary), LOSSES.logistic, lossHp('logistic'), 1), alpha);
    const zero = new Float64Array(o.size);
    const n = await newton(o, zero, opts);
    const l = await lbfgs(o, zero, { ...opts, history: 10 });
    for (const r of [n, l]) {
      expect(maxDiff(r.theta.subarray(0, 5), want.w), r.reason).toBeLessThan(1e-7);
      expect(Math.abs(r.theta[5] - want.b)).toBeLessThan(1e-7);
    }
    expect(n.converged).toBe(true);
    expect(n.iterations.length).toBeLessThan(12);
    // Quadratic convergence: each decrement at most a fraction of the previous one's square root… shrinking fast.
    const dec = n.iterations.map((i) => i.decrement);
    expect(dec.at(-1)!).toBeLessThan(1e-8 * dec[0]);
    expect(n.passes).toBeLessThanOrEqual(n.iterations.length + 4);
  });

  it('ridge: Newton lands on the closed form in one step', async () => {
    const alpha = 0.05;
    const want = ridge(linear, alpha);
    const o = withPenalty(memoryOracle(rowsOf(linear), LOSSES.squared, lossHp('squared'), 1), alpha);
    const r = await newton(o, new Float64Array(o.size), opts);
    expect(maxDiff(r.theta.subarray(0, 6), want.w)).toBeLessThan(1e-10);
    expect(r.iterations.length).toBeLessThanOrEqual(2);
  });

  it('lasso by OWL-QN: the coordinate-descent optimum with its exact zeros', async () => {
    const alpha = 0.05;
    const want = lasso(linear, alpha);
    const o = memoryOracle(rowsOf(linear), LOSSES.squared, lossHp('squared'), 1);
    const r = await lbfgs(o, new Float64Array(o.size), { ...opts, history: 10, l1: alpha });
    expect(maxDiff(r.theta.subarray(0, 6), want.w), r.reason).toBeLessThan(1e-7);
    expect([...r.theta.subarray(0, 6)].map((w) => w === 0)).toEqual([...want.w].map((w) => w === 0));
  });

  it('softmax + L2 and Poisson + L2: Newton and L-BFGS agree on the optimum', async () => {
    const blobs = problemOf(blobsDataset({ rows: 600, features: 3, classes: 4, seed: 3, spread: 1.5 }));
    const so = withPenalty(memoryOracle(rowsOf(blobs), LOSSES.softmax, lossHp('softmax'), 4), 0.02);
    const [sn, sl] = [await newton(so, new Float64Array(so.size), opts), await lbfgs(so, new Float64Array(so.size), { ...opts, history: 10 })];
    expect(Math.abs(sn.objective - sl.objective) / sn.objective).toBeLessThan(1e-10);
    expect(maxDiff(sn.theta.subarray(0, 12), sl.theta.subarray(0, 12))).toBeLessThan(1e-5);
    // Unpenalized softmax biases are defined up to a common shift (the probabilities do not change).
    const centered = (b: Float64Array) => b.map((v) => v - b.reduce((a, x) => a + x, 0) / b.length);
    expect(maxDiff(centered(sn.theta.slice(12)), centered(sl.theta.slice(12)))).toBeLessThan(1e-5);
    const counts = { ...linear, y: linear.y.map((v) => Math.round(Math.exp(0.3 * v))) };
    const po = withPenalty(memoryOracle(rowsOf(counts), LOSSES.poisson, lossHp('poisson'), 1), 0.01);
    const [pn, pl] = [await newton(po, new Float64Array(po.size), opts), await lbfgs(po, new Float64Array(po.size), { ...opts, history: 10 })];
    expect(Math.abs(pn.objective - pl.objective) / Math.abs(pn.objective)).toBeLessThan(1e-10);
    expect(maxDiff(pn.theta, pl.theta)).toBeLessThan(1e-5);
  });
});
