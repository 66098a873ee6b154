// Parity: shaders/sparse_grad.wgsl and sparse_softmax.wgsl (forward gather per row, one output or K) and
// shaders/sparse_scatter.wgsl (backward sums over the column-sorted copy, no float atomics) against the f64 twin
// sparseGradCpu, and against the same rows expanded densely (linearGradCpu / softmaxGradCpu over dense + width
// columns): one-hot, signed-hash and valued blocks, plain and shuffled runs, with and without standardization, at
// awkward row counts. Also the column sort itself (core/csr_columns.ts).
import { describe, expect, it } from 'vitest';
import { allclose, TOL } from '../../src/core/allclose';
import { ColumnSorter } from '../../src/core/csr_columns';
import type { HostChunk } from '../../src/core/dataset';
import { LOSS_NAMES, LOSSES } from '../../src/core/losses';
import { modelSpec, type ModelParams, type ModelSpec } from '../../src/core/model';
import { Rng } from '../../src/core/rng';
import { emptyGradSums } from '../../src/cpu/grad_sums';
import { linearGradCpu } from '../../src/cpu/linear_grad';
import { softmaxGradCpu } from '../../src/cpu/softmax_grad';
import { sparseGradCpu } from '../../src/cpu/sparse_grad';
import { emptySparseSums, SparseAccumulator } from '../../src/cpu/sparse_sums';
import { SparseGradPass, sparsePipelines, upload, uploadCsr } from '../../src/gpu/sparse_grad';
import { sparseAndDense } from '../helpers/sparse';
import { useGpu } from '../helpers/gpu';

const gpu = useGpu();

/** Rows in the store's layout: DP4 vec4s per row, zero-padded. */
function storeRows(x: Float32Array, rows: number, d: number): Float32Array {
  const dp = Math.max(1, Math.ceil(d / 4)) * 4;
  const out = new Float32Array(Math.max(1, rows) * dp);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * d, (r + 1) * d), r * dp);
  return out;
}

function check(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: { atol: number; rtol: number } = TOL.f32Sum): void {
  const r = allclose(got, want, tol.atol, tol.rtol);
  expect(r.ok, `${what}: ${r.message}`).toBe(true);
}

interface Case { rows: number; kind: 'onehot' | 'signed' | 'valued'; loss: 'squared' | 'logistic' | 'huber' | 'softmax'; standardize?: boolean; shuffle?: boolean }

const CASES: Case[] = [
  { rows: 1, kind: 'onehot', loss: 'squared' },
  { rows: 3, kind: 'signed', loss: 'logistic', shuffle: true },
  { rows: 63, kind: 'valued', loss: 'huber', standardize: true },
  { rows: 64, kind: 'onehot', loss: 'logistic', standardize: true, shuffle: true },
  { rows: 65, kind: 'signed', loss: 'squared' },
  { rows: 1000, kind: 'valued', loss: 'squared', shuffle: true },
  { rows: 1000, kind: 'signed', loss: 'logistic', standardize: true },
  // K = 3 outputs (multiclass): one forward kernel per class row of the model, the scatter per class.
  { rows: 1, kind: 'onehot', loss: 'softmax' },
  { rows: 65, kind: 'signed', loss: 'softmax', standardize: true, shuffle: true },
  { rows: 1000, kind: 'valued', loss: 'softmax', shuffle: true },
];

