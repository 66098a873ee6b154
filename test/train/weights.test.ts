// Sample weights and offsets on every backend of the test matrix (WebGPU: a loss of each kind, WEBGPU_LOSSES), every
// registered loss and every solver that fits it: integer weights train exactly what replicating each row that many times trains (weight 0 = the row dropped) —
// full-batch gradient descent step for step (with weighted standardization), the other solvers to the same optimum —
// and a constant offset c is a bias shifted by −c. Mini-batches with weights and offsets, shuffled, follow the f64
// reference on every backend; streamed weighted rows with a holdout reach the resident run's optimum.
import { describe, expect, it } from 'vitest';
import { allclose } from '../../src/core/allclose';
import type { Dataset, HostChunk } from '../../src/core/dataset';
import { LOSSES, lossHp, type LossKind } from '../../src/core/losses';
import { memoryOracle, withPenalty } from '../../src/core/solver/oracle';
import { solversFor, type SolverKind } from '../../src/core/solver/options';
import { Rng } from '../../src/core/rng';
import { linearDataset } from '../../src/data/synthetic';
import { blobsDataset, classesDataset } from '../../src/data/synthetic_classes';
import { rowBytes, type TrainOptions } from '../../src/train/plan';
import type { TrainResult } from '../../src/train/report';
import { train } from '../../src/train/train';
import { ALL_LOSSES, reference, SCALAR_LOSSES, TOLERANCE, useBackends, type BackendCase } from '../helpers/matrix';
import { sparseAndDense } from '../helpers/sparse';

const BACKENDS = useBackends();
const ALPHA = 0.02;

/** A small seeded problem of a loss's task (targets in the loss's domain). */
function lossProblem(loss: LossKind, rows = 180): Dataset {
  const unit = LOSSES[loss];
  if (unit.task === 'binary') return classesDataset({ rows, features: 3, classes: 2, seed: 42 });
  if (unit.task === 'multiclass') return blobsDataset({ rows, features: 3, classes: 3, seed: 43, spread: 1 });
  const truth = { weights: Float64Array.of(0.6, -0.4, 0.3), bias: Float64Array.of(0.2) };
  const ds = linearDataset({ rows, features: 3, noise: 0.3, seed: 41, truth });
  if (unit.checkTarget && unit.checkTarget(-0.5) !== null) for (const c of ds.chunks) for (let i = 0; i < c.rows; i++) c.y[i] = Math.exp(c.y[i]);
  return ds;
}

/** The dataset with per-row values: integer weights 0…3 (seeded), offsets when asked for. */
function weighted(ds: Dataset, seed: number, offsets = false): Dataset {
  const rng = new Rng(seed);
  const chunks = ds.chunks.map((c): HostChunk => ({
    ...c, w: Float32Array.from({ length: c.rows }, () => Math.floor(rng.float24() * 4)),
    ...(offsets ? { o: Float32Array.from({ length: c.rows }, () => 0.5 * rng.float24() - 0.25) } : {}),
  }));
  return { ...ds, chunks };
}

/** Every row repeated w times (w = 0: dropped), offsets kept with their rows, no weights. */
function replicated(ds: Dataset): Dataset {
  const d = ds.features.length;
  const x: number[] = [];
  const y: number[] = [];
  const o: number[] = [];
  for (const c of ds.chunks) {
    for (let i = 0; i < c.rows; i++) {
      for (let k = 0; k < c.w![i]; k++) {
        x.push(...c.x.subarray(i * d, (i + 1) * d));
        y.push(c.y[i]);
        if (c.o) o.push(c.o[i]);
      }
    }
  }
  const chunk: HostChunk = { rows: y.length, x: Float32Array.from(x), y: Float32Array.from(y), ...(o.length ? { o: Float32Array.from(o) } : {}) };
  return { features: ds.features, target: ds.target, rows: y.length, chunks: [chunk] };
}

