// A model with a sparse block equals the same model trained on the same data expanded densely (the sparse columns
// written as dense ones), on every backend, for every optimizer and penalty (the lazy updates of untouched columns
// are exact), every task, one-hot, signed (hashed) and valued entries, shuffled mini-batches, streaming and a holdout.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend';
import type { Dataset } from '../../src/core/dataset';
import { penaltyHp } from '../../src/core/penalties';
import type { TrainSpec } from '../../src/core/spec';
import { RUNTIME_BYTES, sparseBlockBytes, sparseModelBytes } from '../../src/train/plan';
import { train } from '../../src/train/train';
import { nodeCpuBackend } from '../../src/cpu/simd_node';
import { sparseAndDense, type SparseDataOptions } from '../helpers/sparse';
import { ALL_OPTIMIZERS, ALL_PENALTIES, fastCpu, reference, useBackends } from '../helpers/matrix';

const BASE: SparseDataOptions = { rows: 203, dense: 3, width: 37, perRow: 4, kind: 'onehot', task: 'regression', chunkRows: 64 };
const SPEC: Partial<TrainSpec> = { epochs: 3, batch: 16, lr: 0.05, seed: 3 };

const maxAbsDiff = (a: Float64Array, b: Float64Array): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** A memory budget that leaves `rows` bytes for BASE's rows once its sparse model (SGD, L2) and the program are counted. */
const rowsBudget = (b: Backend, rows: number): number =>
  sparseBlockBytes(b, { width: BASE.width, outputs: 1, optimizer: 'sgd', penalty: 'l2', penaltyHp: penaltyHp('l2', { alpha: 0.01 }), clipNorm: 0 }) + RUNTIME_BYTES + rows;

/** Run options of each view (a memory budget that streams both needs more bytes for the dense one). */
interface Runs {
  sparse?: { memoryBudget?: number; chunkRows?: number };
  dense?: { memoryBudget?: number; chunkRows?: number };
}

async function both(b: Backend, data: { sparse: Dataset; dense: Dataset }, spec: Partial<TrainSpec>, run: Runs = {}) {
  const s = await train(b, data.sparse, { ...SPEC, ...spec, ...run.sparse });
  const d = await train(b, data.dense, { ...SPEC, ...spec, ...run.dense });
  return { s, d, diff: Math.max(maxAbsDiff(s.params.weights, d.params.weights), maxAbsDiff(s.params.bias, d.params.bias)) };
}

describe.each(useBackends(['reference', 'cpu (1 thread)', 'cpu (3 threads)']))('%s: sparse equals dense', (c) => {
  it.each(ALL_OPTIMIZERS)('optimizer %s under every penalty', async (optimizer) => {
    const data = sparseAndDense({ ...BASE, seed: 7 });
    for (const penalty of ALL_PENALTIES) {
      const alpha = penalty === 'none' ? undefined : 0.01;
      const lr = optimizer === 'ftrl' ? 0.5 : SPEC.lr;
      const { diff, s, d } = await both(c.backend(), data, { optimizer, penalty, alpha, lr });
      expect(diff, `${optimizer}/${penalty}`).toBeLessThan(1e-6);
      expect(s.final.loss).toBeCloseTo(d.final.loss, 6);
    }
  });

  it.each([
    ['binary (logistic), signed hash buckets', { task: 'binary', kind: 'signed' }, { loss: 'logistic' }],
    ['multiclass (softmax), valued entries', { task: 'multiclass', kind: 'valued', classes: 3 }, { loss: 'softmax' }],
    ['regression (huber), no bias', { kind: 'valued' }, { loss: 'huber', fitBias: false }],
    ['averaging, clipping and a schedule', {}, { average: true, clipNorm: 0.5, lrSchedule: 'invscaling', penalty: 'elasticnet', alpha: 0.01 }],
    ['no dense columns (svmlight-like)', { dense: 0, kind: 'valued' }, {}],
    // Rows of as many entries each are row records on the fast CPU backend; these stay CSR (simd_sparse_store.ts).
    ['ragged rows, valued', { kind: 'valued', ragged: true }, {}],
    ['ragged rows, signed, L2', { task: 'binary', kind: 'signed', ragged: true }, { loss: 'logistic', penalty: 'l2', alpha: 0.01 }],
  ] as const)('%s', async (_name, o, spec) => {
    const data = sparseAndDense({ ...BASE, ...o } as SparseDataOptions);
    const { diff } = await both(c.backend(), data, spec as Partial<TrainSpec>);
    expect(diff).toBeLessThan(1e-6);
  });

  it('standardizes the dense columns only, as the f64 reference does', async () => {
    const data = sparseAndDense({ ...BASE, kind: 'valued', seed: 11 });
    const spec: Partial<TrainSpec> = { ...SPEC, standardize: true, loss: 'huber', penalty: 'l2', alpha: 0.01 };
    const got = await train(c.backend(), data.sparse, spec);
    const want = await train(reference, data.sparse, spec);
    // f32 rows and sums against f64 over ~40 steps.
    expect(maxAbsDiff(got.params.weights, want.params.weights)).toBeLessThan(c.precision === 'f64' ? 1e-12 : 2e-5);
    expect(got.standardization!.mean.length).toBe(BASE.dense + BASE.width);
  });

  it('streams a sparse source larger than the memory budget, with a holdout', async () => {
    const data = sparseAndDense({ ...BASE, rows: 700, seed: 5 });
    // The same 32-row chunks in both runs (the chunk order and the permutations depend on them).
    const runs = { sparse: { memoryBudget: rowsBudget(c.backend(), 16 << 10), chunkRows: 32 }, dense: { memoryBudget: 96 << 10, chunkRows: 32 } };
    const { s, d, diff } = await both(c.backend(), data, { validation: 0.2, penalty: 'l2', alpha: 0.01 }, runs);
    expect(d.streamed).toBe(true);
    expect(s.streamed).toBe(true);
    expect(s.validationRows).toBeGreaterThan(100);
    expect(diff).toBeLessThan(1e-6);
  });
});

