// CPU twin of shaders/sparse_grad.wgsl and sparse_scatter.wgsl (src/gpu/sparse_grad.ts), in f64: rows with a dense block (x: rows × D_dense)
// and a sparse block (CSR); K outputs z_c = b_c + x'·W_c[0, D_dense) + Σ val·W_c[D_dense + idx] (a gather per entry),
// under any loss. Training adds dL/dz_c·x' to the dense sums and dL/dz_c·val to the sparse columns the row touches;
// evaluation adds the task's metric sums. Rows in a run of a chunk, through the keyed permutation when shuffling.
import { INDEX_MASK, NEG, type Csr } from '../core/csr';
import { LOSSES, type MultiLoss, type ScalarLoss } from '../core/losses';
import { addRowMetrics } from '../core/metrics';
import type { ModelParams, ModelSpec } from '../core/model';
import { feistelHalfBits, permuteIndex } from '../core/permute';
import type { GradRange } from './grad_sums';
import type { SparseSums } from './sparse_sums';

/** A chunk's rows as a sparse pass reads them. */
export interface SparseRows {
  rows: number;
  x: Float32Array;
  y: Float32Array;
  sparse: Csr;
}

/** The K outputs of one row into z (xs: the row's standardized dense values, filled here). */
function outputs(c: SparseRows, row: number, p: ModelParams, spec: ModelSpec, xs: Float64Array, z: Float64Array): void {
  const { dense: dd } = spec.sparse!;
  const D = spec.d;
  const norm = spec.standardize;
  const off = row * dd;
  for (let j = 0; j < dd; j++) xs[j] = norm ? (c.x[off + j] - norm.mean[j]) * norm.invStd[j] : c.x[off + j];
  const { ptr, idx, val } = c.sparse;
  for (let k = 0; k < z.length; k++) {
    const w = p.weights;
    let s = p.bias[k];
    for (let j = 0; j < dd; j++) s += xs[j] * w[k * D + j];
    for (let e = ptr[row]; e < ptr[row + 1]; e++) {
      const i = idx[e];
      s += val ? val[e] * w[k * D + dd + i] : i & NEG ? -w[k * D + dd + (i & INDEX_MASK)] : w[k * D + dd + i];
    }
    z[k] = s;
  }
}

/** Adds one pass over rows [start, start + count) of a chunk (permuted when shuffling) into `out`. */
export function sparseGradCpu(
  c: SparseRows, p: ModelParams, range: GradRange, spec: ModelSpec, yShift: number, withGrad: boolean, out: SparseSums,
): SparseSums {
  const unit = LOSSES[spec.loss];
  const multi = unit.task === 'multiclass';
  const k = spec.outputs;
  const dd = spec.sparse!.dense;
  const half = feistelHalfBits(c.rows);
  const xs = new Float64Array(dd);
  const z = new Float64Array(k);
  const dz = new Float64Array(k);
  const { ptr, idx, val } = c.sparse;
  for (let i = range.start; i < range.start + range.count; i++) {
    const row = range.shuffle ? permuteIndex(i, c.rows, range.key, half) : i;
    outputs(c, row, p, spec, xs, z);
    const t = c.y[row];
    let loss: number;
    if (multi) {
      loss = (unit as MultiLoss).valueDz(z, t, withGrad ? dz : null);
      if (!withGrad) {
        let best = 0;
        for (let q = 1; q < k; q++) if (z[q] > z[best]) best = q;
        if (best === t) out.m[0] += 1;
        out.m[1] += loss;
        if (out.confusion) out.confusion[t * k + best] += 1;
      }
    } else {
      const s = unit as ScalarLoss;
      loss = s.value(z[0], t, spec.lossHp);
      if (withGrad) dz[0] = s.dz(z[0], t, spec.lossHp);
      else addRowMetrics(s, z[0], t, yShift, spec.lossHp, out.m, out.confusion);
    }
    out.loss += loss;
    if (!withGrad) continue;
    for (let q = 0; q < k; q++) {
      const g = dz[q];
      for (let j = 0; j < dd; j++) out.grad[q * dd + j] += g * xs[j];
      out.gradBias[q] += g;
      for (let e = ptr[row]; e < ptr[row + 1]; e++) {
        const ix = idx[e];
        if (val) out.sparse.add(ix, q, g * val[e]);
        else out.sparse.add(ix & INDEX_MASK, q, ix & NEG ? -g : g);
      }
    }
  }
  out.rows += range.count;
  return out;
}

/** Calls visit(j) for the sparse column of every entry of a run of a chunk's rows (the columns a step reads). */
export function forPieceColumns(c: SparseRows, range: GradRange, visit: (j: number) => void): void {
  const { ptr, idx } = c.sparse;
  const half = feistelHalfBits(c.rows);
  for (let i = range.start; i < range.start + range.count; i++) {
    const row = range.shuffle ? permuteIndex(i, c.rows, range.key, half) : i;
    for (let e = ptr[row]; e < ptr[row + 1]; e++) visit(idx[e] & INDEX_MASK);
  }
}