/** The objective (weighted mean loss + α/2·‖w‖²) at trained parameters, in f64 over the weighted rows. */
async function objectiveAt(ds: Dataset, loss: LossKind, r: TrainResult): Promise<number> {
  const d = ds.features.length;
  const c = ds.chunks[0];
  const k = r.params.bias.length;
  const rows = { n: c.rows, d, x: c.x, y: c.y, w: c.w, offset: c.o };
  const o = withPenalty(memoryOracle(rows, LOSSES[loss], lossHp(loss), k), ALPHA);
  // Class targets: the label → the run's class index (labels are the class numbers here).
  if (r.classes) rows.y = Float32Array.from(c.y, (t) => r.classes!.indexOf(String(t)));
  return (await o.evaluate(Float64Array.of(...r.params.weights, ...r.params.bias), 0)).f;
}

const params = (r: TrainResult) => [...r.params.weights, ...r.params.bias];
const tolerance = (b: BackendCase) => (b.precision === 'f64' ? TOLERANCE.f64 : TOLERANCE.train);

/** Each loss with the solvers that fit it under an L2 penalty (softmax Newton has no WebGPU Hessian pass). */
const CASES: [LossKind, SolverKind][] = ALL_LOSSES.flatMap((loss) => solversFor(loss, 'l2').map((s): [LossKind, SolverKind] => [loss, s]));
/**
 * The losses WebGPU runs here: every scalar loss weighs and offsets its rows in one shared part (parts/row_values.wgsl),
 * so one of each link (identity, log, logit), a non-smooth one and softmax (its own kernel) cover the kernels while
 * keeping lavapipe's shader compiles few.
 */
const WEBGPU_LOSSES = new Set<LossKind>(['squared', 'quantile', 'poisson', 'logistic', 'softmax']);
const lossesOf = (b: BackendCase, losses: readonly LossKind[]) => (b.kind === 'webgpu' ? losses.filter((l) => WEBGPU_LOSSES.has(l)) : [...losses]);

describe.each(BACKENDS)('%s: integer sample weights train what replicated rows train (weight 0: the row dropped)', (b) => {
  it.each(CASES.filter(([l]) => lossesOf(b, [l]).length))('%s by --solver %s', async (loss, solver) => {
    // No softmax Hessian pass on WebGPU; softmax by L-BFGS there would add a minute of lavapipe compiles to what gd checks.
    if (b.kind === 'webgpu' && solver !== 'gd' && LOSSES[loss].task === 'multiclass') return;
    const ds = weighted(lossProblem(loss), 7);
    const rep = replicated(ds);
    const gd = solver === 'gd';
    const o: TrainOptions = gd
      ? { loss, penalty: 'l2', alpha: ALPHA, batch: Infinity, epochs: 25, lr: 0.05, standardize: true }
      : { loss, penalty: 'l2', alpha: ALPHA, solver, ...(solver === 'exact' ? {} : { maxIter: 1000, solverTol: b.precision === 'f64' ? 1e-13 : 1e-10 }) };
    const got = await train(b.backend(), ds, o);
    const want = await train(b.backend(), rep, o);
    expect(got.rows).toBe(ds.rows);
    expect(want.rows).toBe(rep.rows);
    const { atol, rtol } = tolerance(b);
    if (gd || solver === 'exact') {
      // Full-batch steps: Σ w·g / Σ w is the replicated rows' mean gradient, step for step.
      const c = allclose(params(got), params(want), atol, rtol);
      expect(c.ok, `parameters: ${c.message}`).toBe(true);
      const l = allclose([...got.epochs.map((e) => e.loss), got.final.loss], [...want.epochs.map((e) => e.loss), want.final.loss], atol, rtol);
      expect(l.ok, `epoch and final (weighted mean) losses: ${l.message}`).toBe(true);
      return;
    }
    // Other solvers stop within their tolerance of one optimum: both reach the same objective.
    const [fg, fw] = [await objectiveAt(ds, loss, got), await objectiveAt(ds, loss, want)];
    expect(Math.abs(fg - fw) / Math.abs(fw), `objective ${fg} (weighted) vs ${fw} (replicated)`).toBeLessThan(b.precision === 'f64' || solver === 'dcd' || solver === 'smoothing' ? 1e-9 : 1e-6);
    // The backend's final loss is the weighted mean loss at its parameters (f64 here: the objective less the penalty).
    const pen = (ALPHA / 2) * [...got.params.weights].reduce((a, v) => a + v * v, 0);
    expect(Math.abs(got.final.loss - (fg - pen)) / Math.abs(fg - pen), 'the final weighted mean loss').toBeLessThan(b.precision === 'f64' ? 1e-12 : 1e-5);
  });
});