describe('sparse_grad + sparse_scatter', () => {
  it.each(CASES)('%o: equals the f64 twin and the dense expansion', async (c) => {
    const { device, scoped } = gpu();
    const dd = 5;
    const width = 37;
    const k = c.loss === 'softmax' ? 3 : 1;
    const task = c.loss === 'softmax' ? 'multiclass' : c.loss === 'logistic' ? 'binary' : 'regression';
    const { sparse, dense } = sparseAndDense({ rows: c.rows, dense: dd, width, perRow: 4, kind: c.kind, task, classes: k, seed: c.rows + 7 });
    const chunk = sparse.chunks[0] as Required<Pick<HostChunk, 'sparse'>> & HostChunk;
    const rng = new Rng(c.rows);
    const norm = c.standardize ? { mean: Float64Array.from(rng.uniformArray(dd), (v) => Math.fround(v * 0.2)), invStd: Float64Array.from(rng.uniformArray(dd), (v) => Math.fround(1.5 + v)) } : undefined;
    const spec: ModelSpec = modelSpec({ d: dd + width, outputs: k, loss: c.loss, lossParams: { huberDelta: 0.3 }, standardize: norm, sparse: { dense: dd, width } });
    const p: ModelParams = {
      weights: Float64Array.from(rng.uniformArray(k * (dd + width)), (v) => Math.fround(v * 0.5)), bias: Float64Array.from({ length: k }, (_, c) => Math.fround(0.1 * (c + 1))),
    };
    const start = c.rows > 3 ? 2 : 0;
    const run = { start, count: c.rows - start - (c.rows > 3 ? 1 : 0), shuffle: c.shuffle ?? false, key: 12345 };

    const sums = await scoped('sparse_grad run', async () => {
      const pipes = await sparsePipelines(device, spec);
      const bufs = { rows: c.rows, x: upload(device, 'x', storeRows(chunk.x, c.rows, dd)), y: upload(device, 'y', chunk.y), ...uploadCsr(device, chunk.sparse) };
      const model = upload(device, 'model', Float32Array.from([...p.weights, ...p.bias]));
      const dp4 = Math.ceil(dd / 4);
      const normData = new Float32Array(dp4 * 8);
      if (norm) for (let j = 0; j < dd; j++) [normData[j], normData[dp4 * 4 + j]] = [norm.mean[j], norm.invStd[j]];
      return new SparseGradPass(device, pipes, spec).run(bufs, chunk.sparse, run, model, upload(device, 'norm', normData));
    });

    const want = sparseGradCpu({ rows: c.rows, x: chunk.x, y: chunk.y, sparse: chunk.sparse }, p, run, spec, 0, true,
      emptySparseSums(dd, k, 0, new SparseAccumulator(width, k)));
    expect(sums.rows).toBe(run.count);
    check('loss', [sums.loss], [want.loss]);
    check('bias', sums.gradBias, want.gradBias);
    check('dense', sums.grad, want.grad);
    expect([...sums.cols].sort((a, b) => a - b)).toEqual([...want.sparse.cols.subarray(0, want.sparse.count)].sort((a, b) => a - b));
    const n = sums.cols.length;
    for (let q = 0; q < k; q++) check(`sparse, output ${q}`, sums.sparse.subarray(q * n, (q + 1) * n), [...sums.cols].map((j) => want.sparse.acc[q * width + j]));

    // The dense expansion: every column (untouched sparse columns 0), through the dense kernel's twin.
    const D = dd + width;
    const full = new Float64Array(k * D);
    for (let q = 0; q < k; q++) {
      full.set(sums.grad.subarray(q * dd, (q + 1) * dd), q * D);
      sums.cols.forEach((j, s) => (full[q * D + dd + j] = sums.sparse[q * n + s]));
    }
    const denseSpec = modelSpec({ d: D, outputs: k, loss: c.loss, lossParams: { huberDelta: 0.3 },
      standardize: norm && { mean: Float64Array.from({ length: D }, (_, j) => (j < dd ? norm.mean[j] : 0)), invStd: Float64Array.from({ length: D }, (_, j) => (j < dd ? norm.invStd[j] : 1)) } });
    const dc = dense.chunks[0];
    const ref = k > 1
      ? softmaxGradCpu(dc.x, dc.y, c.rows, p, run, denseSpec, true, emptyGradSums(D, k))
      : linearGradCpu(dc.x, dc.y, c.rows, p, run, denseSpec, 0, true, emptyGradSums(D));
    check('dense expansion', full, ref.grad);
    check('dense expansion loss', [sums.loss, ...sums.gradBias], [ref.loss, ...ref.gradBias]);
  });
});

describe('sparse kernels with every loss', () => {
  it('link and compile each loss part (plain, shuffled, indicator, valued; K = 4 outputs for a multiclass loss)', async () => {
    const { device, scoped } = gpu();
    for (const loss of LOSS_NAMES) {
      const outputs = LOSSES[loss].task === 'multiclass' ? 4 : 1;
      await scoped(`sparse pipelines ${loss}`, () => sparsePipelines(device, modelSpec({ d: 9, outputs, loss, sparse: { dense: 2, width: 7 } })));
    }
  });
});

describe('ColumnSorter', () => {
  it('groups a run\'s entries by column in ascending order, rows ascending, signs as values; reused between runs', () => {
    const csr = { ptr: Uint32Array.of(0, 2, 3, 5), idx: Uint32Array.of(4, (1 | 0x80000000) >>> 0, 4, 1, 0), val: null };
    const s = new ColumnSorter(6);
    const a = s.sort(csr, 3, { start: 0, count: 3, shuffle: false, key: 0 });
    expect([...a.cols]).toEqual([0, 1, 4]);
    expect([...a.seg]).toEqual([0, 1, 3, 5]);
    expect([...a.at]).toEqual([2, 0, 2, 0, 1]);
    expect([...a.val]).toEqual([1, -1, 1, 1, 1]);
    const b = s.sort(csr, 3, { start: 1, count: 1, shuffle: false, key: 0 });
    expect([...b.cols]).toEqual([4]);
    expect([...b.at]).toEqual([0]);
  });
});
