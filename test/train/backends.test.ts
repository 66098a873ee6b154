// End to end on every backend of the test matrix (test/helpers/matrix.ts: the f64 reference, the fast CPU backend on
// 1 and 3 threads, WebGPU). Every registered loss trains a small seeded problem of its task and matches the f64
// reference's run with the same options, so a new loss is covered without new test code. Each penalized objective is
// also compared with an independent f64 solution computed here (test/helpers/oracles.ts) — ridge by its closed form,
// lasso by coordinate descent (same zero pattern), logistic + L2 by Newton's method, the Huber M-estimate by IRLS on
// data with 5% gross outliers (where squared loss is pulled away), median regression by IRLS on Laplace noise,
// softmax accuracy on separable blobs — and hinge and logistic give different weights everywhere.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import type { Dataset } from '../../src/core/dataset';
import { LOSSES, type LossKind } from '../../src/core/losses';
import type { ClassificationMetrics } from '../../src/core/metrics';
import { Rng } from '../../src/core/rng';
import { linearDataset } from '../../src/data/synthetic';
import { blobsDataset, classesDataset, outlierChunks } from '../../src/data/synthetic_classes';
import { train } from '../../src/train/train';
import { type TrainOptions } from '../../src/train/plan';
import { type TrainResult } from '../../src/train/report';
import { ALL_LOSSES, reference, TOLERANCE, useBackends } from '../helpers/matrix';
import { huberIrls, lasso, leastSquaresNoBias, logisticNewton, medianRegression, problemOf, ridge, weightedLeastSquares } from '../helpers/oracles';

const BACKENDS = useBackends();

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const full = (o: Omit<TrainOptions, 'batch'>): TrainOptions => ({ batch: Infinity, skipFinalMetrics: false, ...o });

const sparseTruth = { weights: Float64Array.of(1.5, 0, -2, 0, 0.02, 0.8), bias: Float64Array.of(0.5) };
const linear = linearDataset({ rows: 2000, features: 6, noise: 0.1, seed: 11, truth: sparseTruth });
const binary = classesDataset({ rows: 3000, features: 4, classes: 2, seed: 12, scale: 1.5 });
const blobs = blobsDataset({ rows: 3000, features: 4, classes: 5, seed: 13, spread: 0.4 });
const outlierTruth = { weights: Float64Array.of(1, -2, 0.5), bias: Float64Array.of(1) };
const outliers: Dataset = (() => {
  const chunks = [...outlierChunks({ rows: 2000, features: 3, noise: 0.3, seed: 14, truth: outlierTruth, outliers: 0.05 })];
  return { features: ['x1', 'x2', 'x3'], target: 'y', rows: 2000, chunks };
})();
const laplace: Dataset = (() => {
  const ds = linearDataset({ rows: 2000, features: 3, noise: 0, seed: 15, truth: outlierTruth });
  const rng = new Rng(16);
  for (const c of ds.chunks) for (let i = 0; i < c.rows; i++) c.y[i] += (rng.float24() < 0.5 ? -1 : 1) * -Math.log(1 - rng.float24()) * 0.5;
  return ds;
})();