// Steps of many entries: the fast CPU backend's linear step (plain SGD, SGD + L2) after a pass on several threads; the
// rows' dL/dz and the updates in job order, so the weights equal one thread's.
describe('the fast CPU backend\'s linear step after a pass on several threads', () => {
  it.each(['none', 'l2'] as const)('SGD under %s: one thread\'s weights on three, the dense expansion\'s within 1e-6', async (penalty) => {
    // The same chunks of each pass on both (their dense sums are added in chunk order), every job on every thread.
    const [one, three] = [nodeCpuBackend({ threads: 1, minChunkBytes: 0 }), nodeCpuBackend({ threads: 3, minChunkBytes: 0, adapt: false })];
    try {
      // 1024 rows of 8 entries a step.
      const data = sparseAndDense({ ...BASE, rows: 2500, perRow: 8, width: 400, seed: 23, chunkRows: 1000 });
      const spec: Partial<TrainSpec> = { ...SPEC, batch: 1024, epochs: 2, penalty, alpha: penalty === 'none' ? undefined : 0.01 };
      const a = await train(one, data.sparse, spec);
      const b = await train(three, data.sparse, spec);
      expect(Array.from(b.params.weights)).toEqual(Array.from(a.params.weights));
      expect(Array.from(b.params.bias)).toEqual(Array.from(a.params.bias));
      const d = await train(one, data.dense, spec);
      expect(Math.max(maxAbsDiff(a.params.weights, d.params.weights), maxAbsDiff(a.params.bias, d.params.bias))).toBeLessThan(1e-6);
    } finally {
      one.dispose();
      three.dispose();
    }
  });
});