describe.each(BACKENDS)('%s: an offset of constant c is the bias shifted by −c', (b) => {
  it.each(lossesOf(b, SCALAR_LOSSES))('%s', async (loss) => {
    const c = 0.375; // exact in float32, as the offsets are stored
    const ds = lossProblem(loss);
    const shifted: Dataset = { ...ds, chunks: ds.chunks.map((ch) => ({ ...ch, o: new Float32Array(ch.rows).fill(c) })) };
    const o: TrainOptions = { loss, penalty: 'l2', alpha: ALPHA, batch: Infinity, epochs: 25, lr: 0.05 };
    const plain = await train(b.backend(), ds, o);
    // From the same outputs z: the offset run starts with its bias at −c.
    const got = await train(b.backend(), shifted, { ...o, init: { weights: new Float64Array(3), bias: Float64Array.of(-c) } });
    const { atol, rtol } = tolerance(b);
    const w = allclose([...got.params.weights, got.params.bias[0] + c], params(plain), atol, rtol);
    expect(w.ok, `weights and bias + c: ${w.message}`).toBe(true);
    expect(Math.abs(got.final.loss - plain.final.loss)).toBeLessThanOrEqual(atol + rtol * Math.abs(plain.final.loss));
  });
});

/** Mini-batch runs of a loss on weighted rows with offsets (none for softmax): shuffled, so the permuted gathers carry them. */
const BATCHES = { epochs: 3, batch: 24, lr: 0.05, seed: 9, standardize: true } satisfies TrainOptions;
const batchData = new Map<LossKind, Dataset>();
const batchRuns = new Map<LossKind, Promise<TrainResult>>();
function referenceBatches(loss: LossKind): Promise<TrainResult> {
  if (!batchData.has(loss)) batchData.set(loss, weighted(lossProblem(loss, 240), 11, LOSSES[loss].task !== 'multiclass'));
  if (!batchRuns.has(loss)) batchRuns.set(loss, train(reference, batchData.get(loss)!, { ...BATCHES, loss }));
  return batchRuns.get(loss)!;
}

describe.each(BACKENDS)('%s: shuffled mini-batches of weighted rows with offsets follow the f64 reference', (b) => {
  it.each(lossesOf(b, ALL_LOSSES))('%s', async (loss) => {
    const want = await referenceBatches(loss);
    const got = await train(b.backend(), batchData.get(loss)!, { ...BATCHES, loss });
    const { atol, rtol } = tolerance(b);
    const w = allclose(params(got), params(want), atol, rtol);
    expect(w.ok, `weights: ${w.message}`).toBe(true);
    const l = allclose([...got.epochs.map((e) => e.loss), got.final.loss], [...want.epochs.map((e) => e.loss), want.final.loss], atol, rtol);
    expect(l.ok, `losses: ${l.message}`).toBe(true);
  });
});

describe('weighted rows streamed with a holdout', () => {
  it.each(useBackends(['reference', 'cpu (3 threads)']))('%s: Newton on streamed chunks reaches the resident optimum, held-out rows and metrics alike', async (b) => {
    const ds = weighted(lossProblem('poisson', 600), 13, true);
    // 400 rows of budget: the 450 training rows stream, the 150 held out (half the budget at most) stay resident.
    const o: TrainOptions = { loss: 'poisson', penalty: 'l2', alpha: ALPHA, solver: 'newton', validation: 0.25, seed: 4 };
    const resident = await train(b.backend(), ds, o);
    const streamed = await train(b.backend(), ds, { ...o, memoryBudget: 400 * rowBytes(3), chunkRows: 50 });
    expect(resident.streamed).toBe(false);
    expect(streamed.streamed).toBe(true);
    expect(streamed.validationRows).toBe(resident.validationRows);
    const { atol, rtol } = b.precision === 'f64' ? { atol: 1e-9, rtol: 1e-9 } : TOLERANCE.train;
    const c = allclose(params(streamed), params(resident), atol, rtol);
    expect(c.ok, c.message).toBe(true);
    for (const key of ['loss', 'mse', 'r2'] as const) {
      const at = (m: unknown) => (m as Record<string, number>)[key];
      expect(at(streamed.validation)).toBeCloseTo(at(resident.validation), 6);
      expect(at(streamed.final)).toBeCloseTo(at(resident.final), 6);
    }
  });
});