describe.each(BACKENDS)('%s against independent f64 solutions', (b) => {
  const run = async (ds: Dataset, o: TrainOptions): Promise<TrainResult> => train(b.backend(), ds, o);

  it('ridge (L2) matches the closed form (XᵀX + nα/2·I)⁻¹Xᵀy', async () => {
    const want = ridge(problemOf(linear), 0.05);
    const r = await run(linear, full({ epochs: 400, lr: 0.5, penalty: 'l2', alpha: 0.05 }));
    expect(maxDiff(r.params.weights, want.w), `${[...r.params.weights]} vs ${[...want.w]}`).toBeLessThan(2e-4);
    expect(Math.abs(r.params.bias[0] - want.b)).toBeLessThan(2e-4);
  });

  it('lasso (L1) matches coordinate descent, exact zeros included', async () => {
    const want = lasso(problemOf(linear), 0.05);
    const r = await run(linear, full({ epochs: 1500, lr: 0.5, penalty: 'l1', alpha: 0.05 }));
    expect(maxDiff(r.params.weights, want.w), `${[...r.params.weights]} vs ${[...want.w]}`).toBeLessThan(5e-4);
    expect([...r.params.weights].map((w) => w === 0)).toEqual([...want.w].map((w) => w === 0));
    expect([...want.w].filter((w) => w === 0).length, 'the oracle itself sets three weights to zero').toBe(3);
  });

  it('logistic with L2 matches Newton\'s method', async () => {
    const want = logisticNewton(problemOf(binary), 0.01);
    const r = await run(binary, full({ epochs: 800, lr: 2, loss: 'logistic', penalty: 'l2', alpha: 0.01 }));
    expect(maxDiff(r.params.weights, want.w), `${[...r.params.weights]} vs ${[...want.w]}`).toBeLessThan(1e-3);
    expect(Math.abs(r.params.bias[0] - want.b)).toBeLessThan(1e-3);
    expect(r.classes).toEqual(['0', '1']);
    expect((r.final as ClassificationMetrics).accuracy).toBeGreaterThan(0.6);
  });

  it('softmax separates Gaussian blobs (accuracy ≥ 99%) and reports a 5 × 5 confusion matrix', async () => {
    const r = await run(blobs, { epochs: 5, batch: 64, lr: 0.05, loss: 'softmax', seed: 3, standardize: true });
    const m = r.final as ClassificationMetrics;
    expect(m.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(m.confusion).toHaveLength(5);
    expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(3000);
    expect(r.params.weights).toHaveLength(5 * 4);
  });

  it('Huber matches the IRLS M-estimate with 5% gross outliers, where squared loss is pulled away', async () => {
    const p = problemOf(outliers);
    const want = huberIrls(p, 0.5);
    const h = await run(outliers, full({ epochs: 1500, lr: 1, loss: 'huber', huberDelta: 0.5 }));
    expect(maxDiff(h.params.weights, want.w), `${[...h.params.weights]} vs ${[...want.w]}`).toBeLessThan(2e-3);
    expect(Math.abs(h.params.bias[0] - want.b)).toBeLessThan(2e-3);
    const ols = weightedLeastSquares(p, new Float64Array(p.rows).fill(1));
    expect(maxDiff(ols.w, outlierTruth.weights), 'squared loss is visibly pulled by the outliers').toBeGreaterThan(0.2);
    expect(maxDiff(h.params.weights, outlierTruth.weights), 'Huber stays near the truth').toBeLessThan(0.05);
  });

  it('quantile τ = 0.5 matches median regression on Laplace noise', async () => {
    const p = problemOf(laplace);
    const want = medianRegression(p);
    const start = weightedLeastSquares(p, new Float64Array(p.rows).fill(1));
    const r = await run(laplace, full({
      epochs: 1500, lr: 0.004, loss: 'quantile', quantile: 0.5, init: { weights: Float64Array.from(start.w), bias: Float64Array.of(start.b) },
    }));
    expect(maxDiff(r.params.weights, want.w), `${[...r.params.weights]} vs ${[...want.w]}`).toBeLessThan(0.01);
    expect(Math.abs(r.params.bias[0] - want.b)).toBeLessThan(0.01);
  });

  it('no bias with standardization scales without centering: least squares through the origin', async () => {
    // x in 60…70 and y = 1.5·x + noise, no intercept (issue 11's report: centering gave weight 1.0, bias −65).
    const rng = new Rng(17);
    const x = Float32Array.from({ length: 500 }, () => 60 + 10 * rng.float24());
    const y = Float32Array.from(x, (v) => 1.5 * v + 0.1 * rng.normal());
    const ds: Dataset = { features: ['x'], target: 'y', rows: 500, chunks: [{ rows: 500, x, y }] };
    const want = leastSquaresNoBias(problemOf(ds));
    const r = await run(ds, full({ epochs: 200, lr: 0.5, fitBias: false, standardize: true }));
    expect(r.params.bias[0]).toBe(0);
    expect([...r.standardization!.mean]).toEqual([0]);
    expect(Math.abs(r.params.weights[0] - want[0])).toBeLessThan(1e-5);
  });

  it('the chosen loss is used: hinge and logistic give different weights, each equal to the reference\'s', async () => {
    const o = { epochs: 3, batch: 50, lr: 0.1, seed: 5 };
    const hinge = await run(binary, { ...o, loss: 'hinge' });
    const logistic = await run(binary, { ...o, loss: 'logistic' });
    expect(maxDiff(hinge.params.weights, logistic.params.weights)).toBeGreaterThan(0.1);
    for (const [r, loss] of [[hinge, 'hinge'], [logistic, 'logistic']] as const) {
      const want = await train(reference, binary, { ...o, loss });
      expect(maxDiff(r.params.weights, want.params.weights), loss).toBeLessThan(1e-3);
    }
  });
});

/**
 * A small seeded problem for a loss, chosen by its task alone: regression rows (targets mapped to exp(y) > 0, a
 * quarter of them 0 where the loss accepts 0, when its checkTarget refuses negative values), two classes from a
 * logistic model, or four Gaussian blobs.
 */
function lossProblem(loss: LossKind): Dataset {
  const unit = LOSSES[loss];
  if (unit.task === 'binary') return classesDataset({ rows: 240, features: 3, classes: 2, seed: 32 });
  if (unit.task === 'multiclass') return blobsDataset({ rows: 240, features: 3, classes: 4, seed: 33, spread: 1 });
  const truth = { weights: Float64Array.of(0.8, -0.5, 0.3), bias: Float64Array.of(0.2) };
  const ds = linearDataset({ rows: 240, features: 3, noise: 0.3, seed: 31, truth });
  if (unit.checkTarget && unit.checkTarget(-0.5) !== null) {
    const rng = new Rng(34);
    const zeros = unit.checkTarget(0) === null;
    for (const c of ds.chunks) for (let i = 0; i < c.rows; i++) c.y[i] = zeros && rng.float24() < 0.25 ? 0 : Math.exp(c.y[i]);
  }
  for (const c of ds.chunks) for (const t of c.y) expect(unit.checkTarget?.(t) ?? null, `${loss}: target ${t}`).toBeNull();
  return ds;
}

/** Few epochs of small batches: ~30 dependent steps each loss's math runs in, cheap on lavapipe (~50 ms an epoch). */
const LOSS_RUN = { epochs: 3, batch: 24, lr: 0.05, seed: 7, standardize: true } satisfies TrainOptions;
const lossData = new Map<LossKind, Dataset>();
const referenceRuns = new Map<LossKind, Promise<TrainResult>>();
/** The f64 reference's run of a loss's problem, the oracle every backend is compared with (computed once). */
function referenceRun(loss: LossKind): Promise<TrainResult> {
  if (!lossData.has(loss)) lossData.set(loss, lossProblem(loss));
  if (!referenceRuns.has(loss)) referenceRuns.set(loss, train(reference, lossData.get(loss)!, { ...LOSS_RUN, loss }));
  return referenceRuns.get(loss)!;
}

describe.each(BACKENDS)('%s trains every registered loss as the f64 reference does', (b) => {
  it.each(ALL_LOSSES)('%s', async (loss) => {
    const want = await referenceRun(loss);
    const got = await train(b.backend(), lossData.get(loss)!, { ...LOSS_RUN, loss });
    // The reference run again agrees to f64 rounding (it repeats exactly); an f32 backend within f32 training's tolerance.
    const { atol, rtol } = b.precision === 'f64' ? TOLERANCE.f64 : TOLERANCE.train;
    expect(got.epochs).toHaveLength(LOSS_RUN.epochs);
    const w = allclose([...got.params.weights, ...got.params.bias], [...want.params.weights, ...want.params.bias], atol, rtol);
    expect(w.ok, `weights: ${w.message}`).toBe(true);
    const losses = allclose([...got.epochs.map((e) => e.loss), got.final.loss], [...want.epochs.map((e) => e.loss), want.final.loss], atol, rtol);
    expect(losses.ok, `epoch and final losses: ${losses.message}`).toBe(true);
    expect(got.epochs[2].loss, 'the loss falls').toBeLessThan(got.epochs[0].loss);
  });
});