// WebGPU sums each step's rows in f32 on the device (sparse_grad/sparse_scatter) and updates in f64 on the host with
// the shared rule; the oracle is the f64 reference trained on the dense expansion. f32 sums over ~40 steps: 1e-5.
describe.each(useBackends(['webgpu']))('%s: sparse equals the dense expansion on the reference', (c) => {
  const close = async (data: { sparse: Dataset; dense: Dataset }, spec: Partial<TrainSpec>, run: Runs = {}) => {
    const s = await train(c.backend(), data.sparse, { ...SPEC, ...spec, ...run.sparse });
    const d = await train(reference, data.dense, { ...SPEC, ...spec, ...run.dense });
    const diff = Math.max(maxAbsDiff(s.params.weights, d.params.weights), maxAbsDiff(s.params.bias, d.params.bias));
    return { s, d, diff };
  };

  it.each(ALL_OPTIMIZERS)('optimizer %s under every penalty', async (optimizer) => {
    const data = sparseAndDense({ ...BASE, seed: 7 });
    for (const penalty of ALL_PENALTIES) {
      const alpha = penalty === 'none' ? undefined : 0.01;
      const lr = optimizer === 'ftrl' ? 0.5 : SPEC.lr;
      const { diff, s, d } = await close(data, { optimizer, penalty, alpha, lr });
      expect(diff, `${optimizer}/${penalty}`).toBeLessThan(1e-5);
      expect(s.final.loss).toBeCloseTo(d.final.loss, 5);
    }
  });

  it.each([
    ['binary (logistic), signed hash buckets', { task: 'binary', kind: 'signed' }, { loss: 'logistic' }],
    ['multiclass (softmax), valued entries', { task: 'multiclass', kind: 'valued', classes: 3 }, { loss: 'softmax' }],
    ['multiclass (softmax), signed hash buckets, L2 and AdaGrad', { task: 'multiclass', kind: 'signed', classes: 4 }, { loss: 'softmax', optimizer: 'adagrad', penalty: 'l2', alpha: 0.01 }],
    ['regression (huber), valued entries, no bias', { kind: 'valued' }, { loss: 'huber', fitBias: false }],
    ['averaging, clipping and a schedule', {}, { average: true, clipNorm: 0.5, lrSchedule: 'invscaling', penalty: 'elasticnet', alpha: 0.01 }],
    ['no dense columns (svmlight-like)', { dense: 0, kind: 'valued' }, {}],
  ] as const)('%s', async (_name, o, spec) => {
    const data = sparseAndDense({ ...BASE, ...o } as SparseDataOptions);
    const { diff } = await close(data, spec as Partial<TrainSpec>);
    expect(diff).toBeLessThan(1e-5);
  });

  it('standardizes the dense columns only, as the f64 reference does', async () => {
    // The dense expansion would standardize the expanded columns too: the oracle is the reference on the sparse rows.
    const data = sparseAndDense({ ...BASE, kind: 'valued', seed: 11 });
    const spec: Partial<TrainSpec> = { ...SPEC, standardize: true, loss: 'huber', penalty: 'l2', alpha: 0.01 };
    const got = await train(c.backend(), data.sparse, spec);
    const want = await train(reference, data.sparse, spec);
    expect(maxAbsDiff(got.params.weights, want.params.weights)).toBeLessThan(1e-5);
  });

  it('streams a sparse source larger than the memory budget, with a holdout', async () => {
    const data = sparseAndDense({ ...BASE, rows: 700, seed: 5 });
    const runs = { sparse: { memoryBudget: rowsBudget(c.backend(), 16 << 10), chunkRows: 32 }, dense: { memoryBudget: 96 << 10, chunkRows: 32 } };
    const { s, diff } = await close(data, { validation: 0.2, penalty: 'l2', alpha: 0.01 }, runs);
    expect(s.streamed).toBe(true);
    expect(diff).toBeLessThan(1e-5);
  });

  it('evaluates a K-output model on sparse rows as the reference does (accuracy, log-loss, confusion)', async () => {
    const data = sparseAndDense({ ...BASE, task: 'multiclass', kind: 'signed', classes: 3, seed: 13 });
    const spec: Partial<TrainSpec> = { ...SPEC, loss: 'softmax', validation: 0.25 };
    const got = await train(c.backend(), data.sparse, spec);
    const want = await train(reference, data.sparse, spec);
    for (const [g, w] of [[got.final, want.final], [got.validation!, want.validation!]] as const) {
      if (g.task !== 'classification' || w.task !== 'classification') throw new Error('softmax metrics are a classification\'s');
      expect(g.rows).toBe(w.rows);
      expect(g.loss).toBeCloseTo(w.loss, 5);
      expect(g.logLoss!).toBeCloseTo(w.logLoss!, 5);
      expect(g.accuracy).toBe(w.accuracy);
      expect(g.confusion).toEqual(w.confusion);
      expect(g.confusion.length).toBe(3);
    }
  });
});