describe('weighted metrics and refusals', () => {
  it('the final loss is Σ w·L / Σ w at the trained parameters, and a row of weight 0 counts as a row', async () => {
    const ds = weighted(lossProblem('logistic'), 17, true);
    const r = await train(reference, ds, { loss: 'logistic', penalty: 'l2', alpha: ALPHA, solver: 'newton' });
    const f = await objectiveAt(ds, 'logistic', r);
    const pen = (ALPHA / 2) * [...r.params.weights].reduce((a, v) => a + v * v, 0);
    expect(r.final.loss).toBeCloseTo(f - pen, 12);
    expect(r.final.rows).toBe(ds.rows);
  });

  it('weights that are all 0 leave nothing to fit; a negative weight is refused with its row', async () => {
    const ds = lossProblem('squared', 30);
    const zero: Dataset = { ...ds, chunks: ds.chunks.map((c) => ({ ...c, w: new Float32Array(c.rows) })) };
    await expect(train(reference, zero, { epochs: 1 })).rejects.toThrow(/every sample weight of the training rows is 0/);
    const bad: Dataset = { ...ds, chunks: ds.chunks.map((c) => ({ ...c, w: Float32Array.from({ length: c.rows }, (_, i) => (i === 4 ? -1 : 1)) })) };
    await expect(train(reference, bad, { epochs: 1 })).rejects.toThrow(/row 5 \(column "w"\): a sample weight must be a finite number ≥ 0, got -1/);
  });

  it('a weight column by name is taken out of the features; an offset on softmax and class weights on regression are refused', async () => {
    const ds = lossProblem('squared', 40);
    // x2 made ≥ 0, to serve as weights.
    const pos: Dataset = { ...ds, chunks: ds.chunks.map((c) => ({ ...c, x: c.x.map((v, i) => (i % 3 === 1 ? Math.abs(v) : v)) })) };
    const r = await train(reference, pos, { weight: 'x2', epochs: 2 });
    expect(r.features).toEqual(['x1', 'x3']);
    await expect(train(reference, ds, { weight: 'nope' })).rejects.toThrow(/--weight: there is no column "nope" among the features \(x1, x2, x3\)/);
    await expect(train(reference, lossProblem('softmax', 40), { loss: 'softmax', offset: 'x1' })).rejects.toThrow(/--loss softmax takes no offset/);
    await expect(train(reference, ds, { classWeight: 'balanced' })).rejects.toThrow(/--class-weight does not apply here: class weights are for the classification losses/);
  });

  it('sample weights or offsets beside a sparse block (categorical or svmlight features) are refused, never ignored', async () => {
    const { sparse } = sparseAndDense({ rows: 40, dense: 2, width: 9, perRow: 2, kind: 'onehot', task: 'regression', chunkRows: 16 });
    const not = (o: string) => new RegExp(`--${o} is not supported with categorical/sparse features yet`);
    await expect(train(reference, sparse, { weight: 'x1', epochs: 1 })).rejects.toThrow(not('weight'));
    await expect(train(reference, sparse, { offset: 'x2', epochs: 1 })).rejects.toThrow(not('offset'));
    const own: Dataset = { ...sparse, chunks: sparse.chunks.map((c) => ({ ...c, w: new Float32Array(c.rows).fill(1) })) };
    await expect(train(reference, own, { epochs: 1 })).rejects.toThrow(not('weight'));
  });
});