// L-BFGS (OWL-QN under L1) needs only gradient passes, which every sparse session sums: the sparse rows reach the
// optimum of their dense expansion (found by the f64 reference's L-BFGS on the dense columns).
describe.each(useBackends(['reference', 'cpu (1 thread)', 'webgpu']))('%s: L-BFGS on sparse rows', (c) => {
  it.each([
    ['logistic + L2, signed hash buckets', { task: 'binary', kind: 'signed' }, { loss: 'logistic', penalty: 'l2', alpha: 0.01 }],
    ['logistic + L1 (OWL-QN), one-hot', { task: 'binary', kind: 'onehot' }, { loss: 'logistic', penalty: 'l1', alpha: 0.005 }],
    ['softmax + L2, valued entries', { task: 'multiclass', kind: 'valued', classes: 3 }, { loss: 'softmax', penalty: 'l2', alpha: 0.01 }],
    ['squared + elastic net, no dense columns', { dense: 0, kind: 'valued' }, { loss: 'squared', penalty: 'elasticnet', alpha: 0.01 }],
  ] as const)('%s reaches the dense expansion\'s optimum', async (_name, o, spec) => {
    const data = sparseAndDense({ ...BASE, rows: 300, ...o, seed: 17 } as SparseDataOptions);
    const opts: Partial<TrainSpec> = { ...spec, solver: 'lbfgs', solverTol: 1e-12, maxIter: 500 } as Partial<TrainSpec>;
    const got = await train(c.backend(), data.sparse, opts);
    const want = await train(reference, data.dense, opts);
    expect(got.solve?.converged).toBe(true);
    expect(got.solve!.passes).toBeGreaterThan(2);
    const diff = Math.max(maxAbsDiff(got.params.weights, want.params.weights), maxAbsDiff(got.params.bias, want.params.bias));
    // f64 passes agree to the solver's tolerance; L-BFGS on f32 sums stops where the objective's rounding hides its
    // decrease, a few 1e-3 from the optimum in the flattest directions (the objective itself agrees to 1e-4 below).
    expect(diff).toBeLessThan(c.precision === 'f64' ? 1e-6 : 5e-3);
    expect(got.final.loss).toBeCloseTo(want.final.loss, c.precision === 'f64' ? 9 : 4);
  });

  it('--alpha-path by L-BFGS on sparse rows: the same α\'s and nonzeros as the dense expansion\'s path', async () => {
    const data = sparseAndDense({ ...BASE, rows: 300, task: 'binary', kind: 'onehot', seed: 19 });
    const opts = { loss: 'logistic', penalty: 'l1', solver: 'lbfgs', alphaPath: 6, alphaMinRatio: 0.05, solverTol: 1e-12, maxIter: 500 } as const;
    const got = await train(c.backend(), data.sparse, opts);
    const want = await train(reference, data.dense, opts);
    got.path!.alphas.forEach((a, i) => expect(a / want.path!.alphas[i] - 1).toBeCloseTo(0, c.precision === 'f64' ? 9 : 4));
    expect(got.path!.steps[0].nonzeros).toBe(0);
    if (c.precision === 'f64') expect(got.path!.steps.map((x) => x.nonzeros)).toEqual(want.path!.steps.map((x) => x.nonzeros));
  });

  it('the newton solver is refused, naming the ones sparse rows take', async () => {
    const data = sparseAndDense({ ...BASE, task: 'binary' });
    await expect(train(c.backend(), data.sparse, { loss: 'logistic', solver: 'newton' })).rejects.toThrow(/--solver newton needs dense columns.*--solver gd.*--solver lbfgs/);
  });
});

describe('the memory budget with a sparse model', () => {
  /** 300 rows, one dense column, two entries a row in 2^bits hashed buckets. */
  const wide = (bits: number): Dataset => {
    const width = 2 ** bits;
    const rows = 300;
    const ptr = Uint32Array.from({ length: rows + 1 }, (_, r) => 2 * r);
    const idx = Uint32Array.from({ length: 2 * rows }, (_, e) => (Math.imul(e + 1, 0x9e3779b1) >>> 8) % width);
    const encoding = { format: 'svmlight' as const, categorical: [], crosses: [], hash: null, base: 0, width };
    const x = Float32Array.from({ length: rows }, (_, r) => (r % 10) / 10);
    const y = Float32Array.from({ length: rows }, (_, r) => r % 3);
    return { features: ['x'], target: 'y', rows, sparse: { width, encoding, nnzPerRow: 2 }, chunks: [{ rows, x, y, firstRow: 0, sparse: { ptr, idx, val: null } }] };
  };

  it('counts 2^24 buckets\' state against --memory-budget: refused when it leaves no room for rows, streamed when rows overflow the rest', async () => {
    const shape = (bits: number) => ({ width: 2 ** bits, outputs: 1, optimizer: 'sgd' as const, penalty: 'none' as const, penaltyHp: [0, 0, 0, 0] as const, clipNorm: 0 });
    // WebGPU's layout (the default), the reference's (f64 weights, sums, mark and list entry) and the fast CPU's (the
    // host's f64 weights, plain SGD's 8-byte records, and its share).
    expect(sparseModelBytes(2 ** 24, 1, 0) / 2 ** 20).toBeCloseTo(448, 0);
    expect(sparseBlockBytes(reference, shape(24)) / 2 ** 20).toBeCloseTo(384, 0);
    expect(sparseBlockBytes(fastCpu(useBackends(['cpu (1 thread)'])[0]), shape(24)) / 2 ** 20).toBeCloseTo(320, 0);
    await expect(train(reference, wide(24), { ...SPEC, epochs: 1, memoryBudget: 256 << 20 })).rejects.toThrow(
      /the model's sparse block keeps about 384 MiB in memory and the program about 128 MiB, which leaves nothing of --memory-budget 256 MiB for rows: raise --memory-budget, or lower --hash-bits/);
    // 4 KiB left for rows of 40 bytes: 102 fit, the 300 are streamed through the ring (2^20 buckets keep the test
    // fast; test/cli/sparse_memory.test.ts measures the peak RSS of 2^24 buckets through the CLI).
    const r = await train(reference, wide(20), { ...SPEC, epochs: 1, memoryBudget: sparseBlockBytes(reference, shape(20)) + RUNTIME_BYTES + (4 << 10) });
    expect(r.streamed).toBe(true);
    expect(r.params.weights.length).toBe(1 + 2 ** 20);
  });
});
